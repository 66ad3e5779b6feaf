import { ApiKeys, Connection } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { connectTestSession } from '@kzoo/testkit/jest';
import {
  batchOf,
  createTopic,
  metadata,
  randomTopic,
  startCluster,
  type TestCluster,
} from './cluster';
import { producePartition } from './raw';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const [SET, DELETE] = [0, 1];
const INVALID_CONFIG = 40;
const INVALID_REQUEST = 42;
const NOT_ENOUGH_REPLICAS = 19;

function alter(
  conn: Connection,
  name: string,
  configs: Array<{ name: string; configOperation: number; value: string | null }>,
  validateOnly = false,
  resourceType = TOPIC,
) {
  return conn
    .request(ApiKeys.IncrementalAlterConfigs, 0, {
      resources: [{ resourceType, resourceName: name, configs }],
      validateOnly,
    })
    .then((r) => r.responses[0]);
}

function describe1(
  conn: Connection,
  resourceType: number,
  name: string,
  keys: string[] | null = null,
) {
  return conn
    .request(ApiKeys.DescribeConfigs, 0, {
      resources: [{ resourceType, resourceName: name, configurationKeys: keys }],
      includeSynonyms: true,
      includeDocumentation: false,
    })
    .then((r) => r.results[0]);
}

/** acks=all Produce of one record to partition 0 through its leader: the error code. */
async function produceAll(c: TestCluster, leader: number, topic: string): Promise<number> {
  const conn = await c.connect(leader);
  return (await producePartition(conn, topic, 0, batchOf([{ value: 'v' }]), { acks: -1 }))
    .errorCode;
}

async function configJson(zk: KafkaZkClient, topic: string): Promise<string> {
  return (await zk.getDataAndStat(`/config/topics/${topic}`))!.data!.toString();
}

describe('broker > topic configs (DescribeConfigs, AlterConfigs, IncrementalAlterConfigs; real ZooKeeper)', () => {
  it('alters a topic through any broker: Kafka’s znodes, every broker describes it, the leader applies it live', async () => {
    const c = await startCluster(3);
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const conn1 = await c.connect(1);
    const topic = randomTopic('cfg');
    expect((await createTopic(conn1, topic, 1, 1)).topics[0].errorCode).toBe(0);
    const leader = (await metadata(conn1, [topic])).topics[0].partitions[0].leaderId;
    await waitFor('every broker knows the topic', () =>
      c.brokers.every((b) => b.dataPlane.metadataCache.contains(topic)),
    );
    await waitFor(
      'leader applied LeaderAndIsr',
      () => c.broker(leader).dataPlane.replicaManager.getPartition(topic, 0)?.isLeader,
    );
    expect(await produceAll(c, leader, topic)).toBe(0);
    const changesBefore = await zk.getChildren('/config/changes');

    // Through a broker that does not lead the partition.
    const other = [1, 2, 3].find((b) => b !== leader)!;
    const r = await alter(await c.connect(other), topic, [
      { name: 'retention.ms', configOperation: SET, value: '86400000' },
      { name: 'min.insync.replicas', configOperation: SET, value: '2' },
    ]);
    expect(r).toEqual({
      errorCode: 0,
      errorMessage: null,
      resourceType: TOPIC,
      resourceName: topic,
    });
    expect(await configJson(zk, topic)).toBe(
      '{"version":1,"config":{"retention.ms":"86400000","min.insync.replicas":"2"}}',
    );
    const added = (await zk.getChildren('/config/changes')).filter(
      (n) => !changesBefore.includes(n),
    );
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^config_change_\d{10}$/);
    expect((await zk.getDataAndStat(`/config/changes/${added[0]}`))!.data!.toString()).toBe(
      `{"version":2,"entity_path":"topics/${topic}"}`,
    );

    // Another broker describes it with source TOPIC_CONFIG (1); the rest are defaults (5).
    const third = [1, 2, 3].find((b) => b !== leader && b !== other)!;
    const d = await describe1(await c.connect(third), TOPIC, topic);
    expect(d.errorCode).toBe(0);
    const by = new Map(d.configs.map((e) => [e.name, e]));
    expect(by.get('retention.ms')).toMatchObject({
      value: '86400000',
      configSource: 1,
      configType: 5,
      readOnly: false,
    });
    expect(by.get('retention.ms')!.synonyms[0]).toEqual({
      name: 'retention.ms',
      value: '86400000',
      source: 1,
    });
    expect(by.get('min.insync.replicas')).toMatchObject({
      value: '2',
      configSource: 1,
      configType: 3,
    });
    expect(by.get('segment.bytes')).toMatchObject({ value: '1073741824', configSource: 5 });

    // Live, without a restart: acks=all on an RF=1 topic now lacks replicas, and the
    // leader's log has the new retention.
    await waitFor('min.insync.replicas=2 applied by the leader', async () =>
      (await produceAll(c, leader, topic)) === NOT_ENOUGH_REPLICAS ? true : undefined,
    );
    expect(c.broker(leader).dataPlane.logManager.getLog(topic, 0)!.config.retentionMs).toBe(
      86400000,
    );

    // DELETE falls back to the broker default: produce works again.
    expect(
      (
        await alter(conn1, topic, [
          { name: 'min.insync.replicas', configOperation: DELETE, value: null },
        ])
      ).errorCode,
    ).toBe(0);
    expect(await configJson(zk, topic)).toBe('{"version":1,"config":{"retention.ms":"86400000"}}');
    await waitFor('override removed on the leader', async () =>
      (await produceAll(c, leader, topic)) === 0 ? true : undefined,
    );

    // The legacy AlterConfigs replaces the whole override set.
    const legacy = await conn1.request(ApiKeys.AlterConfigs, 0, {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: topic,
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      validateOnly: false,
    });
    expect(legacy.responses[0].errorCode).toBe(0);
    expect(await configJson(zk, topic)).toBe('{"version":1,"config":{"cleanup.policy":"compact"}}');
    await waitFor(
      'compaction applied live',
      () => c.broker(leader).dataPlane.logManager.getLog(topic, 0)!.config.cleanupPolicy.compact,
    );
    expect(c.broker(leader).dataPlane.logManager.getLog(topic, 0)!.config.retentionMs).toBe(
      604800000,
    );
  });

  it('validateOnly writes nothing; bad keys and values are INVALID_CONFIG naming them; other resources refused', async () => {
    const c = await startCluster(1);
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const conn = await c.connect(1);
    const topic = randomTopic('cfg');
    expect(
      (await createTopic(conn, topic, 1, 1, { 'retention.ms': '5000' })).topics[0].errorCode,
    ).toBe(0);
    await waitFor('topic known', () => c.broker(1).dataPlane.metadataCache.contains(topic));
    const before = await configJson(zk, topic);
    const changes = await zk.getChildren('/config/changes');

    const v = await alter(
      conn,
      topic,
      [{ name: 'retention.ms', configOperation: SET, value: '1' }],
      true,
    );
    expect(v.errorCode).toBe(0);
    const legacyV = await conn.request(ApiKeys.AlterConfigs, 0, {
      resources: [{ resourceType: TOPIC, resourceName: topic, configs: [] }],
      validateOnly: true,
    });
    expect(legacyV.responses[0].errorCode).toBe(0);
    expect(await configJson(zk, topic)).toBe(before);
    expect(await zk.getChildren('/config/changes')).toEqual(changes);

    const badKey = await alter(conn, topic, [
      { name: 'retention.msec', configOperation: SET, value: '1' },
    ]);
    expect(badKey).toMatchObject({
      errorCode: INVALID_CONFIG,
      errorMessage: 'Unknown topic config name: retention.msec',
    });
    const badValue = await alter(conn, topic, [
      { name: 'min.insync.replicas', configOperation: SET, value: '0' },
    ]);
    expect(badValue.errorCode).toBe(INVALID_CONFIG);
    expect(badValue.errorMessage).toBe(
      `Invalid config value for resource ConfigResource(type=TOPIC, name='${topic}'): ` +
        'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1',
    );
    const badBool = await alter(conn, topic, [
      { name: 'unclean.leader.election.enable', configOperation: SET, value: 'maybe' },
    ]);
    expect(badBool.errorCode).toBe(INVALID_CONFIG);
    expect(badBool.errorMessage).toMatch(
      /unclean.leader.election.enable: Expected value to be either true or false/,
    );
    const append = await alter(conn, topic, [
      { name: 'retention.ms', configOperation: 2, value: '1' },
    ]);
    expect(append).toMatchObject({
      errorCode: INVALID_CONFIG,
      errorMessage: 'Config value append is not allowed for config key: retention.ms',
    });
    expect(await configJson(zk, topic)).toBe(before);
    expect(await zk.getChildren('/config/changes')).toEqual(changes);

    const missing = randomTopic('missing');
    expect((await alter(conn, missing, [])).errorCode).toBe(3); // UNKNOWN_TOPIC_OR_PARTITION
    expect((await describe1(conn, TOPIC, missing)).errorCode).toBe(3);
    expect(
      await alter(
        conn,
        '1',
        [{ name: 'num.partitions', configOperation: SET, value: '2' }],
        false,
        BROKER,
      ),
    ).toMatchObject({
      errorCode: INVALID_REQUEST,
      errorMessage:
        "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: Set(num.partitions)",
    });
    expect(await zk.getEntityConfigs('brokers', '1')).toEqual({});
  });

  it('describes this broker’s configs, refuses another broker id and loggers; DescribeCluster answers on the listener asked', async () => {
    const c = await startCluster(3, {
      listeners: 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'num.partitions': '3',
    });
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const conn = await c.connect(2);
    const d = await describe1(conn, BROKER, '2', ['num.partitions', 'delete.topic.enable']);
    expect(d.errorCode).toBe(0);
    expect(d.configs.map((e) => [e.name, e.value, e.configSource, e.readOnly])).toEqual([
      ['num.partitions', '3', 4, true],
      ['delete.topic.enable', 'true', 5, true],
    ]);
    // The default resource ('') lists the cluster-wide dynamic configs: none set.
    expect(await describe1(conn, BROKER, '')).toMatchObject({ errorCode: 0, configs: [] });
    expect(await describe1(conn, BROKER, '1')).toMatchObject({
      errorCode: INVALID_REQUEST,
      errorMessage: 'Unexpected broker id, expected 2 or empty string, but received 1',
      configs: [],
    });
    expect((await describe1(conn, BROKER_LOGGER, '2')).errorCode).toBe(INVALID_REQUEST);

    await waitFor('every cache knows the controller', () =>
      c.brokers.every((b) => b.dataPlane.metadataCache.controllerId >= 0),
    );
    const controllerId = (await zk.getControllerId())!;
    const other = await Connection.connect({
      host: '127.0.0.1',
      port: c.broker(2).dataPlane.socketServerOf('OTHER').port,
    });
    try {
      for (const [cn, listener] of [
        [conn, 'PLAINTEXT'],
        [other, 'OTHER'],
      ] as const) {
        const dc = await cn.request(ApiKeys.DescribeCluster, 0, {
          includeClusterAuthorizedOperations: false,
        });
        expect(dc).toMatchObject({
          errorCode: 0,
          errorMessage: null,
          clusterId: c.broker(1).clusterId,
          controllerId,
          clusterAuthorizedOperations: -2147483648,
        });
        expect(dc.brokers).toEqual(
          [1, 2, 3].map((id) => ({
            brokerId: id,
            host: '127.0.0.1',
            port: c.broker(id).dataPlane.socketServerOf(listener).port,
            rack: null,
          })),
        );
      }
      const withOps = await conn.request(ApiKeys.DescribeCluster, 0, {
        includeClusterAuthorizedOperations: true,
      });
      expect(withOps.clusterAuthorizedOperations).toBe(8096); // every CLUSTER operation: no authorizer
    } finally {
      await other.close();
    }
    // A broker that leaves is no longer listed.
    await c.broker(3).shutdown();
    await waitFor('broker 3 gone from DescribeCluster', async () => {
      const dc = await conn.request(ApiKeys.DescribeCluster, 0, {
        includeClusterAuthorizedOperations: false,
      });
      return dc.brokers.map((b) => b.brokerId).join(',') === '1,2' ? true : undefined;
    });
  });
  it('turning unclean.leader.election.enable on elects a leaderless partition at once', async () => {
    const c = await startCluster(2);
    const topic = randomTopic('unclean');
    const conn1 = await c.connect(1);
    const created = await conn1.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
          configs: [],
        },
      ],
      timeoutMs: 15000,
      validateOnly: false,
    });
    expect(created.topics[0].errorCode).toBe(0);
    // Broker 2 leaves (ISR [1]), then broker 1, the last ISR member: no leader.
    await c.broker(2).shutdown();
    await c.broker(1).shutdown();
    await c.startBroker(2);
    const conn2 = await c.connect(2);
    const leaderOf = async () =>
      (await metadata(conn2, [topic])).topics[0]?.partitions[0]?.leaderId;
    await waitFor('broker 2 is the controller', () => c.broker(2).isController());
    await c.broker(2).controller.idle();
    // the controller's UpdateMetadata reaches broker 2's cache asynchronously
    const before = await waitFor('broker 2 knows the partition', leaderOf);
    expect(before).toBe(-1); // unclean elections are off
    expect(
      (
        await alter(conn2, topic, [
          { name: 'unclean.leader.election.enable', configOperation: SET, value: 'true' },
        ])
      ).errorCode,
    ).toBe(0);
    await waitFor('the out-of-sync replica leads', async () =>
      (await leaderOf()) === 2 ? true : undefined,
    );
  });
});
