import { createLogger, ErrorCode, MockTime, setLogLevel } from '@kzoo/common';
import { InMemoryZooKeeper } from '@kzoo/zk';
import type { IsrUpdateResult } from './IsrManager';
import { ZkIsrManager } from './ZkIsrManager';

setLogLevel('silent');

async function setup() {
  const time = new MockTime();
  const zookeeper = new InMemoryZooKeeper({ time });
  const controller = zookeeper.newClient();
  const { epochZkVersion } = await controller.registerControllerAndIncrementControllerEpoch(1);
  await controller.createTopicPartitionStates(
    [
      {
        topicPartition: { topic: 't', partition: 0 },
        state: { leader: 2, leaderEpoch: 4, isr: [2, 3], controllerEpoch: 1 },
      },
    ],
    epochZkVersion,
  );
  const leader = zookeeper.newClient();
  const log = createLogger('test');
  const isr = new ZkIsrManager({ zkClient: leader, time, log, stateLog: log });
  const submit = (zkVersion: number, newIsr: number[]) =>
    new Promise<IsrUpdateResult>((resolve) =>
      isr.submit(
        {
          topic: 't',
          partition: 0,
          leader: 2,
          leaderEpoch: 4,
          newIsr,
          zkVersion,
          controllerEpoch: 1,
        },
        resolve,
      ),
    );
  return { time, controller, isr, submit };
}

describe('broker > server > ZkIsrManager (in-memory ZooKeeper, mock clock)', () => {
  it("writes the leader's ISR conditionally, keeping leader, leader_epoch and controller_epoch", async () => {
    const { controller, submit } = await setup();
    expect(await submit(0, [2])).toEqual({ errorCode: 0, leaderEpoch: 4, isr: [2], zkVersion: 1 });
    expect(
      (await controller.getTopicPartitionStates([{ topic: 't', partition: 0 }])).get('t-0'),
    ).toEqual({ leader: 2, leaderEpoch: 4, isr: [2], controllerEpoch: 1, zkVersion: 1 });
    // a stale zkVersion: Kafka's "cached zkVersion not equal to that in zookeeper"
    expect((await submit(0, [2, 3])).errorCode).toBe(ErrorCode.INVALID_UPDATE_VERSION);
  });

  it('announces changed partitions once no change came for the linger time', async () => {
    const { time, controller, isr, submit } = await setup();
    await submit(0, [2]);
    await isr.maybePropagateIsrChanges();
    expect(await controller.getAllIsrChangeNotifications()).toEqual([]);
    time.tick(5001);
    await isr.maybePropagateIsrChanges();
    const seqs = await controller.getAllIsrChangeNotifications();
    expect(seqs).toHaveLength(1);
    expect(await controller.getPartitionsFromIsrChangeNotifications(seqs)).toEqual([
      { topic: 't', partition: 0 },
    ]);
    expect(isr.stats).toEqual({ writes: 1, notifications: 1 });
  });
});
