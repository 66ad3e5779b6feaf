/**
 * ClientQuotaManager: client quotas (KIP-13 byte rates, KIP-55 users and `<default>`s),
 * as Kafka's `kafka.server.ClientQuotaManager` with its DefaultQuotaCallback, and the
 * ClientIdConfigHandler / UserConfigHandler that feed it (the DynamicConfigManager's
 * handlers of `clients` and `users`, through QuotaFactory's ClientQuotas; a leaf module
 * at runtime, so config.ts can take its keys).
 *
 * One manager per quota type: `Produce` (bytes produced, `producer_byte_rate`), `Fetch`
 * (bytes fetched by consumers, `consumer_byte_rate`) and `Request` (the share of the
 * event loop a client's requests take, `request_percentage`: ClientRequestQuotaManager,
 * KIP-124). A quota is set on an entity; the entity that applies to a connection's
 * (user, client-id) is the first of, in Kafka's order:
 *
 *   /config/users/<user>/clients/<client-id>
 *   /config/users/<user>/clients/<default>
 *   /config/users/<user>
 *   /config/users/<default>/clients/<client-id>
 *   /config/users/<default>/clients/<default>
 *   /config/users/<default>
 *   /config/clients/<client-id>
 *   /config/clients/<default>
 *
 * Usage is measured per metric tags {user, client-id} (Kafka's quotaMetricTags: the tags
 * of the entity level in force, so every client sharing a `<default>` or a user quota
 * keeps its own sensor but all clients of one user quota share one), as a Kafka `Rate`
 * over `quota.window.num` (11) samples of `quota.window.size.seconds` (1 s).
 *
 * `recordAndGetThrottleTimeMs` records the value, then, if the measured rate O is above
 * the bound T, returns Kafka's throttle time X = (O − T) / T × W (W the rate's window):
 * the delay that brings the rate back to the bound if nothing more were recorded. The
 * caller answers at once with that throttle time and stops reading the connection for it
 * (KIP-219); `throttle()` records it in the throttle-time sensor. Sensors idle for an
 * hour are dropped (Kafka's InactiveSensorExpirationTimeSeconds).
 *
 * kzoo's listeners are PLAINTEXT without SASL, so every connection's principal is
 * Kafka's `User:ANONYMOUS`: user quotas apply through `ANONYMOUS` or `<default>`.
 */
import {
  LONG_MAX,
  Range,
  SystemTime,
  createLogger,
  type ConfigKey,
  type Logger,
  type Time,
} from '@kzoo/common';
import { ConfigEntityName } from '@kzoo/zk';
import type { ClientQuotas } from './QuotaFactory';
import { Rate } from './Rate';

/** The principal of a PLAINTEXT connection (Kafka's KafkaPrincipal.ANONYMOUS). */
export const ANONYMOUS_USER = 'ANONYMOUS';

/** Kafka's ClientQuotaManager.InactiveSensorExpirationTimeSeconds. */
export const INACTIVE_SENSOR_EXPIRATION_MS = 3600 * 1000;

/** The broker keys of client quotas (Kafka's KafkaConfig quota.window.*). */
export const CLIENT_QUOTA_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'quota.window.num',
    type: 'INT',
    default: 11,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'The number of samples to retain in memory for client quotas.',
  },
  {
    name: 'quota.window.size.seconds',
    type: 'INT',
    default: 1,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'The time span of each sample for client quotas.',
  },
];

export interface ClientQuotaManagerConfig {
  /** quota.window.num (Kafka: 11, ten whole windows and the current one). */
  numQuotaSamples?: number;
  /** quota.window.size.seconds (Kafka: 1). */
  quotaWindowSizeSeconds?: number;
}

/** Kafka's QuotaType of the client quotas. */
export type ClientQuotaType = 'Produce' | 'Fetch' | 'Request';

/** Kafka's QuotaTypes bit set: which entity levels have quotas. */
const QuotaTypes = { NoQuotas: 0, ClientId: 1, User: 2, UserClientId: 4 } as const;

/** The tags a client's usage is measured under (sanitized user, client id; '' = any). */
export interface QuotaMetricTags {
  user: string;
  clientId: string;
}

/** The per-tags sensors: the quota's byte (or request) rate and the throttle-time average. */
export interface ClientSensors {
  tags: QuotaMetricTags;
  rate: Rate;
  throttleTimeSum: Rate;
  throttleTimeCount: Rate;
  lastRecordMs: number;
}

/**
 * An entity key: (sanitized user | `<default>` | null, client id | `<default>` | null),
 * null meaning the level has no component of that type.
 */
function entityKey(user: string | null, clientId: string | null): string {
  return JSON.stringify([user, clientId]);
}

export class ClientQuotaManager {
  private readonly overriddenQuotas = new Map<string, number>();
  private quotaTypesEnabled: number = QuotaTypes.NoQuotas;
  private readonly sensors = new Map<string, ClientSensors>();
  private readonly numSamples: number;
  private readonly windowMs: number;
  /**
   * Set at construction to the clock's time, not 0: a wall-clock time is a double to V8,
   * and a field that starts as a small integer and later holds a double changes the
   * object's hidden class, which threw away the optimized request path of every broker
   * at the first sweep, under load (rf3-probe with --trace-migration).
   */
  private lastSweepMs: number;
  private readonly log: Logger;

  constructor(
    readonly quotaType: ClientQuotaType,
    config: ClientQuotaManagerConfig = {},
    protected readonly time: Time = SystemTime,
    logger?: Logger,
  ) {
    this.numSamples = config.numQuotaSamples ?? 11;
    this.windowMs = (config.quotaWindowSizeSeconds ?? 1) * 1000;
    if (!(this.numSamples >= 1) || !(this.windowMs >= 1000))
      throw new Error(
        `client quotas need at least one sample of at least one second, got ${this.numSamples} × ${this.windowMs} ms`,
      );
    this.log = logger ?? createLogger('client.quota', { quotaType });
    this.lastSweepMs = time.milliseconds();
  }

  /** Whether any quota of this type was ever set (Kafka measures nothing before that). */
  get quotasEnabled(): boolean {
    return this.quotaTypesEnabled !== QuotaTypes.NoQuotas;
  }

  /** recordAndGetThrottleTimeMs when quotas are enabled, else 0 and nothing recorded. */
  maybeRecordAndGetThrottleTimeMs(
    sanitizedUser: string,
    clientId: string,
    value: number,
    nowMs = this.time.milliseconds(),
  ): number {
    return this.quotasEnabled
      ? this.recordAndGetThrottleTimeMs(sanitizedUser, clientId, value, nowMs)
      : 0;
  }

  /**
   * Records `value` for the (user, client-id) and returns the throttle time in ms: 0
   * within the quota, else (O − T) / T × W rounded (Kafka's QuotaUtils.throttleTime).
   */
  recordAndGetThrottleTimeMs(
    sanitizedUser: string,
    clientId: string,
    value: number,
    nowMs = this.time.milliseconds(),
  ): number {
    const s = this.getOrCreateQuotaSensors(sanitizedUser, clientId, nowMs);
    s.rate.record(value, nowMs);
    const bound = this.quotaLimit(s.tags);
    if (bound === null) return 0;
    const observed = s.rate.measure(nowMs);
    if (observed <= bound) return 0;
    const throttleTimeMs = this.throttleTime(observed, bound, s.rate.windowSizeMs(nowMs));
    this.log.debug('quota violated', {
      user: s.tags.user,
      clientId: s.tags.clientId,
      rate: Math.round(observed),
      bound,
      throttleTimeMs,
    });
    return throttleTimeMs;
  }

  /**
   * Kafka's QuotaUtils.throttleTime: the delay X that brings the observed rate O back to
   * the bound T over the rate's window W if nothing more were recorded, O × W / (W + X) = T,
   * so X = (O − T) / T × W, rounded. The request quota bounds it (ClientRequestQuotaManager).
   */
  protected throttleTime(observed: number, bound: number, windowMs: number): number {
    return Math.round(((observed - bound) / bound) * windowMs);
  }

  /** Records without checking the quota (Kafka's recordNoThrottle). */
  recordNoThrottle(sanitizedUser: string, clientId: string, value: number): void {
    const now = this.time.milliseconds();
    this.getOrCreateQuotaSensors(sanitizedUser, clientId, now).rate.record(value, now);
  }

  /**
   * Takes back a recorded value (Kafka's unrecordQuotaSensor): a throttled fetch answers
   * with no data, so its bytes must not count.
   */
  unrecordQuotaSensor(
    sanitizedUser: string,
    clientId: string,
    value: number,
    nowMs = this.time.milliseconds(),
  ): void {
    this.getOrCreateQuotaSensors(sanitizedUser, clientId, nowMs).rate.record(-value, nowMs);
  }

  /**
   * The most one request may bring without being throttled for sure (Kafka's
   * getMaxValueInQuotaWindow: bound × (samples − 1) × window); Infinity without a quota.
   */
  getMaxValueInQuotaWindow(sanitizedUser: string, clientId: string): number {
    if (!this.quotasEnabled) return Infinity;
    const bound = this.quotaLimit(this.quotaMetricTags(sanitizedUser, clientId));
    return bound === null ? Infinity : bound * (this.numSamples - 1) * (this.windowMs / 1000);
  }

  /**
   * Records a throttle the caller applies (muting the connection for `throttleTimeMs`)
   * in the throttle-time sensor (Kafka's throttle(), whose channel muting the network
   * layer does here).
   */
  throttle(sanitizedUser: string, clientId: string, throttleTimeMs: number): void {
    if (throttleTimeMs <= 0) return;
    const now = this.time.milliseconds();
    const s = this.getOrCreateQuotaSensors(sanitizedUser, clientId, now);
    s.throttleTimeSum.record(throttleTimeMs, now);
    s.throttleTimeCount.record(1, now);
  }

  /** The bound that applies to (user, client-id), bytes/s; LONG_MAX when none (Kafka's quota()). */
  quota(sanitizedUser: string, clientId: string): number {
    return this.quotaLimit(this.quotaMetricTags(sanitizedUser, clientId)) ?? LONG_MAX;
  }

  /**
   * Sets (`bound` a number) or removes (`null`) the quota of one entity: `sanitizedUser`
   * and `clientId` are a name, `<default>`, or null for a level without that component
   * (Kafka's updateQuota; the client id here is already desanitized).
   */
  updateQuota(sanitizedUser: string | null, clientId: string | null, bound: number | null): void {
    if (sanitizedUser === null && clientId === null)
      throw new Error('a quota entity names a user, a client id or both');
    if (sanitizedUser !== null)
      this.quotaTypesEnabled |= clientId !== null ? QuotaTypes.UserClientId : QuotaTypes.User;
    else this.quotaTypesEnabled |= QuotaTypes.ClientId;
    const key = entityKey(sanitizedUser, clientId);
    const what = describeEntity(sanitizedUser, clientId);
    if (bound === null) {
      if (this.overriddenQuotas.delete(key))
        this.log.info(`Removing ${this.quotaType} quota for ${what}`);
    } else if (this.overriddenQuotas.get(key) !== bound) {
      this.overriddenQuotas.set(key, bound);
      this.log.info(`Changing ${this.quotaType} quota for ${what} to ${bound}`);
    }
  }

  /** The quota of exactly this entity, if one is set. */
  entityQuota(sanitizedUser: string | null, clientId: string | null): number | undefined {
    return this.overriddenQuotas.get(entityKey(sanitizedUser, clientId));
  }

  /**
   * Kafka's DefaultQuotaCallback.quotaMetricTags: the tags of the entity level in force
   * for this (user, client-id).
   */
  quotaMetricTags(sanitizedUser: string, clientId: string): QuotaMetricTags {
    switch (this.quotaTypesEnabled) {
      case QuotaTypes.NoQuotas:
      case QuotaTypes.ClientId:
        return { user: '', clientId };
      case QuotaTypes.User:
        return { user: sanitizedUser, clientId: '' };
      case QuotaTypes.UserClientId:
        return { user: sanitizedUser, clientId };
    }
    const has = (u: string | null, c: string | null) => this.overriddenQuotas.has(entityKey(u, c));
    const D = ConfigEntityName.Default;
    if (has(sanitizedUser, clientId) || has(sanitizedUser, D))
      return { user: sanitizedUser, clientId };
    if (has(sanitizedUser, null)) return { user: sanitizedUser, clientId: '' };
    if (has(D, clientId) || has(D, D)) return { user: sanitizedUser, clientId };
    if (has(D, null)) return { user: sanitizedUser, clientId: '' };
    return { user: '', clientId };
  }

  /** Kafka's DefaultQuotaCallback.quotaLimit: the bound for these tags, null for none. */
  quotaLimit(tags: QuotaMetricTags): number | null {
    const { user, clientId } = tags;
    const get = (u: string | null, c: string | null) => this.overriddenQuotas.get(entityKey(u, c));
    const D = ConfigEntityName.Default;
    let q: number | undefined;
    if (user !== '' && clientId !== '')
      q = get(user, clientId) ?? get(user, D) ?? get(D, clientId) ?? get(D, D);
    else if (user !== '') q = get(user, null) ?? get(D, null);
    else if (clientId !== '') q = get(null, clientId) ?? get(null, D);
    return q ?? null;
  }

  /** Every live sensor: its tags, measured rate and average throttle time (for metrics). */
  sensorValues(): Array<{ tags: QuotaMetricTags; rate: number; throttleTimeMs: number }> {
    const now = this.time.milliseconds();
    this.expireSensors(now);
    return [...this.sensors.values()].map((s) => {
      const n = s.throttleTimeCount.total(now);
      return {
        tags: s.tags,
        rate: s.rate.measure(now),
        throttleTimeMs: n > 0 ? s.throttleTimeSum.total(now) / n : 0,
      };
    });
  }

  private getOrCreateQuotaSensors(
    sanitizedUser: string,
    clientId: string,
    nowMs: number,
  ): ClientSensors {
    const tags = this.quotaMetricTags(sanitizedUser, clientId);
    const key = `${tags.user}:${tags.clientId}`;
    let s = this.sensors.get(key);
    if (!s) {
      this.expireSensors(nowMs);
      // Kafka's throttle-time sensor is an Avg on the default MetricConfig (2 × 30 s).
      const avgConfig = { numSamples: 2, windowMs: 30000 };
      s = {
        tags,
        rate: new Rate({ numSamples: this.numSamples, windowMs: this.windowMs }),
        throttleTimeSum: new Rate(avgConfig),
        throttleTimeCount: new Rate(avgConfig),
        lastRecordMs: nowMs,
      };
      this.sensors.set(key, s);
    }
    s.lastRecordMs = nowMs;
    return s;
  }

  private expireSensors(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60000) return;
    this.lastSweepMs = nowMs;
    for (const [k, s] of this.sensors)
      if (nowMs - s.lastRecordMs >= INACTIVE_SENSOR_EXPIRATION_MS) this.sensors.delete(k);
  }
}

/** How log lines name a quota entity (`user ANONYMOUS, default client-id`). */
export function describeEntity(user: string | null, clientId: string | null): string {
  const u =
    user === null ? '' : user === ConfigEntityName.Default ? 'default user' : `user ${user}`;
  const c =
    clientId === null
      ? ''
      : clientId === ConfigEntityName.Default
        ? 'default client-id'
        : `client-id ${clientId}`;
  return [u, c].filter(Boolean).join(', ');
}

/** Kafka's ClientIdConfigHandler: `/config/clients/<sanitized client-id | <default>>`. */
export class ClientIdConfigHandler {
  constructor(private readonly quotas: ClientQuotas) {}

  processConfigChanges(sanitizedClientId: string, config: Record<string, string>): void {
    this.quotas.updateQuotaConfig(null, sanitizedClientId, config);
  }
}

/**
 * Kafka's UserConfigHandler: `/config/users/<sanitized user | <default>>` and
 * `/config/users/<user>/clients/<client-id>`.
 */
export class UserConfigHandler {
  constructor(private readonly quotas: ClientQuotas) {}

  processConfigChanges(quotaEntityPath: string, config: Record<string, string>): void {
    const parts = quotaEntityPath.split('/');
    if (parts.length !== 1 && !(parts.length === 3 && parts[1] === 'clients'))
      throw new Error(`Invalid quota entity path: ${quotaEntityPath}`);
    this.quotas.updateQuotaConfig(parts[0]!, parts.length === 3 ? parts[2]! : null, config);
  }
}
