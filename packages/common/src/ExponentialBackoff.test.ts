import { ExponentialBackoff } from './ExponentialBackoff';

describe('Common > ExponentialBackoff', () => {
  const waits = (b: ExponentialBackoff, n: number) =>
    Array.from({ length: n }, (_, i) => b.backoff(i));

  test('doubles from the initial wait and stops at the max (no jitter at the midpoint)', () => {
    const b = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0.5);
    expect(waits(b, 8)).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });

  test('jitter stays within ±20 % and never passes the max', () => {
    const low = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0);
    const high = new ExponentialBackoff(50, 2, 1000, 0.2, () => 0.999999);
    expect(waits(low, 7)).toEqual([40, 80, 160, 320, 640, 800, 800]);
    expect(waits(high, 7)).toEqual([59, 119, 239, 479, 959, 1000, 1000]);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const b = new ExponentialBackoff(50, 2, 1000, 0.2, random);
    for (let attempts = 0; attempts < 12; attempts++) {
      const term = Math.min(50 * 2 ** attempts, 1000);
      for (let i = 0; i < 200; i++) {
        const w = b.backoff(attempts);
        expect(w).toBeGreaterThanOrEqual(Math.floor(0.8 * term));
        expect(w).toBeLessThanOrEqual(Math.min(1.2 * term, 1000));
      }
    }
  });

  test('a max at or below the initial wait is a constant wait of the max, without jitter', () => {
    expect(waits(new ExponentialBackoff(50, 2, 50, 0.2, () => 0), 3)).toEqual([50, 50, 50]);
    expect(waits(new ExponentialBackoff(500, 2, 100, 0.2, () => 0), 3)).toEqual([100, 100, 100]);
    expect(waits(new ExponentialBackoff(0, 2, 1000, 0.2, () => 0), 3)).toEqual([0, 0, 0]);
  });
});
