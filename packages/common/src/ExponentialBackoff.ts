/**
 * ExponentialBackoff (Kafka's `org.apache.kafka.common.utils.ExponentialBackoff`): the
 * wait after `attempts` failures is `initial × multiplier^attempts`, the exponent capped so
 * the product never passes `max`, times a random factor in [1 − jitter, 1 + jitter), and
 * never above `max` after the jitter either. A `max` at or below `initial` gives a constant
 * `max` without jitter. Clients use it for `reconnect.backoff.ms` / `reconnect.backoff.max.ms`
 * and `socket.connection.setup.timeout.ms` / `.max.ms`. The random source is injectable so
 * unit tests can pin the jitter.
 */
export class ExponentialBackoff {
  private readonly initialMs: number;
  private readonly expMax: number;

  constructor(
    initialMs: number,
    private readonly multiplier: number,
    private readonly maxMs: number,
    private readonly jitter: number,
    /** Uniform in [0, 1), as Math.random. */
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = Math.min(maxMs, initialMs);
    this.expMax =
      maxMs > this.initialMs
        ? Math.log(maxMs / Math.max(this.initialMs, 1)) / Math.log(multiplier)
        : 0;
  }

  /** The wait, in whole milliseconds, after `attempts` failures (0 for the first wait). */
  backoff(attempts: number): number {
    if (this.expMax === 0) return this.initialMs;
    const term = this.initialMs * Math.pow(this.multiplier, Math.min(attempts, this.expMax));
    const factor = this.jitter > 0 ? 1 - this.jitter + 2 * this.jitter * this.random() : 1;
    return Math.min(Math.floor(factor * term), this.maxMs);
  }
}
