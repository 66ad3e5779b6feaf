import { KafkaError, createLogger } from '@kzoo/common';
import { InMemoryZooKeeper } from '@kzoo/zk';
import { KafkaConfig } from '../config';
import {
  DYNAMIC_BROKER_CONFIGS,
  DynamicBrokerConfig,
  DynamicLogConfig,
  brokerEntityName,
  validateDynamicConfigs,
} from './DynamicBrokerConfig';
import {
  ConfigSource,
  describeBrokerConfigs,
  describeDefaultBrokerConfigs,
  describeTopicConfigs,
} from './ConfigHelper';

const base = { 'broker.id': '1', 'zookeeper.connect': 'localhost:2181', 'log.dirs': '/tmp/x' };
const all = { keys: null, includeSynonyms: true, includeDocumentation: false };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaError);
    expect((e as KafkaError).errorName).toBe('INVALID_CONFIG');
    return (e as KafkaError).message;
  }
  throw new Error('not refused');
}

describe('broker > DynamicBrokerConfig', () => {
  it('refuses non-dynamic keys with Kafka’s sentence, then bad values; custom keys pass', () => {
    expect(refusal(() => validateDynamicConfigs({ 'log.dirs': '/x', 'num.partitions': '2' }))).toBe(
      'INVALID_CONFIG: Cannot update these configs dynamically: Set(log.dirs, num.partitions)',
    );
    // the .ms key is dynamic, its hours/minutes synonyms are not (as in Kafka)
    expect(refusal(() => validateDynamicConfigs({ 'log.retention.hours': '1' }))).toMatch(
      /Cannot update these configs dynamically: Set\(log\.retention\.hours\)/,
    );
    expect(refusal(() => validateDynamicConfigs({ 'log.retention.ms': 'soon' }))).toBe(
      'INVALID_CONFIG: Invalid value soon for configuration log.retention.ms: Not a number of type LONG',
    );
    expect(refusal(() => validateDynamicConfigs({ 'min.insync.replicas': '0' }))).toMatch(
      /Invalid value 0 for configuration min\.insync\.replicas/,
    );
    expect(() => validateDynamicConfigs({ 'my.custom.key': 'x' })).not.toThrow();
    expect(() =>
      validateDynamicConfigs({ 'leader.replication.throttled.rate': '204800' }),
    ).not.toThrow();
    expect(
      refusal(() => validateDynamicConfigs({ 'follower.replication.throttled.rate': '-1' })),
    ).toBe(
      'INVALID_CONFIG: Invalid value -1 for configuration follower.replication.throttled.rate: Value must be at least 0',
    );
    for (const k of DYNAMIC_BROKER_CONFIGS)
      expect(k).toMatch(
        /^(log\.|message\.|min\.|unclean\.|producer\.id\.|(leader|follower)\.replication\.throttled\.rate$)/,
      );
    expect(brokerEntityName(null)).toBe('<default>');
    expect(brokerEntityName(3)).toBe('3');
  });

  it("precedence: this broker's dynamic > cluster default > static > built-in; reconfigurables see old and new", async () => {
    const zk = new InMemoryZooKeeper().newClient();
    await zk.setOrCreateEntityConfigs('brokers', '<default>', {
      'log.retention.ms': '5000',
      'min.insync.replicas': '2',
      'log.dirs': '/sneaked/in', // written by hand: not dynamic, ignored
    });
    await zk.setOrCreateEntityConfigs('brokers', '1', { 'log.retention.ms': '7000' });
    await zk.setOrCreateEntityConfigs('brokers', '2', { 'log.segment.bytes': '1024' }); // another broker's
    const dyn = new DynamicBrokerConfig(
      new KafkaConfig({ ...base, 'log.retention.ms': '1000', 'log.segment.bytes': '4096' }),
    );
    await dyn.initialize(zk, 1);
    const cur = dyn.currentConfig;
    expect(cur.getInt('log.retention.ms')).toBe(7000);
    expect(cur.getInt('min.insync.replicas')).toBe(2);
    expect(cur.getInt('log.segment.bytes')).toBe(4096);
    expect(cur.logDirs).toEqual(['/tmp/x']);
    expect(dyn.currentDynamicDefaultConfigs).toEqual({
      'log.retention.ms': '5000',
      'min.insync.replicas': '2',
    });

    const seen: Array<[number, number]> = [];
    dyn.addReconfigurable({
      reconfigure: (o, n) =>
        seen.push([o.getInt('log.retention.ms'), n.getInt('log.retention.ms')]),
    });
    dyn.updateBrokerConfig({}); // this broker's own value removed: the cluster default shows
    expect(dyn.currentConfig.getInt('log.retention.ms')).toBe(5000);
    dyn.updateDefaultConfig({}); // and without it, the static value
    expect(dyn.currentConfig.getInt('log.retention.ms')).toBe(1000);
    expect(dyn.currentConfig.getInt('min.insync.replicas')).toBe(1); // built-in default
    expect(seen).toEqual([
      [7000, 5000],
      [5000, 1000],
    ]);
    // validate() judges a set against the other level: a per-broker set is checked whole
    expect(() => dyn.validate({ 'log.segment.bytes': '1' }, true)).toThrow(KafkaError);
    expect(() => dyn.validate({ 'log.segment.bytes': '2048' }, false)).not.toThrow();
  });

  it('DescribeConfigs sources: DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC, DEFAULT', async () => {
    const zk = new InMemoryZooKeeper().newClient();
    const dyn = new DynamicBrokerConfig(new KafkaConfig({ ...base, 'log.retention.ms': '1000' }));
    await dyn.initialize(zk, 1);
    dyn.updateDefaultConfig({ 'log.retention.ms': '5000', 'my.custom': 'x' });
    dyn.updateBrokerConfig({ 'log.retention.ms': '7000', 'log.cleanup.policy': 'compact' });
    const broker = new Map(describeBrokerConfigs(dyn, all).map((e) => [e.name, e]));
    expect(broker.get('log.retention.ms')).toMatchObject({
      value: '7000',
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '7000', source: ConfigSource.DYNAMIC_BROKER_CONFIG },
        {
          name: 'log.retention.ms',
          value: '5000',
          source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        },
        { name: 'log.retention.ms', value: '1000', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(broker.get('log.dirs')).toMatchObject({
      readOnly: true,
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
    });
    expect(broker.get('min.insync.replicas')).toMatchObject({
      value: '1',
      readOnly: false,
      configSource: ConfigSource.DEFAULT_CONFIG,
    });
    // a custom key: shown as Kafka shows an unknown type (sensitive, no value)
    expect(broker.get('my.custom')).toMatchObject({
      value: null,
      isSensitive: true,
      configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    });
    // the default resource lists the cluster-wide dynamic configs only
    const def = describeDefaultBrokerConfigs(dyn, all);
    expect(def.map((e) => [e.name, e.value, e.configSource])).toEqual([
      ['log.retention.ms', '5000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['my.custom', null, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    ]);
    expect(def[0].synonyms).toEqual([
      {
        name: 'log.retention.ms',
        value: '5000',
        source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      },
    ]);
    // a topic without overrides takes the broker's dynamic value, with the whole chain
    const topic = new Map(describeTopicConfigs(dyn, {}, all).map((e) => [e.name, e]));
    expect(topic.get('retention.ms')).toMatchObject({
      value: '7000',
      configSource: ConfigSource.DYNAMIC_BROKER_CONFIG,
    });
    expect(topic.get('retention.ms')!.synonyms.map((s) => s.source)).toEqual([
      ConfigSource.DYNAMIC_BROKER_CONFIG,
      ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      ConfigSource.STATIC_BROKER_CONFIG,
      ConfigSource.DEFAULT_CONFIG,
    ]);
    expect(topic.get('cleanup.policy')).toMatchObject({ value: 'compact', configSource: 2 });
    // the topic's override beats every broker level
    const overridden = describeTopicConfigs(dyn, { 'retention.ms': '42' }, all).find(
      (e) => e.name === 'retention.ms',
    );
    expect(overridden).toMatchObject({ value: '42', configSource: ConfigSource.TOPIC_CONFIG });
  });

  it('DynamicLogConfig: logs and partitions take the new defaults; unclean turning on asks the controller', () => {
    const calls: string[] = [];
    const r = new DynamicLogConfig({
      logManager: {
        reconfigureDefaultLogConfig: (d) => {
          calls.push(`logs retention.ms=${d['retention.ms']}`);
          return 1;
        },
        reconfigureProducerIdExpirationMs: (ms) => calls.push(`producer.id.expiration.ms=${ms}`),
      },
      replicaManager: {
        reconfigureMinInsyncReplicas: (n) => {
          calls.push(`minIsr=${n}`);
          return 1;
        },
      },
      controller: () => ({ enableDefaultUncleanLeaderElection: () => calls.push('unclean') }),
      logger: createLogger('test'),
    });
    const off = new KafkaConfig(base);
    const on = new KafkaConfig({
      ...base,
      'unclean.leader.election.enable': 'true',
      'log.retention.ms': '3000',
      'min.insync.replicas': '2',
      'producer.id.expiration.ms': '60000',
    });
    r.reconfigure(off, on);
    expect(calls).toEqual([
      'logs retention.ms=3000',
      'producer.id.expiration.ms=60000',
      'minIsr=2',
      'unclean',
    ]);
    calls.length = 0;
    r.reconfigure(on, on); // already on: no election asked again
    expect(calls).not.toContain('unclean');
  });
});
