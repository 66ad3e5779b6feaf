/**
 * The timer of the delayed-operation purgatories and the controller (Kafka's
 * `kafka.utils.timer`), as a view of the one scheduler, `Time.schedule`: a task runs at
 * an absolute deadline on the timer's clock. `SystemTimer` schedules on any `Time` (the
 * system clock by default); `MockTimer` (Kafka's `kafka.utils.timer.MockTimer`) is the
 * same on a `MockTime`, and `advanceClock(ms)` is `time.tick(ms)`, so purgatory tests
 * never sleep.
 */
import { MockTime, ScheduledTask, SystemTime, Time } from '@kzoo/common';

/** A scheduled callback; `cancel()` is idempotent. */
export interface TimerTaskHandle {
  cancel(): void;
}

export interface Timer {
  readonly time: Time;
  /** Runs `fn` once the clock reaches `deadlineMs` (absolute, `time.milliseconds()`). */
  schedule(deadlineMs: number, fn: () => void): TimerTaskHandle;
  /** Pending tasks. */
  readonly size: number;
  shutdown(): void;
}

/** Deadline tasks on `time.schedule` (unref'd: expiry never keeps a process alive). */
export class SystemTimer implements Timer {
  private readonly pending = new Set<ScheduledTask>();
  private closed = false;

  constructor(readonly time: Time = SystemTime) {}

  schedule(deadlineMs: number, fn: () => void): TimerTaskHandle {
    if (this.closed) return { cancel: () => {} };
    const task = this.time.schedule(
      'timer',
      () => {
        this.pending.delete(task);
        fn();
      },
      deadlineMs - this.time.milliseconds(),
      { unref: true },
    );
    this.pending.add(task);
    return {
      cancel: () => {
        this.pending.delete(task);
        task.cancel();
      },
    };
  }

  get size(): number {
    return this.pending.size;
  }

  shutdown(): void {
    this.closed = true;
    for (const t of this.pending) t.cancel();
    this.pending.clear();
  }
}

/** A timer for tests: nothing runs until `advanceClock` (or a `tick` of its MockTime). */
export class MockTimer extends SystemTimer {
  constructor(override readonly time: MockTime = new MockTime()) {
    super(time);
  }

  /**
   * Moves the clock forward by `ms`, running every task that falls due in deadline
   * order, with the clock set to each task's deadline while it runs.
   */
  advanceClock(ms: number): void {
    this.time.tick(ms);
  }
}
