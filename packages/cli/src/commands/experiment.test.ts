import { parseAcks, parseDuration, parseSeeds } from './experiment';

describe('cli > experiment > argument parsing', () => {
  it('durations: 30s, 1500ms, 2m, bare seconds; too short or malformed is a usage error', () => {
    expect(parseDuration('30s')).toBe(30000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration('12')).toBe(12000);
    expect(() => parseDuration('500ms')).toThrow('duration 500ms is too short: at least 1s');
    expect(() => parseDuration('ten')).toThrow('invalid duration "ten": e.g. 30s, 1500ms, 2m');
  });

  it('acks: 0, 1, all or -1', () => {
    expect(parseAcks('0')).toBe(0);
    expect(parseAcks('1')).toBe(1);
    expect(parseAcks('all')).toBe(-1);
    expect(parseAcks('-1')).toBe(-1);
    expect(() => parseAcks('2')).toThrow('invalid --acks "2": 0, 1 or all');
  });

  it('seeds: lists and ranges', () => {
    expect(parseSeeds('1,4')).toEqual([1, 4]);
    expect(parseSeeds('3-6')).toEqual([3, 4, 5, 6]);
    expect(parseSeeds('1-2,9')).toEqual([1, 2, 9]);
    expect(() => parseSeeds('5-3')).toThrow('empty seed range 5-3');
    expect(() => parseSeeds('x')).toThrow(/invalid seed "x"/);
  });
});
