/**
 * Delayed operations, as Kafka's `kafka.server.DelayedOperation` and
 * `DelayedOperationPurgatory`, sized for the group coordinator: an operation waits
 * until it can complete (`tryComplete()` says so when a watched key is checked) or
 * until its deadline, whichever comes first; it completes exactly once.
 *
 * Timers are injected: `SystemTimer` arms one unref'd `setTimeout` for the earliest
 * deadline; `MockTimer` (Kafka's `kafka.utils.timer.MockTimer`) runs due tasks only
 * when a test calls `advanceClock(ms)`, moving its MockTime along, so coordinator
 * tests never sleep.
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

/**
 * An operation that completes once: either `tryComplete()` finds it can (and calls
 * `forceComplete()`), or its deadline passes (`onExpiration()` then `onComplete()`).
 */
export abstract class DelayedOperation {
  private completed = false;
  /** @internal set by the purgatory */
  timerTask: TimerTaskHandle | null = null;

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Completes the operation if it has not completed yet; true if this call did it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.timerTask?.cancel();
    this.timerTask = null;
    this.onComplete();
    return true;
  }

  /** Checks whether the operation can complete now; if so calls forceComplete(). */
  abstract tryComplete(): boolean;
  /** The completion logic, run exactly once. */
  abstract onComplete(): void;
  /** Run before onComplete() when the deadline passed. */
  onExpiration(): void {}

  /** @internal the timer fired */
  run(): void {
    if (this.completed) return;
    this.completed = true;
    this.timerTask = null;
    this.onExpiration();
    this.onComplete();
  }
}

/** Operations watched by key; expiry through the injected Timer. */
export class DelayedOperationPurgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();

  constructor(
    readonly name: string,
    private readonly timer: Timer,
  ) {}

  /**
   * Completes `op` at once if it can; otherwise watches it under `keys` and schedules
   * its expiry. Returns true if it completed now.
   */
  tryCompleteElseWatch(op: T, keys: string[]): boolean {
    if (op.tryComplete()) return true;
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) this.watchers.set(k, (set = new Set()));
      set.add(op);
    }
    // a watched key may have changed between the first check and the watch
    if (op.tryComplete()) {
      this.unwatch(op, keys);
      return true;
    }
    if (!op.isCompleted) {
      op.timerTask = this.timer.schedule(this.timer.time.milliseconds() + op.delayMs, () => {
        this.unwatch(op, keys);
        op.run();
      });
    }
    return false;
  }

  /** Tries to complete the operations watched under `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let done = 0;
    for (const op of [...set]) {
      if (op.isCompleted || op.tryComplete()) {
        set.delete(op);
        done++;
      }
    }
    if (set.size === 0) this.watchers.delete(key);
    return done;
  }

  /** Operations watched under `key` that have not completed. */
  watched(key: string): number {
    return [...(this.watchers.get(key) ?? [])].filter((op) => !op.isCompleted).length;
  }

  /** Drops every watched operation without completing it (coordinator shutdown). */
  shutdown(): void {
    for (const set of this.watchers.values()) {
      for (const op of set) op.timerTask?.cancel();
    }
    this.watchers.clear();
  }

  private unwatch(op: T, keys: string[]): void {
    for (const k of keys) {
      const set = this.watchers.get(k);
      if (!set) continue;
      set.delete(op);
      if (set.size === 0) this.watchers.delete(k);
    }
  }
}
