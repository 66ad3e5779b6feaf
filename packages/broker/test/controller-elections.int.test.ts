/**
 * Controller elections in-process (real ZooKeeper): controlled shutdown through
 * `Broker.shutdown()`, the controller's stats, and a partition state written by a newer
 * controller epoch that this controller must not overwrite.
 */
import { ApiKeys } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { connectTestSession } from '@kzoo/testkit/jest';
import { randomTopic, startCluster } from './cluster';

async function create(
  conn: Awaited<ReturnType<Awaited<ReturnType<typeof startCluster>>['connect']>>,
  topic: string,
  assignments: number[][],
): Promise<void> {
  const r = await conn.request(ApiKeys.CreateTopics, 0, {
    topics: [
      {
        name: topic,
        numPartitions: -1,
        replicationFactor: -1,
        assignments: assignments.map((brokerIds, partitionIndex) => ({
          partitionIndex,
          brokerIds,
        })),
        configs: [],
      },
    ],
    timeoutMs: 15000,
    validateOnly: false,
  });
  expect(r.topics[0].errorCode).toBe(0);
}

describe('Broker > controller > elections (in-process)', () => {
  it('Broker.shutdown() moves its leaderships to other ISR members and leaves the ISRs before the session closes', async () => {
    const c = await startCluster(3);
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const topic = randomTopic();
    await create(await c.connect(1), topic, [
      [2, 1, 3],
      [2, 3, 1],
      [1, 2, 3],
    ]);
    const read = async (p: number) =>
      (await zk.getTopicPartitionStates([{ topic, partition: p }])).get(`${topic}-${p}`)!;
    await waitFor('every replica in sync', async () =>
      (await Promise.all([0, 1, 2].map(read))).every((s) => s.isr.length === 3),
    );
    const controller = c.brokers.find((b) => b.isController())!;
    expect(controller.brokerId).not.toBe(2);
    // Watch broker 2's registration: at the moment it disappears every state must have moved.
    let atDeregistration: Awaited<ReturnType<typeof read>>[] | null = null;
    const gone = new Promise<void>((resolve) => {
      const watch = async () => {
        const exists = await zk.zk.exists('/brokers/ids/2', () => {
          void Promise.all([0, 1, 2].map(read)).then((s) => {
            atDeregistration = s;
            resolve();
          });
        });
        if (!exists) resolve();
      };
      void watch();
    });
    await c.broker(2).shutdown();
    await gone;
    expect(atDeregistration).not.toBeNull();
    for (const s of atDeregistration!) {
      expect(s.leader).not.toBe(2);
      expect(s.leader).toBeGreaterThan(0);
      expect(s.isr).not.toContain(2);
    }
    expect(atDeregistration![0].leader).toBe(1);
    expect(atDeregistration![1].leader).toBe(3);
    expect(controller.controller.electionStats.leaderElections).toBeGreaterThanOrEqual(2);
    expect(controller.controller.electionStats.uncleanLeaderElections).toBe(0);
    await zk.close();
  });

  it('does not overwrite a partition state written by a newer controller epoch', async () => {
    const c = await startCluster(3, { 'controlled.shutdown.enable': 'false' });
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const topic = randomTopic();
    await create(await c.connect(1), topic, [[2, 3]]);
    const tp = { topic, partition: 0 };
    const read = async () => (await zk.getTopicPartitionStates([tp])).get(`${topic}-0`)!;
    const { zkVersion, ...before } = await read();
    const newer = { ...before, controllerEpoch: before.controllerEpoch + 5 };
    // as another controller would: a write carrying a newer controller epoch
    expect(await zk.conditionalUpdateLeaderAndIsr(tp, newer, zkVersion)).toBe(zkVersion + 1);
    const controller = c.brokers.find((b) => b.isController())!;
    expect(controller.brokerId).not.toBe(2);
    await c.broker(2).shutdown();
    await waitFor(
      'the controller saw broker 2 go',
      () => !controller.controller.liveBrokers.has(2),
    );
    await controller.controller.idle();
    const after = await read();
    expect(after).toEqual({ ...newer, zkVersion: zkVersion + 1 });
    await zk.close();
  });
});
