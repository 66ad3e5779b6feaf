/**
 * ConsumerCoordinator on a MockTime with a scripted group coordinator: the timing bounds
 * behind client/test/groups*.int.test.ts ("a member that stops polling leaves after
 * max.poll.interval.ms", "a rebalance is noticed within heartbeat.interval.ms") proved
 * on the mock clock instead of measured on the wall clock.
 */
import { createLogger, MockTime } from '@kzoo/common';
import { ApiKeys, type Connection } from '@kzoo/protocol';
import { encodeAssignment, RangeAssignor } from './assignors';
import { ConsumerCoordinator } from './ConsumerCoordinator';
import type { Metadata } from './Metadata';
import type { NetworkClient } from './NetworkClient';

const HEARTBEAT_MS = 100;
const MAX_POLL_MS = 1500;

/** Answers the group APIs as a coordinator of a group where this member is a follower. */
class ScriptedCoordinator {
  readonly sent: Array<{ apiKey: number; at: number }> = [];
  heartbeatError = 0;
  closed = false;

  constructor(private readonly time: MockTime) {}

  async request(apiKey: number): Promise<unknown> {
    this.sent.push({ apiKey, at: this.time.milliseconds() });
    switch (apiKey) {
      case ApiKeys.FindCoordinator:
        return { errorCode: 0, errorMessage: null, nodeId: 1, host: 'coordinator', port: 1 };
      case ApiKeys.JoinGroup:
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

async function stableMember() {
  const time = new MockTime(0);
  const coordinator = new ScriptedCoordinator(time);
  const conn = coordinator as unknown as Connection;
  const assigned: string[][] = [];
  const member = new ConsumerCoordinator({
    groupId: 'g',
    groupInstanceId: null,
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
