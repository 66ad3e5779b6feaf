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
  it('the scheduled check announces within linger + check interval, and stops at shutdown', async () => {
    const { time, controller, isr, submit } = await setup();
    isr.start(); // checks every 2500 ms (isr.change.notification.check.interval.ms)
    expect(time.pendingTasks().map((t) => t.name)).toEqual(['isr-change-propagation']);
    const changedAt = time.milliseconds();
    await submit(0, [2]);
    const announcedAt = async (): Promise<number | null> => {
      for (let elapsed = 0; elapsed <= 10000; elapsed += 100) {
        if ((await controller.getAllIsrChangeNotifications()).length > 0)
          return time.milliseconds() - changedAt;
        time.tick(100);
        for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
      }
      return null;
    };
    const took = await announcedAt();
    // linger 5000 must pass (strictly), seen by the next check: 7500 on a 2500 ms period
    expect(took).toBe(7500);
    isr.shutdown();
    expect(time.pendingTasks()).toEqual([]);
  });
});
