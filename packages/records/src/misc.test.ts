import { murmur2, partitionForKey, toPositive } from './murmur2';
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from './varint';
import fc from 'fast-check';

describe('records > murmur2', () => {
  // Vectors from Kafka's clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %d as Kafka', (s, want) => {
    expect(murmur2(Buffer.from(s))).toBe(want);
  });
  test('toPositive and the partition choice', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(partitionForKey(Buffer.from('foobar'), 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});

describe('records > varint', () => {
  test('known zigzag encodings', () => {
    const b = Buffer.alloc(10);
    expect(b.subarray(0, writeVarint(b, 0, -1)).toString('hex')).toBe('01');
    expect(b.subarray(0, writeVarint(b, 0, 1)).toString('hex')).toBe('02');
    expect(b.subarray(0, writeVarint(b, 0, 300)).toString('hex')).toBe('d804');
    expect(b.subarray(0, writeVarint(b, 0, -2147483648)).toString('hex')).toBe('ffffffff0f');
  });
  test('property: varint and varlong round trip with the right sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.maxSafeInteger(),
        (i, l) => {
          const b = Buffer.alloc(20);
          const e1 = writeVarint(b, 0, i);
          expect(e1).toBe(sizeOfVarint(i));
          const l2 = Math.trunc(l / 2) || 0; // zigzag doubles: stay safe (and no -0)
          const e2 = writeVarlong(b, e1, l2);
          expect(e2 - e1).toBe(sizeOfVarlong(l2));
          const r = new VarintReader(b, 0);
          expect(r.varint()).toBe(i);
          expect(r.varlong()).toBe(l2);
        },
      ),
    );
  });
});
