/**
 * Consumer groups over the wire on an in-process cluster: FindCoordinator, the join /
 * sync / heartbeat / leave protocol, committed offsets in ZooKeeper, and the
 * coordinator moving when its broker stops.
 */
import { coordinatorForGroup } from '@kzoo/broker';
import { ErrorCode } from '@kzoo/common';
import { ApiKeys, type Connection, type JoinGroupResponse } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { connectTestSession } from '@kzoo/testkit/jest';
import { createTopic, randomTopic, startCluster, type TestCluster } from './cluster';

const GROUP_SETTINGS = {
  'group.initial.rebalance.delay.ms': '50',
  'group.min.session.timeout.ms': '100',
};

async function findCoordinator(conn: Connection, group: string): Promise<number> {
  const r = await conn.request(ApiKeys.FindCoordinator, 0, { key: group, keyType: 0 });
  expect(r.errorCode).toBe(0);
  return r.nodeId;
}

function join(conn: Connection, group: string, memberId: string): Promise<JoinGroupResponse> {
  return conn.request(ApiKeys.JoinGroup, 0, {
    groupId: group,
    sessionTimeoutMs: 3000,
    rebalanceTimeoutMs: 5000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(`meta-of-${conn.port}`) }],
    reason: null,
  });
}

/** Join twice (MEMBER_ID_REQUIRED then with the id), as a client does. */
async function joinNew(conn: Connection, group: string): Promise<JoinGroupResponse> {
  const first = await join(conn, group, '');
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return join(conn, group, first.memberId);
}

async function coordinatorConnections(
  cluster: TestCluster,
  group: string,
  n: number,
): Promise<{ id: number; conns: Connection[] }> {
  const id = await findCoordinator(await cluster.connect(1), group);
  const conns: Connection[] = [];
  for (let i = 0; i < n; i++) conns.push(await cluster.connect(id));
  return { id, conns };
}

describe('Broker > groups (in-process cluster)', () => {
  it('answers FindCoordinator alike on every broker, and NOT_COORDINATOR elsewhere', async () => {
    const cluster = await startCluster(3, GROUP_SETTINGS);
    const group = randomTopic('group');
    const expected = coordinatorForGroup(group, [1, 2, 3]);
    for (const id of [1, 2, 3]) {
      const conn = await cluster.connect(id);
      const r = await conn.request(ApiKeys.FindCoordinator, 0, { key: group, keyType: 0 });
      expect(r).toMatchObject({ errorCode: 0, nodeId: expected, host: '127.0.0.1' });
      expect(r.port).toBe(cluster.broker(expected!).dataPlane.socketServer.port);
    }
    const other = [1, 2, 3].find((b) => b !== expected)!;
    const wrong = await join(await cluster.connect(other), group, '');
    expect(wrong.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const fetch = await (
      await cluster.connect(other)
    ).request(ApiKeys.OffsetFetch, 0, {
      groupId: group,
      topics: null,
      requireStable: false,
    });
    expect(fetch.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('runs a generation over the wire and keeps committed offsets in ZooKeeper', async () => {
    const cluster = await startCluster(1, GROUP_SETTINGS);
    const topic = randomTopic();
    const admin = await cluster.connect(1);
    expect((await createTopic(admin, topic, 4)).topics[0].errorCode).toBe(0);
    await waitFor('topic in metadata', () =>
      cluster.broker(1).dataPlane.metadataCache.contains(topic),
    );
    const group = randomTopic('group');
    const { conns } = await coordinatorConnections(cluster, group, 2);
    const [ra, rb] = await Promise.all([joinNew(conns[0], group), joinNew(conns[1], group)]);
    expect([ra.errorCode, rb.errorCode]).toEqual([0, 0]);
    expect(ra.generationId).toBe(1);
    const leader = ra.leader === ra.memberId ? 0 : 1;
    const results = [ra, rb];
    expect(results[leader].members).toHaveLength(2);
    expect(results[1 - leader].members).toEqual([]);
    const sync = (i: number) =>
      conns[i].request(ApiKeys.SyncGroup, 0, {
        groupId: group,
        generationId: 1,
        memberId: results[i].memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments:
          i === leader
            ? results.map((r, j) => ({ memberId: r.memberId, assignment: Buffer.from(`asg-${j}`) }))
            : [],
      });
    const [sa, sb] = await Promise.all([sync(1 - leader), sync(leader)]);
    expect(sa.assignment.toString()).toBe(`asg-${1 - leader}`);
    expect(sb.assignment.toString()).toBe(`asg-${leader}`);

    const hb = await conns[0].request(ApiKeys.Heartbeat, 0, {
      groupId: group,
      generationId: 1,
      memberId: ra.memberId,
      groupInstanceId: null,
    });
    expect(hb.errorCode).toBe(0);

    const commit = await conns[0].request(ApiKeys.OffsetCommit, 0, {
      groupId: group,
      generationId: 1,
      memberId: ra.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 17,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
            {
              partitionIndex: 3,
              committedOffset: 4,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
            {
              partitionIndex: 9,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(commit.topics[0].partitions.map((p) => p.errorCode)).toEqual([
      0,
      0,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const stale = await conns[1].request(ApiKeys.OffsetCommit, 0, {
      groupId: group,
      generationId: 0,
      memberId: rb.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(stale.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const kzk = new KafkaZkClient(await connectTestSession({ connectString: cluster.zk }));
    expect(
      (await kzk.getDataAndStat(`/consumers/${group}/offsets/${topic}/0`))!.data!.toString(),
    ).toBe('17');
    expect(await kzk.getConsumerOffsets(group)).toEqual([
      { topic, partition: 0, offset: 17 },
      { topic, partition: 3, offset: 4 },
    ]);
    const fetched = await conns[1].request(ApiKeys.OffsetFetch, 0, {
      groupId: group,
      topics: [{ name: topic, partitionIndexes: [0, 1, 3] }],
      requireStable: false,
    });
    expect(fetched.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset])).toEqual([
      [0, 17],
      [1, -1],
      [3, 4],
    ]);

    const described = await admin.request(ApiKeys.DescribeGroups, 0, { groups: [group] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(described.groups[0].members).toHaveLength(2);
    expect(described.groups[0].members[0].clientHost).toBe('/127.0.0.1');

    // both leave: the group is Empty, then deletable with its offsets
    for (const [i, r] of [ra, rb].entries()) {
      const left = await conns[i].request(ApiKeys.LeaveGroup, 0, {
        groupId: group,
        members: [{ memberId: r.memberId, groupInstanceId: null, reason: null }],
      });
      expect(left.members[0].errorCode).toBe(0);
    }
    const listed = await admin.request(ApiKeys.ListGroups, 0, { statesFilter: [] });
    expect(listed.groups).toContainEqual({
      groupId: group,
      protocolType: 'consumer',
      groupState: 'Empty',
    });
    const deleted = await admin.request(ApiKeys.DeleteGroups, 0, {
      groupsNames: [group, `${group}-none`],
    });
    expect(deleted.results).toEqual([
      { groupId: group, errorCode: 0 },
      { groupId: `${group}-none`, errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(await kzk.consumerGroupExists(group)).toBe(false);
  });

  it('moves the coordinator when its broker stops; offsets survive, members rejoin there', async () => {
    const cluster = await startCluster(3, GROUP_SETTINGS);
    const topic = randomTopic();
    const admin = await cluster.connect(1);
    await createTopic(admin, topic, 2, 1);
    await waitFor('topic known everywhere', () =>
      cluster.brokers.every((b) => b.dataPlane.metadataCache.contains(topic)),
    );
    const group = randomTopic('group');
    const { id: first, conns } = await coordinatorConnections(cluster, group, 1);
    const r = await joinNew(conns[0], group);
    await conns[0].request(ApiKeys.SyncGroup, 0, {
      groupId: group,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: r.memberId, assignment: Buffer.from('all') }],
    });
    const commit = await conns[0].request(ApiKeys.OffsetCommit, 0, {
      groupId: group,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 99,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(commit.topics[0].partitions[0].errorCode).toBe(0);

    await cluster.broker(first).shutdown();
    const survivors = [1, 2, 3].filter((b) => b !== first);
    await waitFor(
      'survivors see the broker gone',
      () => survivors.every((b) => !cluster.broker(b).dataPlane.metadataCache.isBrokerAlive(first)),
      { timeoutMs: 15000 },
    );
    const next = coordinatorForGroup(group, survivors)!;
    expect(next).not.toBe(first);
    const conn = await cluster.connect(survivors[0]);
    expect(await findCoordinator(conn, group)).toBe(next);
    const nc = await cluster.connect(next);
    // the old member id is unknown at the new coordinator: it rejoins from scratch
    const hb = await nc.request(ApiKeys.Heartbeat, 0, {
      groupId: group,
      generationId: r.generationId,
      memberId: r.memberId,
      groupInstanceId: null,
    });
    expect(hb.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const fetched = await nc.request(ApiKeys.OffsetFetch, 0, {
      groupId: group,
      topics: [{ name: topic, partitionIndexes: [1] }],
      requireStable: false,
    });
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(99);
    const again = await joinNew(nc, group);
    expect(again).toMatchObject({ errorCode: 0, generationId: 1 });
  });
});
