/**
 * Kafka's DelayedOperation + DelayedOperationPurgatory (`kafka.server`), for an event
 * loop: an operation is tried at once; if it cannot complete it is watched under keys
 * (`topic-partition`, `group:<id>`, ...), re-tried when something happens to one of them
 * (`checkAndComplete`), and expires at its deadline through the injected `Timer`
 * (`SystemTimer` in a broker, `MockTimer` in tests). It completes exactly once: by
 * `tryComplete()` calling `forceComplete()`, or on expiry (`onExpiration()`, then
 * `onComplete()`). Serves the data path (DelayedFetch, DelayedProduce) and the group
 * coordinator (DelayedJoin, DelayedHeartbeat).
 */
import { SystemTimer, type Timer, type TimerTaskHandle } from './Timer';

export abstract class DelayedOperation {
  private completed = false;
  /** @internal the expiry task, set by the purgatory */
  timerTask: TimerTaskHandle | null = null;

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Checks whether the operation can complete now; if so calls `forceComplete()` and returns true. */
  abstract tryComplete(): boolean;

  /** The completion logic (produces the result), run exactly once: on completion or expiry. */
  protected abstract onComplete(): void;

  /**
   * Run once, before `onComplete()`, when the deadline passed (Kafka runs it after; here it
   * can set the answer, e.g. DelayedProduce's REQUEST_TIMED_OUT, before `onComplete()` sends it).
   */
  protected onExpiration(): void {}

  /** Completes the operation if nobody has; returns true when this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.timerTask?.cancel();
    this.timerTask = null;
    this.onComplete();
    return true;
  }

  /** @internal the timer fired */
  run(): void {
    if (this.completed) return;
    this.completed = true;
    this.timerTask = null;
    this.onExpiration();
    this.onComplete();
  }
}

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();
  private readonly keysOf = new Map<T, string[]>();

  constructor(
    readonly name: string,
    private readonly timer: Timer = new SystemTimer(),
    /** Called for each operation that reached its deadline (Kafka's ExpiresPerSec meters). */
    private readonly onExpired?: (op: T) => void,
  ) {}

  /** Operations currently watched. */
  get delayed(): number {
    return this.keysOf.size;
  }

  /** Operations watched under `key` that have not completed. */
  watched(key: string): number {
    return [...(this.watchers.get(key) ?? [])].filter((op) => !op.isCompleted).length;
  }

  /**
   * Tries `op`; if it cannot complete now it is watched under `keys` until an event on one
   * of them completes it or it expires. Returns true when it completed at once. (Kafka
   * tries again after watching, for a key changed by another thread meanwhile; here
   * nothing runs between the try and the watch.)
   */
  tryCompleteElseWatch(op: T, keys: string[]): boolean {
    if (op.tryComplete() || op.isCompleted) return true;
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) this.watchers.set(k, (set = new Set()));
      set.add(op);
    }
    this.keysOf.set(op, keys);
    op.timerTask = this.timer.schedule(this.timer.time.milliseconds() + op.delayMs, () => {
      this.unwatch(op);
      if (!op.isCompleted) this.onExpired?.(op);
      op.run();
    });
    return false;
  }

  /** Re-tries the operations watching `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set || set.size === 0) return 0;
    let n = 0;
    for (const op of [...set]) {
      if (op.isCompleted || op.tryComplete()) {
        this.unwatch(op);
        n++;
      }
    }
    return n;
  }

  /**
   * Re-tries, once each, the operations watching any of `keys`; returns how many completed.
   * For a change to many keys at once (a LeaderAndIsr or StopReplica of thousands of
   * partitions): a follower's parked fetch watches every partition it fetches, and
   * `checkAndComplete` per key would try it once per key, each try walking all its
   * partitions (quadratic in the request's size).
   */
  checkAndCompleteKeys(keys: Iterable<string>): number {
    const ops = new Set<T>();
    for (const k of keys) {
      const set = this.watchers.get(k);
      if (set) for (const op of set) ops.add(op);
    }
    let n = 0;
    for (const op of ops) {
      if (op.isCompleted || op.tryComplete()) {
        this.unwatch(op);
        n++;
      }
    }
    return n;
  }

  /** Completes every watched operation now (broker shutdown: answer what is in flight). */
  completeAll(): void {
    for (const op of [...this.keysOf.keys()]) {
      op.forceComplete();
      this.unwatch(op);
    }
  }

  /** Drops every watched operation without completing it, cancelling its expiry (coordinator shutdown). */
  shutdown(): void {
    for (const op of this.keysOf.keys()) op.timerTask?.cancel();
    this.watchers.clear();
    this.keysOf.clear();
  }

  private unwatch(op: T): void {
    const keys = this.keysOf.get(op);
    if (!keys) return;
    this.keysOf.delete(op);
    for (const k of keys) {
      const set = this.watchers.get(k);
      if (!set) continue;
      set.delete(op);
      if (set.size === 0) this.watchers.delete(k);
    }
  }
}
