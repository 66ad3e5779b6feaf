/**
 * Injected time and scheduling (Kafka's `Time` / `MockTime` with its `KafkaScheduler` /
 * `MockScheduler`): code that waits, measures or runs something later takes a `Time`, so
 * unit tests run on a mock clock instead of sleeping. This module is the one place in
 * kzoo's production code (outside the CLI, benchmarks and testkit) that touches
 * `setTimeout` / `setInterval` / `Date.now()`; `time-guard.test.ts` keeps it that way.
 */

/** A task handed to `Time.schedule`; `cancel()` is idempotent, also from inside the task. */
export interface ScheduledTask {
  readonly name: string;
  cancel(): void;
}

export interface ScheduleOptions {
  /** Run again every `periodMs` after the first run (Kafka's `period`); default: once. */
  periodMs?: number;
  /**
   * Do not keep the process alive for this task (Node's `unref`), for housekeeping
   * (ISR expiry, retention, purgatory expiry). Default false, like `setTimeout`.
   */
  unref?: boolean;
}

export interface Time {
  /** Wall-clock milliseconds since the epoch. */
  milliseconds(): number;
  /** Monotonic nanoseconds (bigint), for measuring durations. */
  nanoseconds(): bigint;
  /** Resolves after `ms` on this clock (a `schedule` of `resolve`). */
  sleep(ms: number): Promise<void>;
  /**
   * Runs `fn` after `delayMs` (at least 0), then every `opts.periodMs` if given, until
   * cancelled. `name` says what the task is, in logs and in `MockTime.pendingTasks()`.
   * A periodic task's next run is counted from its previous deadline (fixed rate).
   */
  schedule(name: string, fn: () => void, delayMs: number, opts?: ScheduleOptions): ScheduledTask;
}

function systemSchedule(
  name: string,
  fn: () => void,
  delayMs: number,
  opts: ScheduleOptions = {},
): ScheduledTask {
  let cancelled = false;
  const period = opts.periodMs !== undefined && opts.periodMs > 0 ? opts.periodMs : undefined;
  let handle: NodeJS.Timeout | null = setTimeout(
    () => {
      if (cancelled) return;
      // After the first run a periodic task moves to setInterval (fixed rate, as Kafka's).
      if (period !== undefined) {
        handle = setInterval(() => {
          if (!cancelled) fn();
        }, period);
        if (opts.unref) handle.unref();
      } else handle = null;
      fn();
    },
    Math.max(0, delayMs),
  );
  if (opts.unref) handle.unref();
  return {
    name,
    cancel: () => {
      cancelled = true;
      if (handle) {
        clearTimeout(handle);
        clearInterval(handle);
      }
      handle = null;
    },
  };
}

export const SystemTime: Time = {
  milliseconds: () => Date.now(),
  nanoseconds: () => process.hrtime.bigint(),
  sleep: (ms) => new Promise((resolve) => systemSchedule('sleep', resolve, ms)),
  schedule: systemSchedule,
};

interface MockTask {
  name: string;
  fn: () => void;
  deadlineMs: number;
  seq: number;
  periodMs?: number;
  cancelled: boolean;
}

/**
 * A clock that moves only when `tick()` is called (Kafka's MockTime + MockScheduler):
 * tasks due by the new time run in deadline order (then scheduling order), with the
 * clock set to each task's deadline while it runs; periodic tasks run once per period
 * passed. Sleepers are tasks too, so they wake in the same order.
 */
export class MockTime implements Time {
  private nowMs: number;
  private tasks: MockTask[] = [];
  private seq = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  milliseconds(): number {
    return this.nowMs;
  }

  nanoseconds(): bigint {
    return BigInt(this.nowMs) * 1_000_000n;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule('sleep', resolve, ms));
  }

  schedule(
    name: string,
    fn: () => void,
    delayMs: number,
    opts: ScheduleOptions = {},
  ): ScheduledTask {
    const task: MockTask = {
      name,
      fn,
      deadlineMs: this.nowMs + Math.max(0, delayMs),
      seq: 0,
      periodMs: opts.periodMs !== undefined && opts.periodMs > 0 ? opts.periodMs : undefined,
      cancelled: false,
    };
    this.enqueue(task);
    return {
      name,
      cancel: () => {
        task.cancelled = true;
        const i = this.tasks.indexOf(task);
        if (i >= 0) this.tasks.splice(i, 1);
      },
    };
  }

  /** Moves the clock forward by `ms`, running every task that falls due on the way. */
  tick(ms: number): void {
    const target = this.nowMs + Math.max(0, ms);
    for (let t = this.tasks[0]; t && t.deadlineMs <= target; t = this.tasks[0]) {
      this.tasks.shift();
      if (t.deadlineMs > this.nowMs) this.nowMs = t.deadlineMs;
      if (t.periodMs !== undefined) {
        t.deadlineMs += t.periodMs;
        this.enqueue(t);
      }
      t.fn();
    }
    this.nowMs = target;
  }

  /** Pending tasks, soonest first: what a test can assert is (or is not) scheduled. */
  pendingTasks(): Array<{ name: string; deadlineMs: number; periodMs?: number }> {
    return this.tasks.map((t) => ({
      name: t.name,
      deadlineMs: t.deadlineMs,
      periodMs: t.periodMs,
    }));
  }

  private enqueue(t: MockTask): void {
    t.seq = this.seq++;
    let lo = 0;
    let hi = this.tasks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tasks[mid].deadlineMs <= t.deadlineMs) lo = mid + 1;
      else hi = mid;
    }
    this.tasks.splice(lo, 0, t);
  }
}
