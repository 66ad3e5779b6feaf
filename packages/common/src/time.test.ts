import { MockTime, SystemTime } from './index';

describe('common > Time > MockTime.schedule', () => {
  it('runs due tasks in deadline order, then scheduling order, with the clock at each deadline', () => {
    const time = new MockTime(1000);
    const seen: Array<[string, number]> = [];
    time.schedule('c', () => seen.push(['c', time.milliseconds()]), 300);
    time.schedule(
      'a',
      () => {
        seen.push(['a', time.milliseconds()]);
        time.schedule('a2', () => seen.push(['a2', time.milliseconds()]), 50);
      },
      100,
    );
    time.schedule('a-too', () => seen.push(['a-too', time.milliseconds()]), 100);
    const b = time.schedule('b', () => seen.push(['b', time.milliseconds()]), 200);
    b.cancel();
    b.cancel(); // idempotent
    time.tick(250);
    expect(seen).toEqual([
      ['a', 1100],
      ['a-too', 1100],
      ['a2', 1150],
    ]);
    expect(time.milliseconds()).toBe(1250);
    expect(time.pendingTasks()).toEqual([{ name: 'c', deadlineMs: 1300, periodMs: undefined }]);
    time.tick(49);
    expect(seen).toHaveLength(3);
    time.tick(1);
    expect(seen[3]).toEqual(['c', 1300]);
    expect(time.pendingTasks()).toEqual([]);
  });

  it('runs a periodic task once per period passed, at fixed rate, until cancelled from inside', () => {
    const time = new MockTime(0);
    const runs: number[] = [];
    const task = time.schedule(
      'every-100',
      () => {
        runs.push(time.milliseconds());
        if (runs.length === 4) task.cancel();
      },
      30,
      { periodMs: 100 },
    );
    time.tick(29);
    expect(runs).toEqual([]);
    time.tick(250);
    expect(runs).toEqual([30, 130, 230]);
    time.tick(1000);
    expect(runs).toEqual([30, 130, 230, 330]);
    expect(time.pendingTasks()).toEqual([]);
  });

  it('a negative delay runs at the next tick, even tick(0)', () => {
    const time = new MockTime(0);
    let ran = false;
    time.schedule('now', () => (ran = true), -5);
    expect(ran).toBe(false);
    time.tick(0);
    expect(ran).toBe(true);
  });

  it('sleepers are tasks: they wake in deadline order among the others', async () => {
    const time = new MockTime(0);
    const order: string[] = [];
    void time.sleep(20).then(() => order.push('sleep-20'));
    time.schedule('task-10', () => order.push('task-10'), 10);
    expect(time.pendingTasks().map((t) => t.name)).toEqual(['task-10', 'sleep']);
    time.tick(20);
    await Promise.resolve();
    expect(order).toEqual(['task-10', 'sleep-20']);
  });
});

describe('common > Time > SystemTime.schedule', () => {
  it('runs once after the delay; a cancelled task never runs', async () => {
    const start = SystemTime.milliseconds();
    let cancelledRan = false;
    const cancelled = SystemTime.schedule('never', () => (cancelledRan = true), 5);
    cancelled.cancel();
    const elapsed = await new Promise<number>((resolve) =>
      SystemTime.schedule('once', () => resolve(SystemTime.milliseconds() - start), 20),
    );
    expect(elapsed).toBeGreaterThanOrEqual(19);
    await SystemTime.sleep(10); // the cancelled one had its chance
    expect(cancelledRan).toBe(false);
  });

  it('repeats every period until cancelled', async () => {
    const runs: number[] = [];
    await new Promise<void>((resolve) => {
      const task = SystemTime.schedule(
        'periodic',
        () => {
          runs.push(SystemTime.milliseconds());
          if (runs.length === 3) {
            task.cancel();
            resolve();
          }
        },
        1,
        { periodMs: 10, unref: true },
      );
    });
    await SystemTime.sleep(30);
    expect(runs).toHaveLength(3);
    expect(runs[2] - runs[0]).toBeGreaterThanOrEqual(18);
  });
});
