/**
 * Committed offsets in the real ZooKeeper: KafkaZkClient's consumer-offset operations,
 * ZkOffsetStore, and a GroupCoordinator whose offsets survive a coordinator change.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@kzoo/common';
import { GroupCoordinator, MockTimer, ZkOffsetStore } from '@kzoo/broker';
import { KafkaZkClient } from '@kzoo/zk';
import { connectTestSession, zkConnectForTest } from '@kzoo/testkit/jest';

const rand = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

async function zkClient(connectString: string): Promise<KafkaZkClient> {
  return new KafkaZkClient(await connectTestSession({ connectString }));
}

describe('Broker > GroupCoordinator > ZkOffsetStore', () => {
  it("writes Kafka's /consumers/<group>/offsets/<topic>/<partition> as decimal text, in one multi", async () => {
    const zk = await zkClient(zkConnectForTest());
    await zk.createTopLevelPaths();
    const group = rand('g');
    const store = new ZkOffsetStore(zk);
    const multi = jest.spyOn(zk.zk, 'multi');
    await store.commitOffsets(group, [
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'orders', partition: 11, offset: 0 },
      { topic: 'audit', partition: 3, offset: 9007199254740991 },
    ]);
    expect(multi).toHaveBeenCalledTimes(1);
    const raw = (await zk.getDataAndStat(`/consumers/${group}/offsets/orders/0`))!;
    expect(raw.data!.toString()).toBe('42');
    expect(raw.stat.ephemeralOwner).toBeNull();
    expect((await zk.getDataAndStat(`/consumers/${group}/offsets/audit/3`))!.data!.toString()).toBe(
      '9007199254740991',
    );
    // existing partitions are set, new ones created, in the same request
    await store.commitOffsets(group, [
      { topic: 'orders', partition: 0, offset: 50 },
      { topic: 'orders', partition: 1, offset: 5 },
    ]);
    expect(multi).toHaveBeenCalledTimes(2);
    expect(multi.mock.calls[1][0].map((op) => `${op.op} ${op.path}`)).toEqual([
      `setData /consumers/${group}/offsets/orders/0`,
      `create /consumers/${group}/offsets/orders/1`,
    ]);
    const after = (await zk.getDataAndStat(`/consumers/${group}/offsets/orders/0`))!;
    expect(after.data!.toString()).toBe('50');
    expect(after.stat.version).toBe(1);
    expect(await store.fetchOffsets(group, null)).toEqual([
      { topic: 'audit', partition: 3, offset: 9007199254740991 },
      { topic: 'orders', partition: 0, offset: 50 },
      { topic: 'orders', partition: 1, offset: 5 },
      { topic: 'orders', partition: 11, offset: 0 },
    ]);
    expect(
      await store.fetchOffsets(group, [
        { topic: 'orders', partition: 1 },
        { topic: 'orders', partition: 2 },
        { topic: 'nope', partition: 0 },
      ]),
    ).toEqual([{ topic: 'orders', partition: 1, offset: 5 }]);
    expect(await store.groupExists(group)).toBe(true);
    expect(await store.listGroups()).toContain(group);
    await store.deleteGroup(group);
    expect(await store.groupExists(group)).toBe(false);
    expect(await store.fetchOffsets(group, null)).toEqual([]);
  });

  it('applies all or nothing: a bad offset leaves ZooKeeper untouched', async () => {
    const zk = await zkClient(zkConnectForTest());
    const group = rand('g');
    const store = new ZkOffsetStore(zk);
    await expect(
      store.commitOffsets(group, [
        { topic: 't', partition: 0, offset: 1 },
        { topic: 't', partition: 1, offset: 2.5 },
      ]),
    ).rejects.toThrow(/invalid offset 2.5 for t-1/);
    expect(await zk.pathExists(`/consumers/${group}`)).toBe(false);
  });

  it('lets concurrent commits to a new group from two clients both land', async () => {
    const cs = zkConnectForTest();
    const a = new ZkOffsetStore(await zkClient(cs));
    const b = new ZkOffsetStore(await zkClient(cs));
    const group = rand('g');
    await Promise.all([
      a.commitOffsets(group, [{ topic: 't', partition: 0, offset: 10 }]),
      b.commitOffsets(group, [{ topic: 't', partition: 1, offset: 20 }]),
      a.commitOffsets(group, [{ topic: 'u', partition: 0, offset: 30 }]),
    ]);
    expect(await a.fetchOffsets(group, null)).toEqual([
      { topic: 't', partition: 0, offset: 10 },
      { topic: 't', partition: 1, offset: 20 },
      { topic: 'u', partition: 0, offset: 30 },
    ]);
  });

  it('coalesces commits that arrive while a write is in flight into one multi; later offsets win', async () => {
    const zk = await zkClient(zkConnectForTest());
    const store = new ZkOffsetStore(zk);
    const group = rand('g');
    await store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 1 }]);
    const multi = jest.spyOn(zk.zk, 'multi');
    await Promise.all([
      store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 2 }]),
      store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 3 }]),
      store.commitOffsets(group, [{ topic: 't', partition: 1, offset: 7 }]),
      store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 4 }]),
    ]);
    // the first write, then the three that waited, together
    expect(multi).toHaveBeenCalledTimes(2);
    expect(await store.fetchOffsets(group, null)).toEqual([
      { topic: 't', partition: 0, offset: 4 },
      { topic: 't', partition: 1, offset: 7 },
    ]);
    // a failed write rejects every commit of its batch, and the next one goes on
    multi.mockRejectedValueOnce(new Error('boom'));
    multi.mockRejectedValueOnce(new Error('boom'));
    const results = await Promise.allSettled([
      store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 5 }]),
      store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 6 }]),
      store.commitOffsets(group, [{ topic: 't', partition: 1, offset: 8 }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await store.commitOffsets(group, [{ topic: 't', partition: 0, offset: 9 }]);
    expect(await zk.getConsumerOffset(group, 't', 0)).toBe(9);
  });

  it('writes known partitions with setData alone, and recreates a group deleted meanwhile elsewhere', async () => {
    const cs = zkConnectForTest();
    const a = await zkClient(cs);
    const b = await zkClient(cs);
    const group = rand('g');
    await a.setOrCreateConsumerOffsets(group, [{ topic: 't', partition: 0, offset: 1 }]);
    const exists = jest.spyOn(a.zk, 'exists');
    await a.setOrCreateConsumerOffsets(group, [{ topic: 't', partition: 0, offset: 2 }]);
    expect(exists).not.toHaveBeenCalled();
    await b.deleteConsumerGroup(group);
    await a.setOrCreateConsumerOffsets(group, [{ topic: 't', partition: 0, offset: 3 }]);
    expect(await b.getConsumerOffset(group, 't', 0)).toBe(3);
  });

  it('serves offsets committed through one coordinator from the next one (failover)', async () => {
    const cs = zkConnectForTest();
    const group = rand('g');
    const timer = new MockTimer();
    const coordinator = async (brokerId: number) => {
      const c = new GroupCoordinator({
        brokerId,
        offsetStore: new ZkOffsetStore(await zkClient(cs)),
        timer,
        config: { groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 10 },
      });
      c.startup();
      return c;
    };
    const first = await coordinator(1);
    const id = (
      await first.handleJoinGroup({
        groupId: group,
        memberId: '',
        clientId: 'app',
        clientHost: '/127.0.0.1',
        rebalanceTimeoutMs: 1000,
        sessionTimeoutMs: 1000,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      })
    ).memberId;
    const joined = first.handleJoinGroup({
      groupId: group,
      memberId: id,
      clientId: 'app',
      clientHost: '/127.0.0.1',
      rebalanceTimeoutMs: 1000,
      sessionTimeoutMs: 1000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    timer.advanceClock(0); // group.initial.rebalance.delay.ms = 0
    expect((await joined).generationId).toBe(1);
    await first.handleSyncGroup({ groupId: group, generationId: 1, memberId: id, assignments: [] });
    const res = await first.handleCommitOffsets({
      groupId: group,
      generationId: 1,
      memberId: id,
      offsets: [
        { topic: 'orders', partition: 0, offset: 100 },
        { topic: 'orders', partition: 1, offset: 200 },
      ],
    });
    expect(res.map((r) => r.errorCode)).toEqual([0, 0]);
    first.shutdown();

    const second = await coordinator(2);
    const fetched = await second.handleFetchOffsets(group, [
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ]);
    expect(fetched.offsets.map((o) => o.offset)).toEqual([100, 200]);
    // the new coordinator has no members: a commit from the old generation is refused
    const stale = await second.handleCommitOffsets({
      groupId: group,
      generationId: 1,
      memberId: id,
      offsets: [{ topic: 'orders', partition: 0, offset: 999 }],
    });
    expect(stale[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await second.handleDescribeGroup(group)).summary.state).toBe('Empty');
    expect(Object.fromEntries(await second.handleDeleteGroups([group]))).toEqual({ [group]: 0 });
    expect((await second.handleFetchOffsets(group, null)).offsets).toEqual([]);
    second.shutdown();
  });
});
