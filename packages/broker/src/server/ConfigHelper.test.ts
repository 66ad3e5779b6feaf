import { TOPIC_CONFIG_DEF } from '@kzoo/log';
import { KafkaConfig } from '../config';
import { ConfigSource, describeBrokerConfigs, describeTopicConfigs } from './ConfigHelper';

const base = { 'broker.id': '1', 'zookeeper.connect': 'localhost:2181', 'log.dirs': '/tmp/x' };
const all = { keys: null, includeSynonyms: true, includeDocumentation: false };

function entry(config: KafkaConfig, overrides: Record<string, string>, name: string) {
  const e = describeTopicConfigs(config, overrides, all).find((c) => c.name === name);
  if (!e) throw new Error(`no entry ${name}`);
  return e;
}

describe('broker > ConfigHelper', () => {
  describe('describeTopicConfigs', () => {
    it('a topic override: source TOPIC_CONFIG, synonyms override then broker keys', () => {
      const config = new KafkaConfig({ ...base, 'min.insync.replicas': '2' });
      expect(entry(config, { 'min.insync.replicas': '3' }, 'min.insync.replicas')).toEqual({
        name: 'min.insync.replicas',
        value: '3',
        readOnly: false,
        configSource: ConfigSource.TOPIC_CONFIG,
        isSensitive: false,
        synonyms: [
          { name: 'min.insync.replicas', value: '3', source: ConfigSource.TOPIC_CONFIG },
          { name: 'min.insync.replicas', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
          { name: 'min.insync.replicas', value: '1', source: ConfigSource.DEFAULT_CONFIG },
        ],
        configType: 3, // INT
        documentation: null,
      });
    });

    it("no override: the broker's value, STATIC_BROKER_CONFIG when set, else DEFAULT_CONFIG", () => {
      const config = new KafkaConfig({ ...base, 'log.segment.bytes': '1048576' });
      expect(entry(config, {}, 'segment.bytes')).toMatchObject({
        value: '1048576',
        configSource: ConfigSource.STATIC_BROKER_CONFIG,
        configType: 3,
      });
      expect(entry(config, {}, 'cleanup.policy')).toMatchObject({
        value: 'delete',
        configSource: ConfigSource.DEFAULT_CONFIG,
        configType: 7, // LIST
        synonyms: [
          { name: 'log.cleanup.policy', value: 'delete', source: ConfigSource.DEFAULT_CONFIG },
        ],
      });
      expect(entry(config, {}, 'unclean.leader.election.enable')).toMatchObject({
        value: 'false',
        configType: 1,
      });
      // Kafka's Long.MAX_VALUE is shown as Kafka shows it.
      expect(entry(config, {}, 'flush.messages').value).toBe('9223372036854775807');
    });

    it("follows Kafka's synonym chain from its first key (retention.ms)", () => {
      const withMs = new KafkaConfig({ ...base, 'log.retention.ms': '1000' });
      expect(entry(withMs, {}, 'retention.ms')).toMatchObject({
        value: '1000',
        configSource: ConfigSource.STATIC_BROKER_CONFIG,
        synonyms: [
          { name: 'log.retention.ms', value: '1000', source: ConfigSource.STATIC_BROKER_CONFIG },
          { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
        ],
      });
      // Only log.retention.hours set: the value follows it, the synonyms start at
      // log.retention.ms, which is unset (Kafka 3.4 answers the same).
      const withHours = new KafkaConfig({ ...base, 'log.retention.hours': '24' });
      expect(entry(withHours, {}, 'retention.ms')).toMatchObject({
        value: '86400000',
        configSource: ConfigSource.DEFAULT_CONFIG,
        synonyms: [],
      });
    });

    it('only the keys asked for; synonyms and documentation on request', () => {
      const config = new KafkaConfig(base);
      const out = describeTopicConfigs(
        config,
        {},
        { keys: ['retention.ms', 'nope'], includeSynonyms: false, includeDocumentation: true },
      );
      expect(out.map((c) => c.name)).toEqual(['retention.ms']);
      expect(out[0].synonyms).toEqual([]);
      expect(out[0].documentation).toBe(TOPIC_CONFIG_DEF.configKey('retention.ms')!.doc);
      expect(describeTopicConfigs(config, {}, { ...all, keys: [] }).length).toBeGreaterThan(20);
    });
  });

  describe('describeBrokerConfigs', () => {
    it('the ZooKeeper credential is sensitive: no value, not even in its synonyms', () => {
      const config = new KafkaConfig({ ...base, 'kzoo.zookeeper.digest': 'kzoo:s3cret' });
      const e = describeBrokerConfigs(config, all).find((c) => c.name === 'kzoo.zookeeper.digest')!;
      expect(e).toMatchObject({ value: null, isSensitive: true });
      expect(JSON.stringify(e)).not.toContain('s3cret');
    });

    it('every broker key, read-only, STATIC_BROKER_CONFIG when set else DEFAULT_CONFIG', () => {
      const config = new KafkaConfig({ ...base, 'num.partitions': '3' });
      const out = describeBrokerConfigs(config, all);
      const by = new Map(out.map((c) => [c.name, c]));
      expect(by.get('num.partitions')).toMatchObject({
        value: '3',
        readOnly: true,
        configSource: ConfigSource.STATIC_BROKER_CONFIG,
        configType: 3,
        synonyms: [
          { name: 'num.partitions', value: '3', source: ConfigSource.STATIC_BROKER_CONFIG },
          { name: 'num.partitions', value: '1', source: ConfigSource.DEFAULT_CONFIG },
        ],
      });
      expect(by.get('auto.create.topics.enable')).toMatchObject({
        value: 'true',
        configSource: ConfigSource.DEFAULT_CONFIG,
        configType: 1,
      });
      expect(by.get('log.retention.ms')).toMatchObject({ value: null, configType: 5 });
      expect(out).toHaveLength(new Set(out.map((c) => c.name)).size);
    });
  });
});
