/**
 * Kafka's `Rate` over a `SampledStat` windowed sum (org.apache.kafka.common.metrics.stats),
 * on the injected clock: `numSamples` samples of `windowMs` each; a record goes into the
 * current sample, which advances (reusing the oldest slot) once its window has passed;
 * samples older than the whole span (`numSamples × windowMs`) restart empty.
 *
 * The rate is the retained sum divided by the time since the oldest sample began, that
 * time being at least `numSamples − 1` whole windows (Kafka's Rate.windowSize: a client
 * quota is not judged on one busy second) and at least 1 ms; or, `simple`, at least one
 * window (Kafka's SimpleRate, which replication quotas use).
 */
export interface RateConfig {
  /** quota.window.num (Kafka: 11, ten whole windows and the current one). */
  numSamples: number;
  /** quota.window.size.seconds × 1000 (Kafka: 1 s). */
  windowMs: number;
  /** Kafka's SimpleRate: the span is at least one window, not numSamples − 1. */
  simple?: boolean;
}

interface Sample {
  windowStartMs: number;
  value: number;
}

export class Rate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(readonly config: RateConfig) {
    if (!(config.numSamples >= 1) || !(config.windowMs >= 1))
      throw new Error(
        `a rate needs at least one sample of at least 1 ms, got ${config.numSamples} × ${config.windowMs} ms`,
      );
  }

  /** Adds `value` at `nowMs` (Kafka's SampledStat.record; a negative value un-records). */
  record(value: number, nowMs: number): void {
    if (this.samples.length === 0) this.samples.push({ windowStartMs: nowMs, value: 0 });
    let s = this.samples[this.current]!;
    if (nowMs - s.windowStartMs >= this.config.windowMs) {
      this.current = (this.current + 1) % this.config.numSamples;
      const next = this.samples[this.current];
      if (!next) this.samples.push((s = { windowStartMs: nowMs, value: 0 }));
      else {
        s = next;
        s.windowStartMs = nowMs;
        s.value = 0;
      }
    }
    s.value += value;
  }

  /** The retained sum (Kafka's WindowedSum.measure). */
  total(nowMs: number): number {
    this.purgeObsoleteSamples(nowMs);
    let sum = 0;
    for (const s of this.samples) sum += s.value;
    return sum;
  }

  /** Kafka's Rate.windowSize: the span the rate divides by, in ms. */
  windowSizeMs(nowMs: number): number {
    this.purgeObsoleteSamples(nowMs);
    if (this.samples.length === 0) this.samples.push({ windowStartMs: nowMs, value: 0 });
    let oldest = Infinity;
    for (const s of this.samples) oldest = Math.min(oldest, s.windowStartMs);
    let elapsed = nowMs - oldest;
    if (this.config.simple) return Math.max(elapsed, this.config.windowMs);
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFullWindows = this.config.numSamples - 1;
    if (fullWindows < minFullWindows)
      elapsed += (minFullWindows - fullWindows) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  /** The rate per second at `nowMs` (Kafka's Rate.measure with TimeUnit.SECONDS). */
  measure(nowMs: number): number {
    const total = this.total(nowMs);
    return total / (this.windowSizeMs(nowMs) / 1000);
  }

  /** Samples older than the whole span restart empty (Kafka's purgeObsoleteSamples). */
  private purgeObsoleteSamples(nowMs: number): void {
    const expireAge = this.config.numSamples * this.config.windowMs;
    for (const s of this.samples)
      if (nowMs - s.windowStartMs >= expireAge) {
        s.windowStartMs = nowMs;
        s.value = 0;
      }
  }
}
