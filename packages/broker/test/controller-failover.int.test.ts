/**
 * Controller failover details as Kafka's source has them, with broker processes
 * (compiled JS: run `npx tsc -b` first) on the real ZooKeeper:
 * - the controller and a partition leader die together: the next controller takes the
 *   dead replicas out of the ISRs before it elects (Kafka's onControllerFailover runs
 *   replicaStateMachine.startup before partitionStateMachine.startup), so leader_epoch
 *   ends at 2 — as Kafka's — not 1;
 * - `/feature` is not rewritten by a failover that does not change it;
 * - the producer-id block is claimed when a broker starts (Kafka 2.8), before any
 *   InitProducerId.
 */
import { ApiKeys, Connection } from '@kzoo/protocol';
import { startBrokerProcess, waitFor, type BrokerProcess } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { randomTopic } from './cluster';
import { partitionState } from './raw';

describe('Broker > controller > failover (processes)', () => {
  it('controller and leader killed together: ISR removal first, then the election (leader_epoch 2, as Kafka)', async () => {
    // The controller's session outlives the leader's by seconds, so by the time the next
    // controller takes over, the leader is already gone from /brokers/ids: the order
    // the test is about, made certain rather than raced.
    const cluster = await TestCluster.start({ brokers: [1], sessionTimeoutMs: 9000 });
    const ctl = await cluster.waitForController();
    expect(ctl.brokerId).toBe(1);
    // Kafka 2.8 claims the first producer-id block at broker start
    const block = await cluster.zkClient.getLatestProducerIdBlock();
    expect(block?.block).toMatchObject({ brokerId: 1, blockStart: 0, blockEnd: 999 });
    const start = async (id: number, sessionTimeoutMs: number): Promise<BrokerProcess> =>
      startBrokerProcess({ id, zk: cluster.zk, sessionTimeoutMs });
    const leader = await start(2, 1500);
    const survivor = await start(3, 6000);
    onCleanup(() => leader.kill('SIGKILL'));
    onCleanup(() => survivor.kill('SIGKILL'));
    await cluster.waitForBrokers([1, 2, 3]);
    const feature = await cluster.zkClient.zk.exists('/feature');
    expect(feature).not.toBeNull();

    const topic = randomTopic();
    const c = await Connection.connect({ host: '127.0.0.1', port: cluster.broker(1).port });
    onCleanup(() => c.close());
    const r = await c.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }],
          configs: [],
        },
      ],
      timeoutMs: 15000,
      validateOnly: false,
    });
    expect(r.topics[0].errorCode).toBe(0);
    await waitFor(
      'leader 2 with both replicas in sync',
      async () => {
        const s = await partitionState(cluster.zkClient, topic, 0).catch(() => null);
        return s !== null && s.leader === 2 && s.isr.length === 2;
      },
      { timeoutMs: 20000 },
    );
    const before = await partitionState(cluster.zkClient, topic, 0);
    expect(before.leaderEpoch).toBe(0);

    await c.close();
    await Promise.all([cluster.broker(1).kill('SIGKILL'), leader.kill('SIGKILL')]);
    await cluster.waitForBrokers([1, 3], 20000); // the leader's short session went first
    const next = await cluster.waitForController((x) => x.brokerId === 3, 30000);
    expect(next.epoch).toBe(ctl.epoch + 1);
    const after = await waitFor(
      'broker 3 leads',
      async () => {
        const s = await partitionState(cluster.zkClient, topic, 0);
        return s.leader === 3 ? s : undefined;
      },
      { timeoutMs: 20000 },
    );
    // one write took the dead leader out of the ISR (leader -1), one elected broker 3
    expect(after).toMatchObject({
      leader: 3,
      leaderEpoch: 2,
      isr: [3],
      controllerEpoch: next.epoch,
    });
    // the failover found /feature as it wants it and left it alone
    const featureAfter = await cluster.zkClient.zk.exists('/feature');
    expect(featureAfter?.version).toBe(feature!.version);
  });
});
