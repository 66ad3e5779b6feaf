/**
 * The broker's transaction settings (Kafka's TransactionStateManagerConfig and
 * TransactionLogConfig), with Kafka's names and defaults. Like the group keys, they are
 * part of KafkaConfig's definition (a bad value fails when the KafkaConfig is built);
 * `transactionConfigFrom(config)` reads the parsed values.
 */
import { Range, type ConfigKey } from '@kzoo/common';

export interface TransactionConfig {
  /** `transaction.state.log.num.partitions` (50). */
  transactionLogNumPartitions: number;
  /** `transaction.state.log.replication.factor` (3). */
  transactionLogReplicationFactor: number;
  /** `transaction.state.log.min.isr` (2). */
  transactionLogMinIsr: number;
  /** `transaction.state.log.segment.bytes` (104857600). */
  transactionLogSegmentBytes: number;
  /** `transaction.max.timeout.ms` (900000). */
  transactionMaxTimeoutMs: number;
  /** `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10000). */
  abortTimedOutTransactionsIntervalMs: number;
  /** `transactional.id.expiration.ms` (604800000, 7 days). */
  transactionalIdExpirationMs: number;
  /** `transaction.remove.expired.transaction.cleanup.interval.ms` (3600000). */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export const TRANSACTION_CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'transaction.state.log.num.partitions',
    type: 'INT',
    default: 50,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Partitions of the __transaction_state topic (fixed once it is created).',
  },
  {
    name: 'transaction.state.log.replication.factor',
    type: 'INT',
    default: 3,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Replication factor of __transaction_state; it is created on first use once this many brokers are alive.',
  },
  {
    name: 'transaction.state.log.min.isr',
    type: 'INT',
    default: 2,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'min.insync.replicas of __transaction_state.',
  },
  {
    name: 'transaction.state.log.segment.bytes',
    type: 'INT',
    default: 104857600,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'segment.bytes of __transaction_state.',
  },
  {
    name: 'transaction.max.timeout.ms',
    type: 'INT',
    default: 900000,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'Longest transaction.timeout.ms a producer may ask for (longer: INVALID_TRANSACTION_TIMEOUT).',
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    type: 'INT',
    default: 10000,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'How often the coordinator aborts transactions open longer than their timeout.',
  },
  {
    name: 'transactional.id.expiration.ms',
    type: 'INT',
    default: 604800000,
    validator: Range.atLeast(1),
    importance: 'HIGH',
    doc: 'A transactional id with no transaction (Empty, CompleteCommit, CompleteAbort) and no update for this long is removed (Dead: a tombstone in __transaction_state).',
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    type: 'INT',
    default: 3600000,
    validator: Range.atLeast(1),
    importance: 'LOW',
    doc: 'How often the coordinator removes expired transactional ids.',
  },
];

const FIELDS: Readonly<Record<string, keyof TransactionConfig>> = {
  'transaction.state.log.num.partitions': 'transactionLogNumPartitions',
  'transaction.state.log.replication.factor': 'transactionLogReplicationFactor',
  'transaction.state.log.min.isr': 'transactionLogMinIsr',
  'transaction.state.log.segment.bytes': 'transactionLogSegmentBytes',
  'transaction.max.timeout.ms': 'transactionMaxTimeoutMs',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms':
    'abortTimedOutTransactionsIntervalMs',
  'transactional.id.expiration.ms': 'transactionalIdExpirationMs',
  'transaction.remove.expired.transaction.cleanup.interval.ms':
    'removeExpiredTransactionalIdsIntervalMs',
};

export const TRANSACTION_CONFIG_DEFAULTS: Readonly<TransactionConfig> = Object.freeze(
  Object.fromEntries(
    TRANSACTION_CONFIG_KEYS.map((k) => [FIELDS[k.name], k.default as number]),
  ) as unknown as TransactionConfig,
);

export function transactionConfigFrom(config: { getInt(name: string): number }): TransactionConfig {
  return Object.fromEntries(
    TRANSACTION_CONFIG_KEYS.map((k) => [FIELDS[k.name], config.getInt(k.name)]),
  ) as unknown as TransactionConfig;
}
