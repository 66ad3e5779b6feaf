/**
 * The broker's group settings (Kafka's GroupConfig) with Kafka's key names and
 * defaults; `groupConfigFromProperties` reads them from the broker's supplied keys.
 */

/** The broker's group settings, with Kafka's defaults. */
export interface GroupConfig {
  /** `group.min.session.timeout.ms` (6000). */
  groupMinSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms` (1800000). */
  groupMaxSessionTimeoutMs: number;
  /** `group.initial.rebalance.delay.ms` (3000). */
  groupInitialRebalanceDelayMs: number;
  /** `group.max.size` (Int.MAX). */
  groupMaxSize: number;
}

export const GROUP_CONFIG_DEFAULTS: Readonly<GroupConfig> = Object.freeze({
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1800000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2147483647,
});

/** The Kafka keys of GroupConfig. */
export const GROUP_CONFIG_KEYS: Readonly<Record<keyof GroupConfig, string>> = Object.freeze({
  groupMinSessionTimeoutMs: 'group.min.session.timeout.ms',
  groupMaxSessionTimeoutMs: 'group.max.session.timeout.ms',
  groupInitialRebalanceDelayMs: 'group.initial.rebalance.delay.ms',
  groupMaxSize: 'group.max.size',
});

/** GroupConfig from Kafka-keyed properties (unknown keys ignored; bad values throw). */
export function groupConfigFromProperties(
  props: Readonly<Record<string, string | number | undefined>>,
): GroupConfig {
  const out: GroupConfig = { ...GROUP_CONFIG_DEFAULTS };
  for (const [field, key] of Object.entries(GROUP_CONFIG_KEYS) as [keyof GroupConfig, string][]) {
    const raw = props[key];
    if (raw === undefined) continue;
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`${key} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    }
    out[field] = n;
  }
  if (out.groupMinSessionTimeoutMs > out.groupMaxSessionTimeoutMs) {
    throw new RangeError(
      `group.min.session.timeout.ms (${out.groupMinSessionTimeoutMs}) exceeds group.max.session.timeout.ms (${out.groupMaxSessionTimeoutMs})`,
    );
  }
  return out;
}
