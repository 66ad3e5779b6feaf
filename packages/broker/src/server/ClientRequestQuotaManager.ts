/**
 * ClientRequestQuotaManager: the request quota (KIP-124), as Kafka's
 * `kafka.server.ClientRequestQuotaManager`. `request_percentage` bounds the share of the
 * broker's time a client's requests may take, where 100 % is one thread busy for the
 * whole window (Kafka counts request handler and network threads; a kzoo broker is one
 * event loop, so 100 % is that whole loop: see network/RequestTimes.ts for what is
 * measured).
 *
 * A request's handler time is recorded, as a percentage (nanoseconds × 100 / 10⁹, so a
 * Rate per second of it is the busy share), when its response is sent; over the quota
 * the response carries the throttle time and the connection is muted for it, the
 * throttle being Kafka's (O − T) / T × W bounded by one quota window
 * (`quota.window.size.seconds`, Kafka's maxThrottleTimeMs). The network time of the
 * request (decode, encode, write) is recorded without a throttle once the response is
 * written, and weighs on the next requests. Requests only brokers send (cluster actions,
 * replica fetches) and acks=0 Produce are exempt: their time goes to the
 * `exempt-request-time` sensor only. Nothing is measured before a request quota is set.
 */
import { type Logger, SystemTime, type Time } from '@kzoo/common';
import type { RequestTimes } from '../network/RequestTimes';
import {
  ANONYMOUS_USER,
  ClientQuotaManager,
  type ClientQuotaManagerConfig,
} from './ClientQuotaManager';
import { Rate } from './Rate';

/** Kafka's ClientRequestQuotaManager.NanosToPercentagePerSecond. */
const NANOS_TO_PERCENTAGE_PER_SECOND = 100 / 1e9;

/** What the request quota reads of a request (Kafka's RequestChannel.Request). */
export interface QuotaRequest {
  readonly header: { readonly clientId: string | null };
  readonly times?: RequestTimes;
}

export class ClientRequestQuotaManager extends ClientQuotaManager {
  /** Kafka's maxThrottleTimeMs: one quota window. */
  private readonly maxThrottleTimeMs: number;
  /** Kafka's `exempt-request-time` sensor: a Rate on the default MetricConfig (2 × 30 s). */
  private readonly exemptSensor = new Rate({ numSamples: 2, windowMs: 30000 });

  constructor(config: ClientQuotaManagerConfig = {}, time: Time = SystemTime, logger?: Logger) {
    super('Request', config, time, logger);
    this.maxThrottleTimeMs = (config.quotaWindowSizeSeconds ?? 1) * 1000;
  }

  /**
   * Kafka's maybeRecordAndGetThrottleTimeMs(request): records the request's handler
   * time for its (user, client-id) and returns the throttle time (0 within the quota),
   * and has its network time recorded once its response is written. 0 and nothing
   * recorded without request quotas or request times.
   */
  maybeRecordRequestAndGetThrottleTimeMs(request: QuotaRequest, nowMs: number): number {
    const times = request.times;
    if (!this.quotasEnabled || times === undefined) return 0;
    const clientId = request.header.clientId ?? '';
    times.recordNetworkThreadTimeCallback = (nanos) =>
      this.recordNoThrottle(ANONYMOUS_USER, clientId, nanosToPercentage(nanos));
    return this.recordAndGetThrottleTimeMs(
      ANONYMOUS_USER,
      clientId,
      nanosToPercentage(times.requestThreadTimeNanos()),
      nowMs,
    );
  }

  /** Kafka's maybeRecordExempt: an exempt request's times count in exempt-request-time only. */
  maybeRecordExempt(request: QuotaRequest): void {
    const times = request.times;
    if (!this.quotasEnabled || times === undefined) return;
    times.recordNetworkThreadTimeCallback = (nanos) => this.recordExempt(nanosToPercentage(nanos));
    this.recordExempt(nanosToPercentage(times.requestThreadTimeNanos()));
  }

  /** Kafka's recordExempt. */
  recordExempt(value: number): void {
    this.exemptSensor.record(value, this.time.milliseconds());
  }

  /** The `exempt-request-time` the broker measures: the exempt requests' busy share, %. */
  exemptRequestTime(): number {
    return this.exemptSensor.measure(this.time.milliseconds());
  }

  /** Kafka's boundedThrottleTime: at most one quota window. */
  protected override throttleTime(observed: number, bound: number, windowMs: number): number {
    return Math.min(super.throttleTime(observed, bound, windowMs), this.maxThrottleTimeMs);
  }
}

function nanosToPercentage(nanos: number): number {
  return nanos * NANOS_TO_PERCENTAGE_PER_SECOND;
}
