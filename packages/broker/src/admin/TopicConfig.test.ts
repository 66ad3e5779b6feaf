import { KafkaError } from '@kzoo/common';
import { TOPIC_CONFIG_DEF } from '@kzoo/log';
import {
  AlterConfigOpType as Op,
  TOPIC_BROKER_SYNONYMS,
  TOPIC_CONFIG_KEYS,
  prepareIncrementalConfigs,
  preprocessAlterResources,
  validateTopicConfig,
} from './TopicConfig';

const detail = (e: KafkaError) => e.message.slice(e.errorName.length + 2);

function errorOf(fn: () => unknown): KafkaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KafkaError) return e;
    throw e;
  }
  throw new Error('expected a KafkaError');
}

describe('broker > admin > TopicConfig', () => {
  it("has broker synonyms for exactly TOPIC_CONFIG_DEF's keys", () => {
    expect(Object.keys(TOPIC_BROKER_SYNONYMS).sort()).toEqual(TOPIC_CONFIG_DEF.names().sort());
    expect(TOPIC_CONFIG_KEYS.every((k) => k !== undefined)).toBe(true);
  });

  describe('validateTopicConfig', () => {
    it('accepts known keys with good values', () => {
      expect(() =>
        validateTopicConfig({
          'retention.ms': '86400000',
          'min.insync.replicas': '2',
          'unclean.leader.election.enable': 'TRUE',
          'cleanup.policy': 'compact,delete',
          'min.cleanable.dirty.ratio': '0.1',
          'compression.type': 'lz4',
          'leader.replication.throttled.replicas': '0:1,1:2',
        }),
      ).not.toThrow();
    });

    it('names an unknown key', () => {
      const e = errorOf(() => validateTopicConfig({ 'retention.msx': '1' }));
      expect(e.errorName).toBe('INVALID_CONFIG');
      expect(detail(e)).toBe('Unknown topic config name: retention.msx');
    });

    it.each([
      [
        'retention.ms',
        'abc',
        'Invalid value abc for configuration retention.ms: Not a number of type LONG',
      ],
      [
        'retention.ms',
        '-2',
        'Invalid value -2 for configuration retention.ms: Value must be at least -1',
      ],
      [
        'min.insync.replicas',
        '0',
        'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
      ],
      [
        'segment.bytes',
        '3000000000',
        'Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT',
      ],
      [
        'unclean.leader.election.enable',
        'yes',
        'Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false',
      ],
      [
        'cleanup.policy',
        'delete,shred',
        'Invalid value delete,shred for configuration cleanup.policy: [delete, shred] must be a subset of [delete, compact]',
      ],
      [
        'compression.type',
        'brotli',
        'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
      ],
      [
        'min.cleanable.dirty.ratio',
        'x',
        'Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE',
      ],
    ])('%s=%s is INVALID_CONFIG with the reason', (k, v, msg) => {
      const e = errorOf(() => validateTopicConfig({ [k]: v }));
      expect(e.errorName).toBe('INVALID_CONFIG');
      expect(detail(e)).toBe(msg);
    });

    it("runs the log's own checks too", () => {
      const e = errorOf(() => validateTopicConfig({ 'min.cleanable.dirty.ratio': '1.5' }));
      expect(e.errorName).toBe('INVALID_CONFIG');
      expect(e.message).toMatch(/min.cleanable.dirty.ratio/);
    });

    it('refuses a malformed throttled replica list', () => {
      const e = errorOf(() =>
        validateTopicConfig({ 'leader.replication.throttled.replicas': 'x' }),
      );
      expect(detail(e)).toBe(
        "Invalid value x for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
      );
      expect(() =>
        validateTopicConfig({ 'follower.replication.throttled.replicas': '*' }),
      ).not.toThrow();
    });
  });

  describe('prepareIncrementalConfigs', () => {
    const current = { 'retention.ms': '1000', 'cleanup.policy': 'delete' };

    it('SET replaces, DELETE removes, without touching the input', () => {
      const out = prepareIncrementalConfigs(
        [
          { name: 'retention.ms', configOperation: Op.SET, value: '2000' },
          { name: 'min.insync.replicas', configOperation: Op.SET, value: '2' },
          { name: 'cleanup.policy', configOperation: Op.DELETE, value: null },
        ],
        current,
      );
      expect(out).toEqual({ 'retention.ms': '2000', 'min.insync.replicas': '2' });
      expect(current).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'delete' });
    });

    it('APPEND adds missing items, SUBTRACT removes, starting from the default list', () => {
      expect(
        prepareIncrementalConfigs(
          [{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact,delete' }],
          current,
        ),
      ).toMatchObject({ 'cleanup.policy': 'delete,compact' });
      expect(
        prepareIncrementalConfigs(
          [{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' }],
          {},
          { 'cleanup.policy': 'delete' },
        ),
      ).toEqual({ 'cleanup.policy': 'delete,compact' });
      expect(
        prepareIncrementalConfigs(
          [{ name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' }],
          { 'cleanup.policy': 'delete,compact' },
        ),
      ).toEqual({ 'cleanup.policy': 'compact' });
    });

    it('refuses APPEND/SUBTRACT on non-list keys, unknown keys, null values and unknown ops', () => {
      const e1 = errorOf(() =>
        prepareIncrementalConfigs(
          [{ name: 'retention.ms', configOperation: Op.APPEND, value: '1' }],
          {},
        ),
      );
      expect([e1.errorName, detail(e1)]).toEqual([
        'INVALID_CONFIG',
        'Config value append is not allowed for config key: retention.ms',
      ]);
      const e2 = errorOf(() =>
        prepareIncrementalConfigs(
          [{ name: 'min.insync.replicas', configOperation: Op.SUBTRACT, value: '1' }],
          {},
        ),
      );
      expect(detail(e2)).toBe(
        'Config value subtract is not allowed for config key: min.insync.replicas',
      );
      const e3 = errorOf(() =>
        prepareIncrementalConfigs([{ name: 'nope', configOperation: Op.DELETE, value: null }], {}),
      );
      expect([e3.errorName, detail(e3)]).toEqual([
        'INVALID_CONFIG',
        'Unknown topic config name: nope',
      ]);
      const e4 = errorOf(() =>
        prepareIncrementalConfigs(
          [{ name: 'retention.ms', configOperation: Op.SET, value: null }],
          {},
        ),
      );
      expect(e4.errorName).toBe('INVALID_REQUEST');
      const e5 = errorOf(() =>
        prepareIncrementalConfigs([{ name: 'retention.ms', configOperation: 7, value: '1' }], {}),
      );
      expect([e5.errorName, detail(e5)]).toEqual([
        'INVALID_REQUEST',
        'Unknown operations type 7 for config retention.ms',
      ]);
    });
  });

  describe('preprocessAlterResources', () => {
    it('refuses resources named twice, keys named twice and null values', () => {
      const errors = preprocessAlterResources([
        { resourceType: 2, resourceName: 'a', configs: [] },
        {
          resourceType: 2,
          resourceName: 'b',
          configs: [
            { name: 'x', value: '1' },
            { name: 'x', value: '2' },
          ],
        },
        { resourceType: 2, resourceName: 'a', configs: [] },
        {
          resourceType: 2,
          resourceName: 'c',
          configs: [
            { name: 'x', value: null },
            { name: 'y', value: null },
          ],
        },
        {
          resourceType: 2,
          resourceName: 'd',
          configs: [{ name: 'x', value: null, configOperation: Op.DELETE }],
        },
        { resourceType: 4, resourceName: 'b', configs: [] },
      ]);
      expect([...errors.entries()].map(([i, e]) => [i, e.errorName, detail(e)]).sort()).toEqual([
        [0, 'INVALID_REQUEST', 'Each resource must appear at most once.'],
        [1, 'INVALID_REQUEST', 'Error due to duplicate config keys'],
        [2, 'INVALID_REQUEST', 'Each resource must appear at most once.'],
        [3, 'INVALID_REQUEST', 'Null value not supported for : x, y'],
      ]);
    });
  });
});
