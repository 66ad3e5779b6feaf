/**
 * ConsumerCoordinator on a MockTime with a scripted group coordinator: the timing bounds
 * behind client/test/groups*.int.test.ts ("a member that stops polling leaves after
 * max.poll.interval.ms", "a rebalance is noticed within heartbeat.interval.ms") proved
 * on the mock clock instead of measured on the wall clock.
 */
import { createLogger, KafkaError, MockTime } from '@kzoo/common';
import { ApiKeys, type Connection } from '@kzoo/protocol';
import { encodeAssignment, RangeAssignor } from './assignors';
import { ConsumerCoordinator } from './ConsumerCoordinator';
import type { Metadata } from './Metadata';
import type { NetworkClient } from './NetworkClient';

const HEARTBEAT_MS = 100;
const MAX_POLL_MS = 1500;

/** Answers the group APIs as a coordinator of a group where this member is a follower. */
class ScriptedCoordinator {
  readonly sent: Array<{ apiKey: number; at: number; body: Record<string, unknown> }> = [];
  heartbeatError = 0;
  joinError = 0;
  commitError = 0;
  closed = false;

  constructor(private readonly time: MockTime) {}

  async request(apiKey: number, _version: number, body: Record<string, unknown>): Promise<unknown> {
    this.sent.push({ apiKey, at: this.time.milliseconds(), body });
    switch (apiKey) {
      case ApiKeys.FindCoordinator:
        return { errorCode: 0, errorMessage: null, nodeId: 1, host: 'coordinator', port: 1 };
      case ApiKeys.JoinGroup:
        if (this.joinError !== 0) return { errorCode: this.joinError, memberId: body.memberId };
        return {
          errorCode: 0,
          generationId: 1,
          protocolName: 'range',
          leader: 'leader-member',
          memberId: 'me',
          members: [],
        };
      case ApiKeys.SyncGroup:
        return {
          errorCode: 0,
          assignment: encodeAssignment({
            partitions: [{ topic: 't', partition: 0 }],
            userData: null,
          }),
        };
      case ApiKeys.OffsetFetch:
        return { errorCode: 0, topics: [] };
      case ApiKeys.Heartbeat:
        return { errorCode: this.heartbeatError };
      case ApiKeys.LeaveGroup:
        return { errorCode: 0, members: [] };
      case ApiKeys.OffsetCommit: {
        const topics = body.topics as Array<{
          name: string;
          partitions: Array<{ partitionIndex: number }>;
        }>;
        return {
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: this.commitError,
            })),
          })),
        };
      }
      default:
        throw new Error(`unexpected apiKey ${apiKey}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  times(apiKey: number): number[] {
    return this.sent.filter((s) => s.apiKey === apiKey).map((s) => s.at);
  }
}

async function stableMember(groupInstanceId: string | null = null) {
  const time = new MockTime(0);
  const coordinator = new ScriptedCoordinator(time);
  const conn = coordinator as unknown as Connection;
  const assigned: string[][] = [];
  const member = new ConsumerCoordinator({
    groupId: 'g',
    groupInstanceId,
    clientId: 'c',
    sessionTimeoutMs: 3000,
    rebalanceTimeoutMs: MAX_POLL_MS,
    heartbeatIntervalMs: HEARTBEAT_MS,
    retryBackoffMs: 100,
    requestTimeoutMs: 30000,
    connectTimeoutMs: 10000,
    autoCommit: false,
    autoCommitIntervalMs: 5000,
    assignors: [new RangeAssignor()],
    network: { leastLoaded: async () => conn } as unknown as NetworkClient,
    metadata: { add: () => undefined, fetchAllTopics: () => undefined } as unknown as Metadata,
    hooks: {
      positions: () => [],
      assign: (tps) => assigned.push(tps.map((tp) => `${tp.topic}-${tp.partition}`)),
    },
    time,
    logger: createLogger('test', {}),
    connect: async () => conn,
  });
  member.subscribe({ topics: new Set(['t']) });
  member.enterPoll();
  await member.poll(time.milliseconds() + 10000);
  member.leavePoll();
  expect(assigned).toEqual([['t-0']]);
  expect(member.generation.generationId).toBe(1);
  /** Moves the clock in 1 ms steps, letting each request and its answer run. */
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      time.tick(1);
      for (let j = 0; j < 3; j++) await new Promise<void>((r) => setImmediate(r));
    }
  };
  return { time, coordinator, member, advance };
}

describe('client > ConsumerCoordinator > timers on the mock clock', () => {
  it('heartbeats every heartbeat.interval.ms while stable', async () => {
    const { time, coordinator, member, advance } = await stableMember();
    const start = time.milliseconds();
    await advance(5 * HEARTBEAT_MS);
    expect(coordinator.times(ApiKeys.Heartbeat).map((t) => t - start)).toEqual([
      100, 200, 300, 400, 500,
    ]);
    await member.close();
  });

  it('a rebalance is noticed by the next heartbeat: within heartbeat.interval.ms', async () => {
    const { time, coordinator, member, advance } = await stableMember();
    await advance(HEARTBEAT_MS / 2);
    coordinator.heartbeatError = 27; // REBALANCE_IN_PROGRESS from now on
    const startedAt = time.milliseconds();
    const joinsBefore = coordinator.times(ApiKeys.JoinGroup).length;
    await advance(HEARTBEAT_MS);
    const noticed = coordinator.times(ApiKeys.Heartbeat).filter((t) => t >= startedAt);
    expect(noticed).toHaveLength(1);
    expect(noticed[0] - startedAt).toBeLessThanOrEqual(HEARTBEAT_MS);
    // the next poll rejoins at once
    coordinator.heartbeatError = 0;
    member.enterPoll();
    await member.poll(time.milliseconds() + 10000);
    member.leavePoll();
    expect(coordinator.times(ApiKeys.JoinGroup)).toHaveLength(joinsBefore + 1);
    await member.close();
  });

  it('a member that stops polling leaves after max.poll.interval.ms, by one heartbeat interval at most', async () => {
    const { time, coordinator, member, advance } = await stableMember();
    const lastPoll = time.milliseconds();
    await advance(MAX_POLL_MS);
    expect(coordinator.times(ApiKeys.LeaveGroup)).toEqual([]);
    await advance(HEARTBEAT_MS);
    const left = coordinator.times(ApiKeys.LeaveGroup);
    expect(left).toHaveLength(1);
    expect(left[0] - lastPoll).toBeGreaterThan(MAX_POLL_MS);
    expect(left[0] - lastPoll).toBeLessThanOrEqual(MAX_POLL_MS + HEARTBEAT_MS);
    expect(member.generation).toMatchObject({ generationId: -1, memberId: '' });
    await member.close();
  });
});

describe('client > ConsumerCoordinator > static membership (group.instance.id)', () => {
  it('sends the instance id with JoinGroup, SyncGroup, Heartbeat and OffsetCommit', async () => {
    const { coordinator, member, advance, time } = await stableMember('app-1');
    await advance(HEARTBEAT_MS);
    await member.commitSync([{ topic: 't', partition: 0, offset: 3 }], time.milliseconds() + 1000);
    for (const api of [
      ApiKeys.JoinGroup,
      ApiKeys.SyncGroup,
      ApiKeys.Heartbeat,
      ApiKeys.OffsetCommit,
    ]) {
      const sent = coordinator.sent.filter((x) => x.apiKey === api);
      expect(sent.length).toBeGreaterThan(0);
      for (const x of sent) expect(x.body.groupInstanceId).toBe('app-1');
    }
    await member.close();
  });

  it('close() of a static member sends no LeaveGroup; of a dynamic member it does', async () => {
    const stat = await stableMember('app-1');
    await stat.member.close();
    expect(stat.coordinator.times(ApiKeys.LeaveGroup)).toEqual([]);
    const dyn = await stableMember(null);
    await dyn.member.close();
    expect(dyn.coordinator.times(ApiKeys.LeaveGroup)).toHaveLength(1);
  });

  it('a static member that stops polling sends no LeaveGroup, forgets its member id and rejoins without it', async () => {
    const { time, coordinator, member, advance } = await stableMember('app-1');
    await advance(MAX_POLL_MS + HEARTBEAT_MS);
    expect(coordinator.times(ApiKeys.LeaveGroup)).toEqual([]);
    expect(member.generation).toMatchObject({ generationId: -1, memberId: '' });
    member.enterPoll();
    await member.poll(time.milliseconds() + 10000);
    member.leavePoll();
    const joins = coordinator.sent.filter((x) => x.apiKey === ApiKeys.JoinGroup);
    expect(joins.map((x) => x.body.memberId)).toEqual(['', '']);
    await member.close();
  });

  it('FENCED_INSTANCE_ID on a heartbeat is fatal: heartbeats stop, every later poll and commit throws it', async () => {
    const { time, coordinator, member, advance } = await stableMember('app-1');
    coordinator.heartbeatError = 82;
    await advance(HEARTBEAT_MS);
    const beats = coordinator.times(ApiKeys.Heartbeat).length;
    await advance(5 * HEARTBEAT_MS);
    expect(coordinator.times(ApiKeys.Heartbeat)).toHaveLength(beats);
    const message =
      'FENCED_INSTANCE_ID: The broker rejected this static consumer since another consumer ' +
      'with the same group.instance.id has registered with a different member.id.';
    for (let i = 0; i < 2; i++) {
      const err = await member.poll(time.milliseconds() + 1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).code).toBe(82);
      expect((err as KafkaError).message).toBe(message);
    }
    await expect(
      member.commitSync([{ topic: 't', partition: 0, offset: 1 }], time.milliseconds() + 1000),
    ).rejects.toThrow(message);
    const joins = coordinator.times(ApiKeys.JoinGroup).length;
    expect(joins).toBe(1); // no rejoin attempt
    await member.close();
    expect(coordinator.times(ApiKeys.LeaveGroup)).toEqual([]);
  });

  it('FENCED_INSTANCE_ID on JoinGroup or OffsetCommit is thrown at once', async () => {
    const a = await stableMember('app-1');
    a.coordinator.commitError = 82;
    await expect(
      a.member.commitSync([{ topic: 't', partition: 0, offset: 1 }], a.time.milliseconds() + 1000),
    ).rejects.toMatchObject({ code: 82, errorName: 'FENCED_INSTANCE_ID' });
    await expect(a.member.poll(a.time.milliseconds() + 1000)).rejects.toMatchObject({ code: 82 });
    await a.member.close();

    const b = await stableMember('app-2');
    b.coordinator.heartbeatError = 27; // REBALANCE_IN_PROGRESS: the next poll rejoins
    await b.advance(HEARTBEAT_MS);
    b.coordinator.joinError = 82;
    await expect(b.member.poll(b.time.milliseconds() + 1000)).rejects.toMatchObject({ code: 82 });
    await b.member.close();
  });
});
