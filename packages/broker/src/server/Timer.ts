/**
 * The timer of the delayed-operation purgatories and the controller (Kafka's
 * `kafka.utils.timer`), as a view of the one scheduler, `Time.schedule`: a task runs at
 * an absolute deadline on the timer's clock. `SystemTimer` schedules on any `Time` (the
 * system clock by default); `MockTimer` (Kafka's `kafka.utils.timer.MockTimer`) is the
 * same on a `MockTime`, and `advanceClock(ms)` is `time.tick(ms)`, so purgatory tests
 * never sleep.
 */
import { MockTime, ScheduledTask, SystemTime, Time } from '@kzoo/common';

/** The longest delay Node's timers take (2^31 - 1 ms). */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

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

/** A task of a SystemTimer's queue. */
interface TimerEntry {
  deadlineMs: number;
  /** Scheduling order: tasks with one deadline run in the order they were scheduled. */
  seq: number;
  fn: (() => void) | null;
}

/**
 * Deadline tasks on `time.schedule`, through ONE scheduled task at a time (unref'd: expiry
 * never keeps a process alive). Kafka's purgatory timer is a hierarchical timing wheel so
 * that a delayed operation costs O(1) to add and to cancel; the same here: the tasks wait
 * in a binary heap by (deadline, scheduling order) and one `time.schedule` task is armed
 * for the earliest. A cancelled task stays in the heap, emptied (dropped when it reaches
 * the top, or in a sweep once they are most of the heap), so the common case — a parked
 * fetch or produce completing long before its deadline — neither creates nor clears a
 * Node timer (one each per operation before: a setTimeout, its unref and a clearTimeout).
 */
export class SystemTimer implements Timer {
  private heap: TimerEntry[] = [];
  private live = 0;
  private seq = 0;
  private armed: ScheduledTask | null = null;
  private armedAt = Infinity;
  private running = false;
  private closed = false;

  constructor(readonly time: Time = SystemTime) {}

  schedule(deadlineMs: number, fn: () => void): TimerTaskHandle {
    if (this.closed) return { cancel: () => {} };
    const entry: TimerEntry = { deadlineMs, seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    if (!this.running && deadlineMs < this.armedAt) this.arm(deadlineMs);
    return {
      cancel: () => {
        if (entry.fn === null) return;
        entry.fn = null;
        this.live--;
        this.maybeSweep();
      },
    };
  }

  get size(): number {
    return this.live;
  }

  shutdown(): void {
    this.closed = true;
    this.armed?.cancel();
    this.armed = null;
    this.armedAt = Infinity;
    for (const e of this.heap) e.fn = null;
    this.heap = [];
    this.live = 0;
  }

  /** Runs every task due now, in (deadline, scheduling) order, then arms for the next. */
  private readonly fire = (): void => {
    this.armed = null;
    this.armedAt = Infinity;
    this.running = true;
    try {
      for (;;) {
        const top = this.heap[0];
        if (top === undefined) break;
        if (top.fn === null) {
          this.pop();
          continue;
        }
        if (top.deadlineMs > this.time.milliseconds()) break;
        this.pop();
        const fn = top.fn;
        top.fn = null;
        this.live--;
        fn();
      }
    } finally {
      // also after a task threw: the rest still run, from a fresh task
      this.running = false;
      if (!this.closed && this.heap.length > 0) this.arm(this.heap[0].deadlineMs);
    }
  };

  private arm(deadlineMs: number): void {
    this.armed?.cancel();
    this.armedAt = deadlineMs;
    this.armed = this.time.schedule(
      'timer',
      this.fire,
      // at most Node's longest timer (it runs a longer one after 1 ms); a farther deadline is
      // re-armed when that fires
      Math.min(MAX_TIMER_DELAY_MS, Math.max(0, deadlineMs - this.time.milliseconds())),
      { unref: true },
    );
  }

  /** Cancelled tasks are most of a large heap: rebuild it from the live ones. */
  private maybeSweep(): void {
    const n = this.heap.length;
    if (n < 1024 || this.live * 2 > n) return;
    const kept = this.heap.filter((e) => e.fn !== null);
    kept.sort(before);
    this.heap = kept; // a sorted array is a valid heap
    if (kept.length === 0) {
      this.armed?.cancel();
      this.armed = null;
      this.armedAt = Infinity;
    }
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], e) <= 0) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r], h[l]) < 0 ? r : l;
      if (before(last, h[c]) <= 0) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
}

function before(a: TimerEntry, b: TimerEntry): number {
  return a.deadlineMs - b.deadlineMs || a.seq - b.seq;
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
