/**
 * The broker's group settings (Kafka's GroupCoordinatorConfig, classic protocol). The
 * `group.*` keys are broker keys: GROUP_CONFIG_KEYS are part of KafkaConfig's definition,
 * so a bad value fails when the KafkaConfig is built (INVALID_CONFIG), and
 * `groupConfigFrom(config)` only reads the parsed values.
 */
import { Range, type ConfigKey } from '@kzoo/common';

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

/**
 * Kafka's group keys (names, types, defaults, importance). Kafka has no validator on the
 * three timeouts; kzoo refuses negative ones. KafkaConfig also checks min <= max.
 */
export const GROUP_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'group.min.session.timeout.ms',
    type: 'INT',
    default: 6000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Shortest session timeout a member may ask for (shorter: INVALID_SESSION_TIMEOUT).',
  },
  {
    name: 'group.max.session.timeout.ms',
    type: 'INT',
    default: 1800000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'Longest session timeout a member may ask for (longer: INVALID_SESSION_TIMEOUT).',
  },
  {
    name: 'group.initial.rebalance.delay.ms',
    type: 'INT',
    default: 3000,
    validator: Range.atLeast(0),
    importance: 'MEDIUM',
    doc: 'How long the first rebalance of an empty group waits for more members to join.',
  },
  {
    name: 'group.max.size',
    type: 'INT',
    default: 2147483647,
    validator: Range.atLeast(1),
    importance: 'MEDIUM',
    doc: 'Most members a group may have (more: GROUP_MAX_SIZE_REACHED).',
  },
];

/** The field each key fills. */
const FIELDS: Readonly<Record<string, keyof GroupConfig>> = {
  'group.min.session.timeout.ms': 'groupMinSessionTimeoutMs',
  'group.max.session.timeout.ms': 'groupMaxSessionTimeoutMs',
  'group.initial.rebalance.delay.ms': 'groupInitialRebalanceDelayMs',
  'group.max.size': 'groupMaxSize',
};

export const GROUP_CONFIG_DEFAULTS: Readonly<GroupConfig> = Object.freeze(
  Object.fromEntries(
    GROUP_CONFIG_KEYS.map((k) => [FIELDS[k.name], k.default as number]),
  ) as unknown as GroupConfig,
);

/** GroupConfig from a parsed broker config (a KafkaConfig). */
export function groupConfigFrom(config: { getInt(name: string): number }): GroupConfig {
  return Object.fromEntries(
    GROUP_CONFIG_KEYS.map((k) => [FIELDS[k.name], config.getInt(k.name)]),
  ) as unknown as GroupConfig;
}
