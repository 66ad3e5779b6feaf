import { heapGrowingPercent, KZOO_HEAP_GROWING_PERCENT } from './process-heap';

describe('common > process-heap > heapGrowingPercent', () => {
  test("kzoo's default without KZOO_HEAP_GROWING_PERCENT (or with it empty)", () => {
    expect(heapGrowingPercent({})).toBe(KZOO_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent({ KZOO_HEAP_GROWING_PERCENT: '' })).toBe(KZOO_HEAP_GROWING_PERCENT);
    expect(KZOO_HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });

  test('the value of KZOO_HEAP_GROWING_PERCENT; 0 leaves V8 its own choice', () => {
    expect(heapGrowingPercent({ KZOO_HEAP_GROWING_PERCENT: '150' })).toBe(150);
    expect(heapGrowingPercent({ KZOO_HEAP_GROWING_PERCENT: '0' })).toBe(0);
  });

  test.each(['-5', '1.5', 'lots', '20000', '0x10'])(
    'rejects %p with one line naming the variable',
    (v) => {
      expect(() => heapGrowingPercent({ KZOO_HEAP_GROWING_PERCENT: v })).toThrow(
        new RegExp(`^KZOO_HEAP_GROWING_PERCENT must be an integer from 0 to 10000 .*got '${v}'$`),
      );
    },
  );
});
