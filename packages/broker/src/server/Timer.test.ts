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

  it('keeps one clock task armed, for the earliest live deadline, however many tasks wait', () => {
    const time = new MockTime(1000);
    const timer = new MockTimer(time);
    const seen: number[] = [];
    const handles = [];
    for (let i = 0; i < 5000; i++)
      handles.push(timer.schedule(1500 + (i % 50), () => seen.push(i)));
    timer.schedule(1100, () => seen.push(-1));
    expect(time.pendingTasks()).toEqual([{ name: 'timer', deadlineMs: 1100, periodMs: undefined }]);
    // parked operations completing before their deadline: cancelled, nothing runs for them
    for (let i = 0; i < 5000; i++) if (i % 1000 !== 7) handles[i].cancel();
    handles[7].cancel();
    handles[7].cancel(); // idempotent
    expect(timer.size).toBe(5);
    timer.advanceClock(100);
    expect(seen).toEqual([-1]);
    // armed for the earliest task still live (i = 1007: deadline 1507), not a cancelled one
    expect(time.pendingTasks()).toEqual([{ name: 'timer', deadlineMs: 1507, periodMs: undefined }]);
    timer.advanceClock(406);
    expect(seen).toEqual([-1]);
    timer.advanceClock(1);
    expect(seen).toEqual([-1, 1007, 2007, 3007, 4007]);
    expect(timer.size).toBe(0);
    expect(time.pendingTasks()).toEqual([]);
  });

  it('a deadline beyond the longest Node timer is re-armed on the way, and runs on time', () => {
    const time = new MockTime(0);
    const timer = new MockTimer(time);
    let ranAt = -1;
    timer.schedule(3_000_000_000, () => (ranAt = time.milliseconds()));
    expect(time.pendingTasks()[0].deadlineMs).toBe(2_147_483_647);
    timer.advanceClock(2_147_483_647);
    expect(ranAt).toBe(-1);
    expect(time.pendingTasks()[0].deadlineMs).toBe(3_000_000_000);
    timer.advanceClock(3_000_000_000 - 2_147_483_647);
    expect(ranAt).toBe(3_000_000_000);
  });

  it('a task that throws does not stop the tasks due after it', () => {
    const time = new MockTime(0);
    const timer = new MockTimer(time);
    const seen: string[] = [];
    timer.schedule(10, () => {
      throw new Error('boom');
    });
    timer.schedule(10, () => seen.push('same deadline'));
    timer.schedule(20, () => seen.push('later'));
    expect(() => timer.advanceClock(10)).toThrow('boom');
    timer.advanceClock(0);
    expect(seen).toEqual(['same deadline']);
    timer.advanceClock(10);
    expect(seen).toEqual(['same deadline', 'later']);
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
