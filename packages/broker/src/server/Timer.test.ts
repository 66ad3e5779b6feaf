import { MockTime } from '@kzoo/common';
import { MockTimer, SystemTimer } from './Timer';

describe('Broker > server > Timer', () => {
  it('MockTimer runs due tasks in deadline order with the clock at each deadline', () => {
    const time = new MockTime(1000);
    const timer = new MockTimer(time);
    const seen: Array<[string, number]> = [];
    timer.schedule(1300, () => seen.push(['c', time.milliseconds()]));
    timer.schedule(1100, () => {
      seen.push(['a', time.milliseconds()]);
      timer.schedule(1150, () => seen.push(['a2', time.milliseconds()]));
    });
    const cancelled = timer.schedule(1200, () => seen.push(['b', time.milliseconds()]));
    cancelled.cancel();
    timer.advanceClock(250);
    expect(seen).toEqual([
      ['a', 1100],
      ['a2', 1150],
    ]);
    expect(time.milliseconds()).toBe(1250);
    timer.advanceClock(50);
    expect(seen[2]).toEqual(['c', 1300]);
    expect(timer.size).toBe(0);
  });

  it('SystemTimer fires on the real clock and stops at shutdown', async () => {
    const timer = new SystemTimer();
    const fired = await new Promise<number>((resolve) => {
      const start = Date.now();
      timer.schedule(start + 20, () => resolve(Date.now() - start));
      timer.schedule(start + 60_000, () => resolve(-1));
    });
    expect(fired).toBeGreaterThanOrEqual(19);
    expect(timer.size).toBe(1);
    timer.shutdown();
    expect(timer.size).toBe(0);
  });
});
