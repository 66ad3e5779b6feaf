import {
  BrokerIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ConsumerOffset,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  endpointString,
  FeatureZNode,
  IsrChangeNotificationSequenceZNode,
  LogDirEventNotificationSequenceZNode,
  parseEndpoint,
  PersistentZkPaths,
  ProducerIdBlockZNode,
  randomKafkaUuid,
  TopicPartitionStateZNode,
  TopicZNode,
  ZNodeDecodeError,
} from './znodes';
import { zkFormatsFor } from './ibp';

// Samples as Kafka 2.x/3.x writes them (zkCli.sh get ...).
const KAFKA_BROKER_V5 =
  '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://k1:9092"],"jmx_port":-1,"port":9092,"host":"k1","version":5,"timestamp":"1639057461456"}';
const KAFKA_BROKER_V4 =
  '{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://k1:9092"],"jmx_port":-1,"host":"k1","timestamp":"1584515322686","port":9092,"version":4}';
const KAFKA_BROKER_MULTI =
  '{"listener_security_protocol_map":{"CLIENT":"SSL","REPLICATION":"PLAINTEXT"},"endpoints":["CLIENT://host1:9093","REPLICATION://host1:9092"],"rack":"dc1","jmx_port":9999,"host":null,"timestamp":"2233345666","port":-1,"version":4}';
const KAFKA_TOPIC_V3 =
  '{"partitions":{"0":[2,3,1],"1":[3,1,2]},"topic_id":"cMr3GpVESX2L3byPGf93lQ","adding_replicas":{},"removing_replicas":{},"version":3}';
const KAFKA_TOPIC_V1 = '{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1]}}';
const KAFKA_STATE = '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,3]}';

describe('zk > znodes > BrokerIdZNode', () => {
  it('decodes a v5 registration as Kafka writes it', () => {
    const b = BrokerIdZNode.decode(1, KAFKA_BROKER_V5);
    expect(b).toEqual({
      id: 1,
      endpoints: [
        { listenerName: 'PLAINTEXT', host: 'k1', port: 9092, securityProtocol: 'PLAINTEXT' },
      ],
      rack: null,
      jmxPort: -1,
      version: 5,
      features: {},
      timestamp: 1639057461456,
      host: 'k1',
      port: 9092,
    });
  });

  it('decodes v4 and multi-listener registrations in any key order', () => {
    expect(BrokerIdZNode.decode(1, KAFKA_BROKER_V4).endpoints[0].port).toBe(9092);
    const m = BrokerIdZNode.decode(7, KAFKA_BROKER_MULTI);
    expect(m.endpoints.map(endpointString)).toEqual([
      'CLIENT://host1:9093',
      'REPLICATION://host1:9092',
    ]);
    expect(m.endpoints[0].securityProtocol).toBe('SSL');
    expect(m.rack).toBe('dc1');
    expect(m.host).toBeNull();
  });

  it('encodes the fields and version Kafka writes, and round-trips', () => {
    const json = BrokerIdZNode.encode(
      { id: 1, endpoints: [parseEndpoint('PLAINTEXT://k1:9092')] },
      1639057461456,
    );
    expect(json).toBe(KAFKA_BROKER_V5);
    const back = BrokerIdZNode.decode(1, json);
    expect(BrokerIdZNode.encode(back, 1639057461456)).toBe(json);
  });

  it('keeps rack and IPv6 hosts', () => {
    const json = BrokerIdZNode.encode(
      { id: 2, endpoints: [parseEndpoint('PLAINTEXT://[::1]:9092')], rack: 'r1' },
      5,
    );
    const js = JSON.parse(json);
    expect(js.endpoints).toEqual(['PLAINTEXT://[::1]:9092']);
    expect(js.rack).toBe('r1');
    // where Kafka's map puts it: right after endpoints (as in KAFKA_BROKER_MULTI)
    expect(Object.keys(js)).toEqual([
      'features',
      'listener_security_protocol_map',
      'endpoints',
      'rack',
      'jmx_port',
      'port',
      'host',
      'version',
      'timestamp',
    ]);
    const v4 = JSON.parse(
      BrokerIdZNode.encode(
        { id: 1, endpoints: [parseEndpoint('PLAINTEXT://k1:9092')], rack: 'dc1', version: 4 },
        5,
      ),
    );
    const sample = JSON.parse(KAFKA_BROKER_MULTI);
    const order = (o: object) => Object.keys(o).filter((k) => k in sample && k in v4);
    expect(order(v4).indexOf('rack')).toBe(order(v4).indexOf('endpoints') + 1);
    expect(order(sample).indexOf('rack')).toBe(order(sample).indexOf('endpoints') + 1);
    expect(BrokerIdZNode.decode(2, json).endpoints[0].host).toBe('::1');
  });

  it('rejects unknown versions and malformed JSON with the path in the message', () => {
    expect(() => BrokerIdZNode.decode(3, '{"version":6,"endpoints":[]}')).toThrow(
      /\/brokers\/ids\/3.*unsupported version 6/,
    );
    expect(() => BrokerIdZNode.decode(3, '{oops')).toThrow(ZNodeDecodeError);
    expect(() => BrokerIdZNode.path(-1)).toThrow('invalid broker id');
  });
});

describe('zk > znodes > endpoints', () => {
  it('parses listeners and needs a protocol for custom listener names', () => {
    expect(parseEndpoint('SSL://h:1')).toEqual({
      listenerName: 'SSL',
      host: 'h',
      port: 1,
      securityProtocol: 'SSL',
    });
    expect(parseEndpoint('PLAINTEXT://:9092').host).toBe('');
    expect(() => parseEndpoint('CLIENT://h:1')).toThrow('listener.security.protocol.map');
    expect(parseEndpoint('CLIENT://h:1', { CLIENT: 'SASL_SSL' }).securityProtocol).toBe('SASL_SSL');
    expect(() => parseEndpoint('h:1')).toThrow('unable to parse endpoint');
    expect(() => parseEndpoint('PLAINTEXT://h:70000')).toThrow('invalid port');
  });
});

describe('zk > znodes > TopicZNode', () => {
  it('decodes v3 and v1 assignments', () => {
    const a = TopicZNode.decode('orders', KAFKA_TOPIC_V3);
    expect(a.topicId).toBe('cMr3GpVESX2L3byPGf93lQ');
    expect(a.partitions.get(0)).toEqual({
      replicas: [2, 3, 1],
      addingReplicas: [],
      removingReplicas: [],
    });
    expect(a.partitions.get(1)?.replicas).toEqual([3, 1, 2]);
    const v1 = TopicZNode.decode('t', KAFKA_TOPIC_V1);
    expect(v1.topicId).toBeNull();
    expect([...v1.partitions.keys()]).toEqual([0, 1]);
  });

  it('encodes v3 as Kafka writes it and round-trips reassignments', () => {
    expect(TopicZNode.encode(TopicZNode.decode('orders', KAFKA_TOPIC_V3))).toBe(KAFKA_TOPIC_V3);
    const moving = {
      topicId: 'cMr3GpVESX2L3byPGf93lQ',
      partitions: new Map([
        [0, { replicas: [1, 2, 3, 4], addingReplicas: [4], removingReplicas: [1] }],
      ]),
    };
    const json = TopicZNode.encode(moving);
    expect(JSON.parse(json)).toEqual({
      partitions: { '0': [1, 2, 3, 4] },
      topic_id: 'cMr3GpVESX2L3byPGf93lQ',
      adding_replicas: { '0': [4] },
      removing_replicas: { '0': [1] },
      version: 3,
    });
    expect(TopicZNode.decode('t', json)).toEqual(moving);
    expect(() => TopicZNode.path('a/b')).toThrow('invalid topic name');
    // Kafka's TopicZNode.encode writes version 3 whether or not the topic has an id
    const noId = JSON.parse(TopicZNode.encode({ ...moving, topicId: null }));
    expect(noId.version).toBe(3);
    expect(noId.topic_id).toBeUndefined();
  });
});

describe('zk > znodes > partition state, controller, cluster', () => {
  it('round-trips the partition state znode', () => {
    const s = TopicPartitionStateZNode.decode(KAFKA_STATE);
    expect(s).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 1 });
    expect(TopicPartitionStateZNode.encode(s)).toBe(KAFKA_STATE);
    const rec = TopicPartitionStateZNode.encode({ ...s, leader: -1, leaderRecoveryState: 1 });
    expect(JSON.parse(rec).leader_recovery_state).toBe(1);
    expect(TopicPartitionStateZNode.decode(rec).leaderRecoveryState).toBe(1);
    expect(TopicPartitionStateZNode.path({ topic: 'orders', partition: 0 })).toBe(
      '/brokers/topics/orders/partitions/0/state',
    );
  });

  it('writes /controller, /controller_epoch and /cluster/id exactly as Kafka', () => {
    expect(ControllerZNode.encode(1, 1555399391766)).toBe(
      '{"version":1,"brokerid":1,"timestamp":"1555399391766"}',
    );
    expect(
      ControllerZNode.decode('{"version":1,"brokerid":1,"timestamp":"1555399391766"}').brokerId,
    ).toBe(1);
    expect(
      ControllerZNode.decode('{"version":2,"brokerid":3,"timestamp":"1","kraftControllerEpoch":-1}')
        .brokerId,
    ).toBe(3);
    expect(ControllerEpochZNode.encode(7)).toBe('7');
    expect(ControllerEpochZNode.decode(Buffer.from('12'))).toBe(12);
    expect(() => ControllerEpochZNode.decode('{"epoch":1}')).toThrow(ZNodeDecodeError);
    expect(ClusterIdZNode.encode('X4mT0ZzVQvK1nGxq9v1QWw')).toBe(
      '{"version":"1","id":"X4mT0ZzVQvK1nGxq9v1QWw"}',
    );
    expect(ClusterIdZNode.decode('{"version":"1","id":"X4mT0ZzVQvK1nGxq9v1QWw"}')).toBe(
      'X4mT0ZzVQvK1nGxq9v1QWw',
    );
  });

  it('makes 22-character URL-safe ids', () => {
    for (let i = 0; i < 50; i++)
      expect(randomKafkaUuid()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('zk > znodes > notifications, config, offsets, producer ids', () => {
  it('round-trips Kafka samples', () => {
    const isr = '{"version":1,"partitions":[{"topic":"orders","partition":0}]}';
    expect(
      IsrChangeNotificationSequenceZNode.encode(IsrChangeNotificationSequenceZNode.decode(isr)),
    ).toBe(isr);
    expect(
      IsrChangeNotificationSequenceZNode.sequenceNumber(
        '/isr_change_notification/isr_change_0000000042',
      ),
    ).toBe('0000000042');
    expect(LogDirEventNotificationSequenceZNode.encode(2)).toBe(
      '{"version":1,"broker":2,"event":1}',
    );
    const cfg = '{"version":1,"config":{"retention.ms":"86400000"}}';
    expect(ConfigEntityZNode.encode(ConfigEntityZNode.decode(cfg))).toBe(cfg);
    expect(ConfigEntityZNode.decode(null)).toEqual({});
    expect(ConfigEntityZNode.path('topics', 'orders')).toBe('/config/topics/orders');
    const change = '{"version":2,"entity_path":"topics/orders"}';
    expect(ConfigEntityChangeNotificationSequenceZNode.encode('topics/orders')).toBe(change);
    expect(
      ConfigEntityChangeNotificationSequenceZNode.decode(
        '{"version":1,"entity_type":"topics","entity_name":"t"}',
      ),
    ).toBe('topics/t');
    const block = '{"version":1,"broker":1,"block_start":"0","block_end":"999"}';
    expect(ProducerIdBlockZNode.decode(block)).toEqual({
      brokerId: 1,
      blockStart: 0,
      blockEnd: 999,
    });
    expect(ProducerIdBlockZNode.encode(ProducerIdBlockZNode.decode(block))).toBe(block);
    expect(ConsumerOffset.path('g1', 'orders', 3)).toBe('/consumers/g1/offsets/orders/3');
    expect(ConsumerOffset.encode(1234)).toBe('1234');
    expect(ConsumerOffset.decode(Buffer.from('1234'))).toBe(1234);
    expect(DeleteTopicsTopicZNode.path('orders')).toBe('/admin/delete_topics/orders');
    expect(FeatureZNode.decode(FeatureZNode.encode({ status: 1, features: {} }))).toEqual({
      status: 1,
      features: {},
      version: 1,
    });
  });

  it('lists the top-level paths Kafka creates', () => {
    expect(PersistentZkPaths).toEqual([
      '/consumers',
      '/brokers/ids',
      '/brokers/topics',
      '/config/changes',
      '/admin/delete_topics',
      '/brokers/seqid',
      '/isr_change_notification',
      '/latest_producer_id_block',
      '/log_dir_event_notification',
      '/config/topics',
      '/config/clients',
      '/config/users',
      '/config/brokers',
      '/config/ips',
    ]);
  });
});

// Samples built from Kafka's encoders at the tag named (the key order is the one their
// Scala maps produce: Map1-4 keep insertion order, mutable.HashMap the hash order).
// 3.4.1 ControllerZNode.encode: Map("version" -> 2, "brokerid", "timestamp", "kraftControllerEpoch")
const KAFKA_341_CONTROLLER =
  '{"version":2,"brokerid":1,"timestamp":"1680000000000","kraftControllerEpoch":-1}';
// 2.8.2 ControllerZNode.encode: Map("version" -> 1, "brokerid", "timestamp")
const KAFKA_282_CONTROLLER = '{"version":1,"brokerid":1,"timestamp":"1680000000000"}';
// 3.4.1 FeatureZNode.encode at IBP >= 3.3 (V2: max_version_level only) and below (V1)
const KAFKA_341_FEATURE_V2 =
  '{"features":{"metadata.version":{"max_version_level":7}},"version":2,"status":1}';
const KAFKA_282_FEATURE_V1 = '{"features":{},"version":1,"status":1}';
// 3.4.1 TopicPartitionStateZNode.encode after an unclean election at IBP >= 3.2
const KAFKA_341_STATE_RECOVERING =
  '{"controller_epoch":2,"leader":3,"version":1,"leader_epoch":5,"isr":[3],"leader_recovery_state":1}';

describe('zk > znodes > formats by inter.broker.protocol.version', () => {
  it('decodes and re-encodes what Kafka writes at each version', () => {
    expect(ControllerZNode.decode(KAFKA_341_CONTROLLER)).toEqual({
      brokerId: 1,
      timestamp: 1680000000000,
      kraftControllerEpoch: -1,
    });
    expect(ControllerZNode.encode(1, 1680000000000, 2)).toBe(KAFKA_341_CONTROLLER);
    expect(ControllerZNode.encode(1, 1680000000000, 1)).toBe(KAFKA_282_CONTROLLER);
    const f2 = FeatureZNode.decode(KAFKA_341_FEATURE_V2);
    expect(f2).toEqual({
      status: 1,
      version: 2,
      features: { 'metadata.version': { max_version_level: 7 } },
    });
    expect(FeatureZNode.encode(f2)).toBe(KAFKA_341_FEATURE_V2);
    expect(FeatureZNode.encode(FeatureZNode.decode(KAFKA_282_FEATURE_V1))).toBe(
      KAFKA_282_FEATURE_V1,
    );
    expect(() => FeatureZNode.decode('{"features":{},"version":3,"status":1}')).toThrow(
      'unsupported version 3',
    );
    const st = TopicPartitionStateZNode.decode(KAFKA_341_STATE_RECOVERING);
    expect(st.leaderRecoveryState).toBe(1);
    expect(JSON.parse(TopicPartitionStateZNode.encode(st))).toEqual(
      JSON.parse(KAFKA_341_STATE_RECOVERING),
    );
  });

  it('zkFormatsFor: the table in the zk README', () => {
    expect(zkFormatsFor('2.6')).toEqual({
      brokerRegistrationVersion: 4,
      controllerZNodeVersion: 1,
      featureZNodeVersion: 1,
      leaderRecoverySupported: false,
    });
    expect(zkFormatsFor('2.7-IV0').brokerRegistrationVersion).toBe(5);
    expect(zkFormatsFor('3.2-IV0').leaderRecoverySupported).toBe(true);
    expect(zkFormatsFor('3.1').leaderRecoverySupported).toBe(false);
    expect(zkFormatsFor('3.3-IV3')).toMatchObject({
      featureZNodeVersion: 2,
      controllerZNodeVersion: 1,
    });
    expect(zkFormatsFor('3.4')).toMatchObject({
      featureZNodeVersion: 2,
      controllerZNodeVersion: 2,
    });
    expect(zkFormatsFor('3.5')).toEqual({
      brokerRegistrationVersion: 5,
      controllerZNodeVersion: 2,
      featureZNodeVersion: 2,
      leaderRecoverySupported: true,
    });
    expect(() => zkFormatsFor('three')).toThrow('invalid inter.broker.protocol.version "three"');
    // below 2.7 the registration is v4: no features key
    const v4 = JSON.parse(
      BrokerIdZNode.encode(
        {
          id: 1,
          endpoints: [parseEndpoint('PLAINTEXT://k1:9092')],
          version: zkFormatsFor('2.6').brokerRegistrationVersion,
        },
        1,
      ),
    );
    expect(v4.version).toBe(4);
    expect(v4.features).toBeUndefined();
  });
});
