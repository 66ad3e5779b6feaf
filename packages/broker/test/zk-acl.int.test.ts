/**
 * zookeeper.set.acl=true with in-process brokers on the real ZooKeeper: the cluster
 * works (topics, elections, produce) while a foreign ZooKeeper session — no digest
 * identity — is refused (NoAuth) when it writes /controller, a broker registration or a
 * partition state; a broker asked for secure ACLs without an identity refuses to start.
 */
import { Broker, KafkaConfig } from '@kzoo/broker';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { connectTestSession, onCleanup } from '@kzoo/testkit/jest';
import { KafkaZkClient, ZkError } from '@kzoo/zk';
import { batchOf, createTopic, randomTopic, startCluster } from './cluster';
import { producePartition } from './raw';

const SECURE = { 'zookeeper.set.acl': 'true', 'kzoo.zookeeper.digest': 'kzoo-broker:s3cret' };

describe('Broker > ZooKeeper ACLs (zookeeper.set.acl)', () => {
  it('a foreign session cannot change /controller, /brokers or a partition state; the cluster works', async () => {
    const c = await startCluster(2, SECURE);
    const conn = await c.connect(1);
    const topic = randomTopic();
    expect((await createTopic(conn, topic, 1, 2)).topics[0].errorCode).toBe(0);
    const foreign = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const s = await waitFor(
      'the partition state',
      async () =>
        (await foreign.getTopicPartitionStates([{ topic, partition: 0 }])).get(`${topic}-0`),
      { timeoutMs: 15000 },
    );
    const epoch = (await foreign.getControllerEpoch())!;
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'written',
        (e: unknown) => (e instanceof ZkError ? e.code : String(e)),
      );
    expect(await code(foreign.deleteController(epoch.epochZkVersion))).toBe('NoAuth');
    expect(
      await code(
        foreign.updateLeaderAndIsr(
          [
            {
              topicPartition: { topic, partition: 0 },
              leader: s.leader,
              leaderEpoch: s.leaderEpoch + 1,
              isr: [s.leader],
              zkVersion: s.zkVersion,
            },
          ],
          epoch.epoch,
          epoch.epochZkVersion,
        ),
      ),
    ).toBe('NoAuth');
    expect(
      await code(foreign.setTopicAssignment(topic, { topicId: null, partitions: new Map() }, -1)),
    ).toBe('NoAuth');
    expect(await code(foreign.deleteTopicZNodes(topic, epoch.epochZkVersion))).toBe('NoAuth');
    // nothing changed, and the cluster works: a produce is acknowledged by the leader
    expect(
      (await foreign.getTopicPartitionStates([{ topic, partition: 0 }])).get(`${topic}-0`),
    ).toEqual(s);
    expect(await foreign.getControllerId()).toBe(c.brokers.find((b) => b.isController())!.brokerId);
    const leaderConn = await c.connect(s.leader);
    const p = await producePartition(leaderConn, topic, 0, batchOf([{ value: 'ok' }]));
    expect(p.errorCode).toBe(0);
    await foreign.close();
  });

  it('refuses to start with secure ACLs and no ZooKeeper identity', async () => {
    const dir = makeTempDir('kzoo-acl-');
    onCleanup(() => removeDir(dir));
    const b = new Broker(
      new KafkaConfig({
        'broker.id': '1',
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dir,
        'zookeeper.connect': '127.0.0.1:1/none',
        'zookeeper.set.acl': 'true',
      }),
    );
    onCleanup(() => b.shutdown());
    await expect(b.start()).rejects.toThrow(
      'zookeeper.set.acl is true but the broker has no ZooKeeper identity: set kzoo.zookeeper.digest=user:password',
    );
  });
});
