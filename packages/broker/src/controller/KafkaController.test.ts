/**
 * KafkaController on InMemoryKafkaZkClient, a recording channel and a MockTimer: the
 * partition transitions and fencing, deterministic, no network, no sleeping.
 */
import { ErrorCode, MockTime, setLogLevel } from '@kzoo/common';
import {
  ControllerZNode,
  InMemoryZooKeeper,
  parseEndpoint,
  type InMemoryKafkaZkClient,
  type PartitionStateAndZkVersion,
} from '@kzoo/zk';
import type { ApiKey, RequestOf, ResponseOf } from '@kzoo/protocol';
import { MockTimer } from '../server/Timer';
import type { ControllerChannel } from './ControllerChannelManager';
import { KafkaController } from './KafkaController';

setLogLevel('silent');

interface Sent {
  to: number;
  apiKey: ApiKey;
  body: unknown;
}

/** Records every request; answers StopReplica with success, as a healthy broker would. */
class RecordingChannel implements ControllerChannel {
  readonly sent: Sent[] = [];
  readonly brokers = new Set<number>();
  addBroker(id: number): void {
    this.brokers.add(id);
  }
  removeBroker(id: number): void {
    this.brokers.delete(id);
  }
  hasBroker(id: number): boolean {
    return this.brokers.has(id);
  }
  sendRequest<K extends ApiKey>(
    brokerId: number,
    apiKey: K,
    body: RequestOf<K>,
    callback?: (response: ResponseOf<K>) => void,
  ): void {
    if (!this.brokers.has(brokerId)) return;
    this.sent.push({ to: brokerId, apiKey, body });
    if (apiKey === 5 && callback) {
      const req = body as RequestOf<5>;
      const res: ResponseOf<5> = {
        errorCode: 0,
        partitionErrors: req.partitions.map((p) => ({
          topicName: p.topicName,
          partitionIndex: p.partitionIndex,
          errorCode: 0,
        })),
      };
      queueMicrotask(() => callback(res as ResponseOf<K>));
    }
  }
  shutdown(): void {
    this.brokers.clear();
  }
  take(apiKey: ApiKey): Sent[] {
    const out = this.sent.filter((s) => s.apiKey === apiKey);
    this.sent.length = 0;
    return out;
  }
}

const info = (id: number) => ({
  id,
  endpoints: [parseEndpoint(`PLAINTEXT://127.0.0.1:${9090 + id}`)],
});

async function start(
  brokerIds = [1, 2, 3],
  opts: {
    uncleanLeaderElectionEnable?: boolean | (() => boolean);
    autoLeaderRebalanceEnable?: boolean;
    interBrokerProtocolVersion?: string;
  } = {},
) {
  const time = new MockTime();
  const timer = new MockTimer(time);
  const zookeeper = new InMemoryZooKeeper({ time });
  const sessions = new Map<number, InMemoryKafkaZkClient>();
  for (const id of brokerIds) {
    const s = zookeeper.newClient();
    await s.createTopLevelPaths();
    await s.registerBroker(info(id));
    sessions.set(id, s);
  }
  const zk = sessions.get(1)!;
  const channel = new RecordingChannel();
  const controller = new KafkaController({
    brokerId: 1,
    zkClient: zk,
    registerBroker: () => zk.registerBroker(info(1)),
    channel,
    timer,
    autoLeaderRebalanceEnable: opts.autoLeaderRebalanceEnable ?? false,
    uncleanLeaderElectionEnable: opts.uncleanLeaderElectionEnable ?? false,
    interBrokerProtocolVersion: opts.interBrokerProtocolVersion,
  });
  const admin = zookeeper.newClient();
  /** Lets watch notifications reach the event queue and the queue drain. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await controller.idle();
      await new Promise<void>((r) => setImmediate(r));
    }
    await controller.idle();
  };
  const state = async (topic: string, partition: number): Promise<PartitionStateAndZkVersion> =>
    (await admin.getTopicPartitionStates([{ topic, partition }])).get(`${topic}-${partition}`)!;
  const createTopic = async (topic: string, parts: number[][]) => {
    await admin.setOrCreateEntityConfigs('topics', topic, {});
    await admin.createTopicAssignment(topic, {
      topicId: null,
      partitions: new Map(
        parts.map((replicas, p) => [p, { replicas, addingReplicas: [], removingReplicas: [] }]),
      ),
    });
    await settle();
  };
  /** The broker's session ends (kill -9): its registration goes. */
  const kill = async (id: number) => {
    await sessions.get(id)!.close();
    await settle();
  };
  const restart = async (id: number) => {
    const s = zookeeper.newClient();
    sessions.set(id, s);
    await s.registerBroker(info(id));
    await settle();
  };
  controller.startup();
  await settle();
  return {
    zookeeper,
    sessions,
    controller,
    channel,
    timer,
    admin,
    settle,
    state,
    createTopic,
    kill,
    restart,
  };
}

type Env = Awaited<ReturnType<typeof start>>;
const envs: Env[] = [];
async function cluster(...args: Parameters<typeof start>): Promise<Env> {
  const env = await start(...args);
  envs.push(env);
  return env;
}
afterEach(async () => {
  for (const env of envs.splice(0)) await env.controller.shutdown();
});

describe('broker > controller > KafkaController (in-memory ZooKeeper, mock clock)', () => {
  it('becomes controller with epoch 1 and knows the live brokers', async () => {
    const { controller, zookeeper } = await cluster();
    expect(controller.isActive()).toBe(true);
    expect(controller.epoch).toBe(1);
    expect(controller.epochZkVersion).toBe(1);
    expect([...controller.liveBrokers.keys()].sort()).toEqual([1, 2, 3]);
    expect(zookeeper.feature).not.toBeNull();
  });

  it('New → Online: first live replica leads, live replicas form the ISR, LeaderAndIsr(isNew)', async () => {
    const { createTopic, state, channel } = await cluster();
    channel.take(4);
    await createTopic('t', [
      [2, 3],
      [3, 1],
    ]);
    expect(await state('t', 0)).toEqual({
      leader: 2,
      leaderEpoch: 0,
      isr: [2, 3],
      controllerEpoch: 1,
      zkVersion: 0,
    });
    expect((await state('t', 1)).leader).toBe(3);
    const lai = channel.take(4);
    expect(lai.map((s) => s.to).sort()).toEqual([1, 2, 3]);
    const toTwo = lai.find((s) => s.to === 2)!.body as RequestOf<4>;
    expect(toTwo.partitionStates[0]).toMatchObject({
      topicName: 't',
      partitionIndex: 0,
      leader: 2,
      isNew: true,
    });
  });

  it('Offline → Online (clean) and the dead replica leaves the ISRs', async () => {
    const { createTopic, state, kill, controller } = await cluster();
    await createTopic('t', [
      [2, 3],
      [3, 2],
    ]);
    await kill(2);
    expect(await state('t', 0)).toMatchObject({
      leader: 3,
      leaderEpoch: 1,
      isr: [3],
      controllerEpoch: 1,
    });
    // broker 2 followed partition 1: out of the ISR, leader kept, leader_epoch + 1
    expect(await state('t', 1)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3] });
    expect(controller.electionStats.uncleanLeaderElections).toBe(0);
  });

  // The bound behind broker/test/elections.int.test.ts ("leads within session timeout
  // + 1 s"): ZooKeeper's session expiry is the whole wait; the controller adds no timer.
  // Kafka's onControllerFailover runs replicaStateMachine.startup (dead replicas out of
  // the ISRs: leader -1, epoch + 1) before partitionStateMachine.startup (the election:
  // epoch + 1 again), so a partition whose leader died with the controller ends at
  // leader_epoch 2, not 1.
  it('failover after the controller and a leader die together: ISR removal first, then the election', async () => {
    const env = await cluster();
    const { createTopic, state, sessions, zookeeper } = env;
    await createTopic('t', [[3, 2]]);
    expect(await state('t', 0)).toMatchObject({ leader: 3, leaderEpoch: 0, isr: [3, 2] });
    const channel2 = new RecordingChannel();
    const zk2 = sessions.get(2)!;
    const second = new KafkaController({
      brokerId: 2,
      zkClient: zk2,
      registerBroker: () => zk2.registerBroker(info(2)),
      channel: channel2,
      timer: env.timer,
      autoLeaderRebalanceEnable: false,
    });
    second.startup();
    const settle2 = async () => {
      for (let i = 0; i < 10; i++) {
        await second.idle();
        await new Promise<void>((r) => setImmediate(r));
      }
    };
    await settle2();
    expect(second.activeControllerId).toBe(1);
    try {
      // controller 1 and leader 3 go in the same instant
      await Promise.all([sessions.get(1)!.close(), sessions.get(3)!.close()]);
      await settle2();
      expect(second.isActive()).toBe(true);
      expect(second.epoch).toBe(2);
      const s = await state('t', 0);
      expect(s).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2], controllerEpoch: 2 });
      // one write took the dead leader out (leader -1), one elected the new leader
      expect(s.zkVersion).toBe(2);
      const lai = channel2.sent
        .filter((x) => x.apiKey === 4 && x.to === 2)
        .flatMap((x) => (x.body as RequestOf<4>).partitionStates);
      expect(lai.at(-1)).toMatchObject({ leader: 2, leaderEpoch: 2 });
      expect(zookeeper.controllerEpoch?.epoch).toBe(2);
    } finally {
      await second.shutdown();
    }
  });

  it('failover takes no time on the clock: the ISR survivor is elected and told at once', async () => {
    const { createTopic, state, kill, channel, timer } = await cluster([1, 2, 3], {
      autoLeaderRebalanceEnable: true,
    });
    await createTopic('t', [[2, 3, 1]]);
    channel.take(4);
    await kill(2); // the session ends; the clock does not move from here on
    expect(await state('t', 0)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3, 1] });
    const lai = channel.take(4);
    expect(lai.map((s) => s.to).sort()).toEqual([1, 3]);
    for (const s of lai)
      expect((s.body as RequestOf<4>).partitionStates[0]).toMatchObject({
        topicName: 't',
        leader: 3,
        leaderEpoch: 1,
      });
    // the only timer pending is the periodic imbalance check, not a step of the failover
    expect(timer.size).toBe(1);
  });

  it('Offline with no live ISR member: leader -1 and the ISR keeps its last member (clean)', async () => {
    const { createTopic, state, kill, admin } = await cluster();
    await createTopic('t', [[2, 3]]);
    const s = await state('t', 0);
    // the leader shrank the ISR to itself (IBP < 2.7 leader write)
    await admin.conditionalUpdateLeaderAndIsr(
      { topic: 't', partition: 0 },
      { ...s, isr: [2] },
      s.zkVersion,
    );
    await kill(2);
    expect(await state('t', 0)).toMatchObject({ leader: -1, isr: [2] });
  });

  it('Offline → Online (unclean) when the topic enables it: an out-of-sync replica leads', async () => {
    const { createTopic, state, kill, admin, controller } = await cluster();
    await createTopic('t', [[2, 3]]);
    await admin.setOrCreateEntityConfigs('topics', 't', {
      'unclean.leader.election.enable': 'true',
    });
    const s = await state('t', 0);
    await admin.conditionalUpdateLeaderAndIsr(
      { topic: 't', partition: 0 },
      { ...s, isr: [2] },
      s.zkVersion,
    );
    await kill(2);
    expect(await state('t', 0)).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 1 });
    expect(controller.electionStats.uncleanLeaderElections).toBe(1);
  });

  it('the broker default turning true at runtime (a dynamic broker config) elects leaderless partitions', async () => {
    let unclean = false;
    const { createTopic, state, kill, admin, controller } = await cluster([1, 2, 3], {
      uncleanLeaderElectionEnable: () => unclean,
    });
    await createTopic('t', [[2, 3]]);
    const s = await state('t', 0);
    await admin.conditionalUpdateLeaderAndIsr(
      { topic: 't', partition: 0 },
      { ...s, isr: [2] },
      s.zkVersion,
    );
    await kill(2);
    const leaderless = await state('t', 0);
    expect(leaderless).toMatchObject({ leader: -1, isr: [2] }); // clean: no leader
    unclean = true;
    controller.enableDefaultUncleanLeaderElection();
    await controller.idle();
    expect(await state('t', 0)).toMatchObject({
      leader: 3,
      isr: [3],
      leaderEpoch: leaderless.leaderEpoch + 1,
    });
    expect(controller.electionStats.uncleanLeaderElections).toBe(1);
  });

  it('controlled shutdown moves leadership away and takes the broker out of the ISRs', async () => {
    const { createTopic, state, controller, zookeeper, channel } = await cluster();
    await createTopic('t', [[2, 3], [3, 2], [2]]);
    const epoch = zookeeper.brokers.get(2)!.czxid;
    expect(await controller.controlledShutdown(2, epoch - 1)).toEqual({
      error: 'STALE_BROKER_EPOCH',
      remaining: [],
    });
    const r = await controller.controlledShutdown(2, epoch);
    expect(r.error).toBe('NONE');
    expect(r.remaining).toEqual([]); // RF 1 partitions are not waited for, as in Kafka
    expect(await state('t', 0)).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 1 });
    expect(await state('t', 1)).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 1 });
    expect(await state('t', 2)).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 0 });
    // as Kafka's doControlledShutdown: StopReplica only for the partitions it followed (t-1);
    // t-0, which it led, left its ISR with the election and it follows the new leader
    const stopped = channel.sent
      .filter((x) => x.apiKey === 5 && x.to === 2)
      .flatMap((x) =>
        (x.body as RequestOf<5>).partitions.map((p) => `${p.topicName}-${p.partitionIndex}`),
      );
    expect(stopped).toEqual(['t-1']);
    // Kafka's order of the requests (the ZooKeeper writes of the ISR removals go with the
    // elections'): the new leader of t-0 (to both replicas), StopReplica of t-1, t-1's ISR removal
    const order = channel.sent
      .filter((x) => x.apiKey === 5 || x.apiKey === 4)
      .flatMap((x) =>
        x.apiKey === 5
          ? [`stop ${x.to}`]
          : (x.body as RequestOf<4>).partitionStates
              .filter((p) => p.leaderEpoch > 0)
              .map((p) => `${p.topicName}-${p.partitionIndex} to ${x.to}`),
      );
    expect(order).toEqual(['t-0 to 2', 't-0 to 3', 'stop 2', 't-1 to 3']);
    expect(await controller.controlledShutdown(9, 0)).toEqual({
      error: 'BROKER_NOT_AVAILABLE',
      remaining: [],
    });
  });

  it('shutting down answers a queued ControlledShutdown with NOT_CONTROLLER, not never', async () => {
    // Two brokers stop beside the controller: one's request runs, the other's waits in the
    // queue when the controller shuts down. Kafka preempts it (ControllerMovedException);
    // left unanswered, its broker waited out controller.socket.timeout.ms (30 s).
    const { createTopic, controller, zookeeper } = await cluster();
    await createTopic('t', [
      [2, 3],
      [3, 2],
    ]);
    const running = controller.controlledShutdown(2, zookeeper.brokers.get(2)!.czxid);
    const queued = controller.controlledShutdown(3, zookeeper.brokers.get(3)!.czxid);
    await controller.shutdown();
    await expect(queued).rejects.toMatchObject({
      errorName: 'NOT_CONTROLLER',
      message: expect.stringMatching(
        /ControlledShutdown preempted: the controller is shutting down/,
      ),
    });
    expect((await running).error).toBe('NONE');
  });

  it('AlterPartition: accepted ISR expansion, then preferred replica election', async () => {
    const { createTopic, state, kill, restart, controller, zookeeper, channel } = await cluster();
    await createTopic('t', [[2, 3]]);
    await kill(2);
    await restart(2);
    const s = await state('t', 0);
    expect(s).toMatchObject({ leader: 3, isr: [3] });
    channel.take(6);
    const res = await controller.alterPartition({
      brokerId: 3,
      brokerEpoch: zookeeper.brokers.get(3)!.czxid,
      topics: [
        {
          topicName: 't',
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: s.leaderEpoch,
              partitionEpoch: s.zkVersion,
              newIsr: [3, 2],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    expect(res.errorCode).toBe(0);
    expect(res.topics[0].partitions[0]).toMatchObject({
      errorCode: 0,
      leaderId: 3,
      leaderEpoch: s.leaderEpoch,
      isr: [3, 2],
      partitionEpoch: s.zkVersion + 1,
    });
    // leader and leader_epoch unchanged, the new ISR sent to every live broker
    expect(await state('t', 0)).toMatchObject({
      leader: 3,
      leaderEpoch: s.leaderEpoch,
      isr: [3, 2],
    });
    expect(
      channel
        .take(6)
        .map((x) => x.to)
        .sort(),
    ).toEqual([1, 2, 3]);

    const elected = await controller.electPreferredLeaders([{ topic: 't', partition: 0 }]);
    expect(elected!.get('t-0')).toEqual({ error: 'NONE', message: '', leader: 2 });
    expect(await state('t', 0)).toMatchObject({
      leader: 2,
      leaderEpoch: s.leaderEpoch + 1,
      isr: [3, 2],
    });
    const again = await controller.electPreferredLeaders([{ topic: 't', partition: 0 }]);
    expect(again!.get('t-0')!.error).toBe('ELECTION_NOT_NEEDED');
  });

  it('AlterPartition: refusals', async () => {
    const { createTopic, state, kill, controller, zookeeper } = await cluster();
    await createTopic('t', [[2, 3, 1]]);
    const s = await state('t', 0);
    const epoch2 = zookeeper.brokers.get(2)!.czxid;
    const alter = (
      brokerEpoch: number,
      p: Partial<{
        leaderEpoch: number;
        partitionEpoch: number;
        newIsr: number[];
        leaderRecoveryState: number;
      }>,
      topic = 't',
    ) =>
      controller.alterPartition({
        brokerId: 2,
        brokerEpoch,
        topics: [
          {
            topicName: topic,
            partitions: [
              {
                partitionIndex: 0,
                leaderEpoch: s.leaderEpoch,
                partitionEpoch: s.zkVersion,
                newIsr: [2, 3],
                leaderRecoveryState: 0,
                ...p,
              },
            ],
          },
        ],
      });
    expect((await alter(epoch2 - 1, {})).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const code = async (p: Parameters<typeof alter>[1], topic?: string) =>
      (await alter(epoch2, p, topic)).topics[0].partitions[0].errorCode;
    expect(await code({}, 'nope')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // epochs ahead of the controller's: the leader heard from a newer controller (Kafka 3.4)
    expect(await code({ leaderEpoch: s.leaderEpoch + 1 })).toBe(ErrorCode.NOT_CONTROLLER);
    expect(await code({ partitionEpoch: s.zkVersion + 3 })).toBe(ErrorCode.NOT_CONTROLLER);
    expect(await code({ leaderEpoch: s.leaderEpoch - 1 })).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(await code({ partitionEpoch: s.zkVersion - 1 })).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    // RECOVERING with more than one ISR member, and RECOVERED → RECOVERING
    expect(await code({ leaderRecoveryState: 1, newIsr: [2, 3] })).toBe(ErrorCode.INVALID_REQUEST);
    expect(await code({ leaderRecoveryState: 1, newIsr: [2] })).toBe(ErrorCode.INVALID_REQUEST);
    // a broker in controlled shutdown is not eligible for the ISR (Kafka's liveBrokerIds)
    controller.partitions.context.shuttingDownBrokerIds.add(3);
    expect(await code({ newIsr: [2, 3] })).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(await code({ newIsr: [2, 1] })).toBe(ErrorCode.NONE);
    controller.partitions.context.shuttingDownBrokerIds.delete(3);
    await kill(3);
    const now = await state('t', 0);
    expect(now.isr).toEqual([2, 1]);
    // a dead broker cannot join the ISR
    const dead = await controller.alterPartition({
      brokerId: 2,
      brokerEpoch: epoch2,
      topics: [
        {
          topicName: 't',
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: now.leaderEpoch,
              partitionEpoch: now.zkVersion,
              newIsr: [2, 1, 3],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    expect(dead.topics[0].partitions[0].errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(await state('t', 0)).toEqual(now); // nothing written
  });

  it('topic deletion: StopReplica(delete) to every replica, then every znode of the topic goes', async () => {
    const { createTopic, admin, settle, channel, controller } = await cluster();
    await createTopic('gone', [
      [1, 2],
      [2, 3],
    ]);
    channel.take(5);
    await admin.createDeleteTopicPath('gone');
    await settle();
    expect(await admin.topicExists('gone')).toBe(false);
    expect(await admin.getTopicPartitionStates([{ topic: 'gone', partition: 0 }])).toEqual(
      new Map(),
    );
    expect(await admin.getTopicDeletions()).toEqual([]);
    expect(await admin.getEntityConfigs('topics', 'gone')).toEqual({});
    expect(controller.partitions.context.allTopics.has('gone')).toBe(false);
    const stops = channel.sent.filter((s) => s.apiKey === 5);
    const deleted = stops.flatMap((s) =>
      (s.body as RequestOf<5>).partitions
        .filter((p) => p.deletePartition)
        .map((p) => `${s.to}:${p.topicName}-${p.partitionIndex}`),
    );
    expect(deleted.sort()).toEqual(['1:gone-0', '2:gone-0', '2:gone-1', '3:gone-1']);
  });

  it('fencing: a write refused by a newer controller epoch makes it resign and writes nothing', async () => {
    const { createTopic, state, kill, controller, zookeeper, sessions } = await cluster();
    await createTopic('t', [[3, 2]]);
    const before = await state('t', 0);
    // broker 2 became controller meanwhile (this one missed the notification)
    zookeeper.controllerEpoch = { epoch: 2, version: 2 };
    zookeeper.controller = {
      json: ControllerZNode.encode(2, 0),
      version: 0,
      czxid: zookeeper.nextZxid(),
      owner: sessions.get(2)!.sessionId,
    };
    const fenced: unknown[] = [];
    controller.on('fenced', (e) => fenced.push(e));
    await kill(3);
    expect(fenced).toHaveLength(1);
    expect((fenced[0] as Error).name).toBe('ControllerMovedError');
    expect(controller.isActive()).toBe(false);
    expect(controller.activeControllerId).toBe(2);
    expect(controller.stats.resignations).toBe(1);
    expect(await state('t', 0)).toEqual(before);
  });

  it('session expiry: resigns, registers again with a new broker epoch, is elected again', async () => {
    const { controller, zookeeper, sessions, settle } = await cluster();
    const epochBefore = zookeeper.brokers.get(1)!.czxid;
    zookeeper.expireSession(sessions.get(1)!);
    await settle();
    expect(zookeeper.brokers.get(1)!.czxid).toBeGreaterThan(epochBefore);
    expect(controller.stats.resignations).toBe(1);
    expect(controller.isActive()).toBe(true);
    expect(controller.epoch).toBe(2);
  });

  it('auto leader rebalance: 5 s after failover on the timer, moves leadership back to the preferred replica', async () => {
    const { createTopic, kill, restart, state, timer, settle, controller, zookeeper } =
      await cluster([1, 2, 3], { autoLeaderRebalanceEnable: true });
    await createTopic('t', [[2, 3]]);
    await kill(2);
    await restart(2);
    const s = await state('t', 0);
    const res = await controller.alterPartition({
      brokerId: 3,
      brokerEpoch: zookeeper.brokers.get(3)!.czxid,
      topics: [
        {
          topicName: 't',
          partitions: [
            {
              partitionIndex: 0,
              leaderEpoch: s.leaderEpoch,
              partitionEpoch: s.zkVersion,
              newIsr: [3, 2],
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    });
    expect(res.topics[0].partitions[0].errorCode).toBe(0);
    timer.advanceClock(4999);
    await settle();
    expect((await state('t', 0)).leader).toBe(3);
    timer.advanceClock(1);
    await settle();
    expect((await state('t', 0)).leader).toBe(2);
    expect(timer.size).toBe(1); // the next check, leader.imbalance.check.interval later
  });

  describe('reassignment (KIP-455 on the ZooKeeper path)', () => {
    const alterIsr = (
      controller: KafkaController,
      brokerId: number,
      brokerEpoch: number,
      s: PartitionStateAndZkVersion,
      newIsr: number[],
    ) =>
      controller.alterPartition({
        brokerId,
        brokerEpoch,
        topics: [
          {
            topicName: 't',
            partitions: [
              {
                partitionIndex: 0,
                leaderEpoch: s.leaderEpoch,
                partitionEpoch: s.zkVersion,
                newIsr,
                leaderRecoveryState: 0,
              },
            ],
          },
        ],
      });

    it('/admin/reassign_partitions: RS, AR, RR in the topic znode; new replicas started; completed once in the ISR', async () => {
      const { createTopic, state, admin, settle, controller, channel, zookeeper } = await cluster([
        1, 2, 3, 4,
      ]);
      await createTopic('t', [[1, 2, 3]]);
      channel.take(4);
      await admin.createPartitionReassignment([{ topic: 't', partition: 0, replicas: [2, 3, 4] }]);
      await settle();
      const assignment = async () =>
        (await admin.getReplicaAssignmentForTopics(['t'])).get('t')!.partitions.get(0);
      // U: target first, then the origin replicas; adding and removing as Kafka writes them
      expect(await assignment()).toEqual({
        replicas: [2, 3, 4, 1],
        addingReplicas: [4],
        removingReplicas: [1],
      });
      // A1: leader_epoch + 1 with the same leader and ISR
      const s = await state('t', 0);
      expect(s).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2, 3], zkVersion: 1 });
      const lai = channel.take(4);
      const to = (b: number) =>
        lai.filter((x) => x.to === b).flatMap((x) => (x.body as RequestOf<4>).partitionStates);
      expect(to(4)[0]).toMatchObject({
        leader: 1,
        leaderEpoch: 1,
        isNew: true,
        replicas: [2, 3, 4, 1],
      });
      for (const b of [1, 2, 3])
        expect(to(b)[0]).toMatchObject({ leaderEpoch: 1, isNew: false, replicas: [2, 3, 4, 1] });
      expect(await controller.listPartitionReassignments(null)).toEqual([
        {
          tp: { topic: 't', partition: 0 },
          assignment: { replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
        },
      ]);
      expect(zookeeper.reassignPartitions).not.toBeNull();
      // broker 4 caught up: the leader adds it to the ISR
      const r = await alterIsr(controller, 1, zookeeper.brokers.get(1)!.czxid, s, [1, 2, 3, 4]);
      expect(r.topics[0].partitions[0].errorCode).toBe(0);
      await settle();
      // B3: leader 1 is not in the target: 2 leads (ISR kept); B4: 1 leaves the ISR
      expect(await state('t', 0)).toMatchObject({ leader: 2, leaderEpoch: 3, isr: [2, 3, 4] });
      expect(await assignment()).toEqual({
        replicas: [2, 3, 4],
        addingReplicas: [],
        removingReplicas: [],
      });
      const stops = channel.sent
        .filter((x) => x.apiKey === 5)
        .flatMap((x) =>
          (x.body as RequestOf<5>).partitions.map((p) => `${x.to}:${p.deletePartition}`),
        );
      expect(stops).toEqual(['1:true']);
      expect(zookeeper.reassignPartitions).toBeNull();
      expect(await controller.listPartitionReassignments(null)).toEqual([]);
      expect(controller.partitions.context.replicasOf({ topic: 't', partition: 0 })).toEqual([
        2, 3, 4,
      ]);
    });

    it('a topic being reassigned is deleted only once its reassignment completes', async () => {
      const { createTopic, state, admin, settle, controller, zookeeper } = await cluster([
        1, 2, 3, 4,
      ]);
      await createTopic('t', [[1, 2, 3]]);
      await admin.createPartitionReassignment([{ topic: 't', partition: 0, replicas: [2, 3, 4] }]);
      await settle();
      const s = await state('t', 0);
      await admin.createDeleteTopicPath('t');
      await settle();
      // Ineligible while the reassignment runs: nothing deleted, the request stays queued.
      expect(await admin.topicExists('t')).toBe(true);
      expect(await admin.getTopicDeletions()).toEqual(['t']);
      expect(controller.partitions.context.topicsToBeDeleted.has('t')).toBe(true);
      // Broker 4 joins the ISR: the reassignment completes, then the deletion goes on.
      const r = await alterIsr(controller, 1, zookeeper.brokers.get(1)!.czxid, s, [1, 2, 3, 4]);
      expect(r.topics[0].partitions[0].errorCode).toBe(0);
      await settle();
      expect(zookeeper.reassignPartitions).toBeNull();
      expect(await admin.topicExists('t')).toBe(false);
      expect(await admin.getTopicDeletions()).toEqual([]);
    });

    it('AlterPartitionReassignments: validation, cancellation back to the origin replicas', async () => {
      const { createTopic, state, admin, controller, channel, kill } = await cluster([
        1, 2, 3, 4, 5,
      ]);
      await createTopic('t', [[1, 2, 3]]);
      await kill(5);
      const tp = { topic: 't', partition: 0 };
      const alter = async (replicas: number[] | null, p = tp) =>
        (await controller.alterPartitionReassignments([{ tp: p, replicas }]))!.get(
          `${p.topic}-${p.partition}`,
        )!.error;
      expect(await alter(null)).toBe('NO_REASSIGNMENT_IN_PROGRESS');
      expect(await alter([])).toBe('INVALID_REPLICA_ASSIGNMENT');
      expect(await alter([2, 2, 3])).toBe('INVALID_REPLICA_ASSIGNMENT');
      expect(await alter([-1, 2])).toBe('INVALID_REPLICA_ASSIGNMENT');
      expect(await alter([1, 2, 5])).toBe('INVALID_REPLICA_ASSIGNMENT'); // 5 is dead
      expect(await alter([1, 2], { topic: 'nope', partition: 0 })).toBe(
        'UNKNOWN_TOPIC_OR_PARTITION',
      );
      channel.take(5);
      expect(await alter([1, 2, 3, 4])).toBe('NONE'); // a replication factor increase
      const assignment = async () =>
        (await admin.getReplicaAssignmentForTopics(['t'])).get('t')!.partitions.get(0);
      expect(await assignment()).toEqual({
        replicas: [1, 2, 3, 4],
        addingReplicas: [4],
        removingReplicas: [],
      });
      expect(await alter(null)).toBe('NONE'); // cancel
      expect(await assignment()).toEqual({
        replicas: [1, 2, 3],
        addingReplicas: [],
        removingReplicas: [],
      });
      const stops = channel.sent
        .filter((x) => x.apiKey === 5)
        .flatMap((x) =>
          (x.body as RequestOf<5>).partitions.map((p) => `${x.to}:${p.deletePartition}`),
        );
      expect(stops).toEqual(['4:true']);
      expect((await state('t', 0)).isr).toEqual([1, 2, 3]);
      expect(await controller.listPartitionReassignments(null)).toEqual([]);
    });

    it('a controller failover mid-reassignment resumes from the znodes and completes it', async () => {
      const env = await cluster([1, 2, 3, 4]);
      const { createTopic, state, admin, settle, sessions, zookeeper } = env;
      await createTopic('t', [[2, 3]]);
      await admin.createPartitionReassignment([{ topic: 't', partition: 0, replicas: [3, 4] }]);
      await settle();
      const assignment = async () =>
        (await admin.getReplicaAssignmentForTopics(['t'])).get('t')!.partitions.get(0);
      expect(await assignment()).toEqual({
        replicas: [3, 4, 2],
        addingReplicas: [4],
        removingReplicas: [2],
      });
      const zk2 = sessions.get(2)!;
      const channel2 = new RecordingChannel();
      const second = new KafkaController({
        brokerId: 2,
        zkClient: zk2,
        registerBroker: () => zk2.registerBroker(info(2)),
        channel: channel2,
        timer: env.timer,
        autoLeaderRebalanceEnable: false,
      });
      second.startup();
      const settle2 = async () => {
        for (let i = 0; i < 10; i++) {
          await second.idle();
          await new Promise<void>((r) => setImmediate(r));
        }
      };
      try {
        await settle2();
        await sessions.get(1)!.close(); // the controller dies mid-reassignment
        await settle2();
        expect(second.isActive()).toBe(true);
        // resumed: the new replica is told again (isNew) by the new controller
        const toFour = channel2.sent
          .filter((x) => x.apiKey === 4 && x.to === 4)
          .flatMap((x) => (x.body as RequestOf<4>).partitionStates);
        expect(toFour.some((p) => p.isNew && p.replicas.join(',') === '3,4,2')).toBe(true);
        expect(await second.listPartitionReassignments(null)).toHaveLength(1);
        const s = await state('t', 0);
        expect(s.controllerEpoch).toBe(2);
        const r = await alterIsr(second, 2, zookeeper.brokers.get(2)!.czxid, s, [2, 3, 4]);
        expect(r.topics[0].partitions[0].errorCode).toBe(0);
        await settle2();
        expect(await assignment()).toEqual({
          replicas: [3, 4],
          addingReplicas: [],
          removingReplicas: [],
        });
        expect(await state('t', 0)).toMatchObject({ leader: 3, isr: [3, 4], controllerEpoch: 2 });
        expect(zookeeper.reassignPartitions).toBeNull();
      } finally {
        await second.shutdown();
      }
    });

    it('/admin/preferred_replica_election: preferred leaders elected, the znode deleted', async () => {
      const { createTopic, state, admin, settle, kill, restart, zookeeper, controller } =
        await cluster();
      await createTopic('t', [[2, 3]]);
      await kill(2);
      await restart(2);
      const s = await state('t', 0);
      expect(s.leader).toBe(3);
      const r = await alterIsr(controller, 3, zookeeper.brokers.get(3)!.czxid, s, [3, 2]);
      expect(r.topics[0].partitions[0].errorCode).toBe(0);
      await admin.createPreferredReplicaElection([
        { topic: 't', partition: 0 },
        { topic: 'missing', partition: 0 },
      ]);
      await settle();
      expect((await state('t', 0)).leader).toBe(2);
      expect(zookeeper.preferredReplicaElection).toBeNull();
    });
  });

  describe('znode formats by inter.broker.protocol.version', () => {
    const uncleanAt = async (ibp: string) => {
      const { createTopic, state, kill, admin, controller, zookeeper } = await cluster([1, 2, 3], {
        interBrokerProtocolVersion: ibp,
      });
      await createTopic('t', [[2, 3]]);
      const s = await state('t', 0);
      await admin.conditionalUpdateLeaderAndIsr(
        { topic: 't', partition: 0 },
        { ...s, isr: [2] },
        s.zkVersion,
      );
      await kill(2);
      const r = await controller.electLeaders([{ topic: 't', partition: 0 }], 'unclean');
      expect(r!.get('t-0')!.error).toBe('NONE');
      return { state: await state('t', 0), zookeeper };
    };

    it('IBP 3.5: /controller v2, /feature v2, leader_recovery_state RECOVERING after an unclean election', async () => {
      const { state, zookeeper } = await uncleanAt('3.5');
      expect(state).toMatchObject({ leader: 3, isr: [3], leaderRecoveryState: 1 });
      expect(JSON.parse(zookeeper.controller!.json)).toMatchObject({
        version: 2,
        brokerid: 1,
        kraftControllerEpoch: -1,
      });
      expect(JSON.parse(zookeeper.feature!.json)).toEqual({ features: {}, version: 2, status: 1 });
    });

    it('IBP 3.1: /controller v1, /feature v1, no leader_recovery_state', async () => {
      const { state, zookeeper } = await uncleanAt('3.1');
      expect(state).toMatchObject({ leader: 3, isr: [3] });
      expect(state.leaderRecoveryState).toBeUndefined();
      expect(Object.keys(JSON.parse(zookeeper.controller!.json))).toEqual([
        'version',
        'brokerid',
        'timestamp',
      ]);
      expect(JSON.parse(zookeeper.feature!.json)).toEqual({ features: {}, version: 1, status: 1 });
    });

    it('IBP 3.3: /feature v2 but /controller still v1', async () => {
      const { zookeeper } = await cluster([1], { interBrokerProtocolVersion: '3.3-IV3' });
      expect(JSON.parse(zookeeper.controller!.json).version).toBe(1);
      expect(JSON.parse(zookeeper.feature!.json).version).toBe(2);
    });
  });
});
