/**
 * Injected time (Kafka's `Time` / `MockTime`): code that waits or measures takes a
 * `Time`, so unit tests run on a mock clock instead of sleeping.
 */
export interface Time {
  /** Wall-clock milliseconds since the epoch. */
  milliseconds(): number;
  /** Monotonic nanoseconds (bigint), for measuring durations. */
  nanoseconds(): bigint;
  sleep(ms: number): Promise<void>;
}

export const SystemTime: Time = {
  milliseconds: () => Date.now(),
  nanoseconds: () => process.hrtime.bigint(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when `tick()` is called; sleepers wake in deadline order. */
export class MockTime implements Time {
  private nowMs: number;
  private sleepers: Array<{ at: number; resolve: () => void }> = [];

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
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.nowMs + Math.max(0, ms), resolve });
      this.sleepers.sort((a, b) => a.at - b.at);
    });
  }

  tick(ms: number): void {
    this.nowMs += ms;
    while (this.sleepers.length > 0 && this.sleepers[0].at <= this.nowMs) {
      this.sleepers.shift()!.resolve();
    }
  }
}
