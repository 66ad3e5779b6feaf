/**
 * The timers of the delayed-operation purgatories (Kafka's `kafka.utils.timer`):
 * `SystemTimer` arms one unref'd `setTimeout` for the earliest deadline; `MockTimer`
 * (Kafka's `kafka.utils.timer.MockTimer`) runs due tasks only when a test calls
 * `advanceClock(ms)`, moving its MockTime along, so purgatory tests never sleep.
 */
import { MockTime, SystemTime, Time } from '@kzoo/common';

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

interface Task {
  deadlineMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Tasks ordered by deadline, then by scheduling order. */
class TaskQueue {
  private tasks: Task[] = [];
  private seq = 0;

  add(deadlineMs: number, fn: () => void): Task {
    const t: Task = { deadlineMs, seq: this.seq++, fn, cancelled: false };
    let i = this.tasks.length;
    while (i > 0 && this.tasks[i - 1].deadlineMs > deadlineMs) i--;
    this.tasks.splice(i, 0, t);
    return t;
  }

  remove(t: Task): void {
    t.cancelled = true;
    const i = this.tasks.indexOf(t);
    if (i >= 0) this.tasks.splice(i, 1);
  }

  peek(): Task | undefined {
    return this.tasks[0];
  }

  shift(): Task | undefined {
    return this.tasks.shift();
  }

  get size(): number {
    return this.tasks.length;
  }

  clear(): void {
    for (const t of this.tasks) t.cancelled = true;
    this.tasks = [];
  }
}

/** Real timer: one unref'd setTimeout for the earliest deadline. */
export class SystemTimer implements Timer {
  private readonly queue = new TaskQueue();
  private handle: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private closed = false;

  constructor(readonly time: Time = SystemTime) {}

  schedule(deadlineMs: number, fn: () => void): TimerTaskHandle {
    if (this.closed) return { cancel: () => {} };
    const task = this.queue.add(deadlineMs, fn);
    this.arm();
    return { cancel: () => this.queue.remove(task) };
  }

  get size(): number {
    return this.queue.size;
  }

  shutdown(): void {
    this.closed = true;
    this.queue.clear();
    if (this.handle) clearTimeout(this.handle);
    this.handle = null;
  }

  private arm(): void {
    const next = this.queue.peek();
    if (!next) return;
    if (this.handle && this.armedFor <= next.deadlineMs) return;
    if (this.handle) clearTimeout(this.handle);
    this.armedFor = next.deadlineMs;
    const delay = Math.max(0, next.deadlineMs - this.time.milliseconds());
    this.handle = setTimeout(() => this.fire(), delay);
    this.handle.unref();
  }

  private fire(): void {
    this.handle = null;
    this.armedFor = Infinity;
    const now = this.time.milliseconds();
    for (let t = this.queue.peek(); t && t.deadlineMs <= now; t = this.queue.peek()) {
      this.queue.shift();
      if (!t.cancelled) t.fn();
    }
    if (!this.closed) this.arm();
  }
}

/** A timer for tests: nothing runs until `advanceClock`. */
export class MockTimer implements Timer {
  private readonly queue = new TaskQueue();

  constructor(readonly time: MockTime = new MockTime()) {}

  schedule(deadlineMs: number, fn: () => void): TimerTaskHandle {
    const task = this.queue.add(deadlineMs, fn);
    return { cancel: () => this.queue.remove(task) };
  }

  /**
   * Moves the clock forward by `ms`, running every task that falls due in deadline
   * order, with the clock set to each task's deadline while it runs.
   */
  advanceClock(ms: number): void {
    const target = this.time.milliseconds() + ms;
    for (let t = this.queue.peek(); t && t.deadlineMs <= target; t = this.queue.peek()) {
      this.queue.shift();
      if (t.deadlineMs > this.time.milliseconds()) {
        this.time.tick(t.deadlineMs - this.time.milliseconds());
      }
      if (!t.cancelled) t.fn();
    }
    if (target > this.time.milliseconds()) this.time.tick(target - this.time.milliseconds());
  }

  get size(): number {
    return this.queue.size;
  }

  shutdown(): void {
    this.queue.clear();
  }
}
