/**
 * Kafka's DelayedOperation + DelayedOperationPurgatory, reduced to what an event loop
 * needs: an operation is tried at once; if it cannot complete it is watched under
 * keys (`topic-partition`), re-tried when something happens to one of those keys
 * (`checkAndComplete`), and expires after its timeout (one timer per operation, no
 * polling). `onComplete` runs exactly once, whether it completed or expired.
 */

export abstract class DelayedOperation {
  private completed = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Checks whether the operation can complete now; if so calls `forceComplete()` and returns true. */
  abstract tryComplete(): boolean;

  /** Produces the result (called once, on completion or expiry). */
  protected abstract onComplete(): void;

  /** Called once before `onComplete` when the timeout fired. */
  protected onExpiration(): void {}

  /** Completes the operation if nobody has; returns true when this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onComplete();
    return true;
  }

  /** @internal */
  startTimer(onExpire: () => void): void {
    if (this.completed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.completed) return;
      this.onExpiration();
      this.forceComplete();
      onExpire();
    }, this.delayMs);
  }
}

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();
  private readonly keysOf = new Map<T, string[]>();

  constructor(readonly name: string) {}

  /** Operations currently watched. */
  get delayed(): number {
    return this.keysOf.size;
  }

  /**
   * Tries `op`; if it cannot complete now it is watched under `keys` until an event on one
   * of them completes it or it expires. Returns true when it completed at once.
   */
  tryCompleteElseWatch(op: T, keys: string[]): boolean {
    if (op.tryComplete()) return true;
    if (op.isCompleted) return true;
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) this.watchers.set(k, (set = new Set()));
      set.add(op);
    }
    this.keysOf.set(op, keys);
    op.startTimer(() => this.unwatch(op));
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

  /** Completes every watched operation now (shutdown: answer what is in flight). */
  completeAll(): void {
    for (const op of [...this.keysOf.keys()]) {
      op.forceComplete();
      this.unwatch(op);
    }
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
