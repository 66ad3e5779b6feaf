/**
 * Replication with in-process brokers: acks=all waits for every ISR member, consumers
 * never read above the HW, min.insync.replicas, and a deposed leader truncating its
 * divergent tail (KIP-101) until every replica is byte-identical up to the HW.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Broker } from '@kzoo/broker';
import { ErrorCode } from '@kzoo/common';
import type { Connection } from '@kzoo/protocol';
import { iterateBatches } from '@kzoo/records';
import { waitFor } from '@kzoo/testkit';
import { batchOf, createTopic, metadata, randomTopic, startCluster } from './cluster';
import { fetchPartition, producePartition, recordsIn } from './raw';

/** acks=`acks` Produce of `values` as one batch to partition 0. */
const produce = (
  conn: Connection,
  topic: string,
  values: string[],
  acks: number,
  timeoutMs = 10000,
) =>
  producePartition(conn, topic, 0, batchOf(values.map((value) => ({ value }))), {
    acks,
    timeoutMs,
  });

/** A consumer Fetch of partition 0 from `offset` (minBytes 1). */
const consume = (conn: Connection, topic: string, offset: number, maxWaitMs = 0) =>
  fetchPartition(conn, topic, 0, offset, { maxWaitMs, minBytes: 1, maxBytes: 1 << 20 });

function part(b: Broker, topic: string) {
  return b.dataPlane.replicaManager.getPartition(topic, 0);
}

async function leaderOf(conn: Connection, topic: string): Promise<number> {
  return waitFor('a leader in metadata', async () => {
    const p = (await metadata(conn, [topic])).topics[0]?.partitions[0];
    return p && p.leaderId >= 0 ? p.leaderId : undefined;
  });
}

describe('Broker > replication (3 in-process brokers)', () => {
  it('acks=all answers only once every ISR member has the batch; consumers never see offsets above the HW', async () => {
    const c = await startCluster(3, { 'replica.fetch.wait.max.ms': '200' });
    const admin = await c.connect(1);
    const topic = randomTopic();
    expect((await createTopic(admin, topic, 1, 3)).topics[0].errorCode).toBe(0);
    const leader = await leaderOf(admin, topic);
    const conn = await c.connect(leader);
    await waitFor('ISR of 3 with followers fetching', () =>
      c.brokers.every((b) => part(b, topic) !== undefined),
    );
    const followers = c.brokers.filter((b) => b.brokerId !== leader);
    // A consumer polls the leader all along; every answer must stay below that answer's HW.
    let stop = false;
    let seen = 0;
    let violations = 0;
    const consumer = (async () => {
      const cc = await c.connect(leader);
      let offset = 0;
      while (!stop) {
        const r = await consume(cc, topic, offset, 100);
        const leaderHw = part(c.broker(leader), topic)!.highWatermark;
        for (const rec of recordsIn(r.records)) {
          if (rec.offset < offset) continue;
          if (rec.offset >= r.highWatermark || rec.offset >= leaderHw) violations++;
          offset = rec.offset + 1;
          seen++;
        }
      }
    })();
    // One follower is slow: while it lags, acks=all must wait for it.
    await followers[0].dataPlane.replicaManager.replicaFetcherManager.pause();
    const pending = produce(conn, topic, ['slow-0', 'slow-1'], -1).then((r) => {
      // At the moment the answer arrives, every ISR member has the batch.
      const isr = part(c.broker(leader), topic)!.isr;
      return { r, leos: isr.map((id) => part(c.broker(id), topic)!.logEndOffset), isr };
    });
    let answered = false;
    void pending.then(() => (answered = true));
    await waitFor(
      'the other follower has the batch',
      () => part(followers[1], topic)!.logEndOffset === 2,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    expect(part(followers[0], topic)!.logEndOffset).toBe(0);
    followers[0].dataPlane.replicaManager.replicaFetcherManager.resume();
    const first = await pending;
    expect(first.r.errorCode).toBe(0);
    expect(first.isr.sort()).toEqual([1, 2, 3]);
    expect(first.leos.every((leo) => leo >= 2)).toBe(true);
    // Many pipelined acks=all produces: each answered with all ISR members holding it.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        produce(conn, topic, [`v${i}`], -1).then((r) => {
          const isr = part(c.broker(leader), topic)!.isr;
          const ok = isr.every((id) => part(c.broker(id), topic)!.logEndOffset > r.baseOffset);
          return { errorCode: r.errorCode, ok };
        }),
      ),
    );
    expect(results.every((x) => x.errorCode === 0 && x.ok)).toBe(true);
    await waitFor('the consumer read everything', () => seen === 202, { timeoutMs: 10000 });
    stop = true;
    await consumer;
    expect(violations).toBe(0);
    // Followers learn the HW on their next fetch round.
    await waitFor('followers have the HW', () =>
      c.brokers.every((b) => part(b, topic)!.highWatermark === 202),
    );
  });

  it('min.insync.replicas=2 with one ISR member alive: acks=all gets NOT_ENOUGH_REPLICAS, acks=1 succeeds; back to 2 it succeeds again', async () => {
    const c = await startCluster(3, {
      'replica.lag.time.max.ms': '1000',
      'replica.fetch.wait.max.ms': '100',
      'replica.fetch.backoff.ms': '100',
    });
    const admin = await c.connect(1);
    const topic = randomTopic();
    expect(
      (await createTopic(admin, topic, 1, 3, { 'min.insync.replicas': '2' })).topics[0].errorCode,
    ).toBe(0);
    const leader = await leaderOf(admin, topic);
    const conn = await c.connect(leader);
    expect((await produce(conn, topic, ['a'], -1)).errorCode).toBe(0);
    const followers = [1, 2, 3].filter((id) => id !== leader);
    // Both followers stop fetching: the leader drops them after replica.lag.time.max.ms.
    for (const id of followers)
      await c.broker(id).dataPlane.replicaManager.replicaFetcherManager.pause();
    for (let i = 0; i < 3; i++)
      expect((await produce(conn, topic, [`b${i}`], 1)).errorCode).toBe(0);
    await waitFor(
      'the ISR is the leader alone',
      () => part(c.broker(leader), topic)!.isr.length === 1,
      {
        timeoutMs: 10000,
      },
    );
    const before = part(c.broker(leader), topic)!.logEndOffset;
    const refused = await produce(conn, topic, ['x'], -1);
    expect(refused.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(part(c.broker(leader), topic)!.logEndOffset).toBe(before); // nothing written
    expect((await produce(conn, topic, ['y'], 1)).errorCode).toBe(0);
    // The state znode: ISR shrunk by the leader, leader_epoch unchanged.
    const zk = c.broker(leader).zkClient;
    const s = (await zk.getTopicPartitionStates([{ topic, partition: 0 }])).get(`${topic}-0`)!;
    expect(s.isr).toEqual([leader]);
    expect(s.leaderEpoch).toBe(0);
    // One follower catches up: the ISR grows back to 2 and acks=all works again.
    c.broker(followers[0]).dataPlane.replicaManager.replicaFetcherManager.resume();
    await waitFor('ISR back to 2', () => part(c.broker(leader), topic)!.isr.length === 2, {
      timeoutMs: 10000,
    });
    expect((await produce(conn, topic, ['z'], -1)).errorCode).toBe(0);
  });

  it('acks=all waiting on a follower that drops out of a min.insync.replicas=3 ISR: NOT_ENOUGH_REPLICAS_AFTER_APPEND (the data is written)', async () => {
    const c = await startCluster(3, {
      'replica.lag.time.max.ms': '1000',
      'replica.fetch.wait.max.ms': '100',
    });
    const admin = await c.connect(1);
    const topic = randomTopic();
    expect(
      (await createTopic(admin, topic, 1, 3, { 'min.insync.replicas': '3' })).topics[0].errorCode,
    ).toBe(0);
    const leader = await leaderOf(admin, topic);
    const conn = await c.connect(leader);
    expect((await produce(conn, topic, ['a'], -1)).errorCode).toBe(0);
    const slow = [1, 2, 3].find((id) => id !== leader)!;
    await c.broker(slow).dataPlane.replicaManager.replicaFetcherManager.pause();
    const r = await produce(conn, topic, ['b'], -1, 20000);
    expect(r.errorCode).toBe(20); // NOT_ENOUGH_REPLICAS_AFTER_APPEND
    const p = part(c.broker(leader), topic)!;
    expect(p.isr).not.toContain(slow);
    expect(p.highWatermark).toBe(2); // 'b' is committed on the remaining ISR
    expect((await produce(conn, topic, ['c'], -1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    const seen = recordsIn((await consume(conn, topic, 0)).records).map((x) => x.value);
    expect(seen).toEqual(['a', 'b']);
  });

  it('a deposed leader truncates the tail only it has; every replica is byte-identical up to the HW', async () => {
    const c = await startCluster(3, {
      'replica.fetch.wait.max.ms': '100',
      'replica.fetch.backoff.ms': '100',
    });
    const admin = await c.connect(1);
    const topic = randomTopic();
    expect((await createTopic(admin, topic, 1, 3)).topics[0].errorCode).toBe(0);
    const oldLeader = await leaderOf(admin, topic);
    let conn = await c.connect(oldLeader);
    for (let i = 0; i < 5; i++)
      expect((await produce(conn, topic, [`c${i}`], -1)).errorCode).toBe(0);
    // The followers freeze; the leader takes acks=1 writes only it has.
    const followers = [1, 2, 3].filter((id) => id !== oldLeader);
    for (const id of followers)
      await c.broker(id).dataPlane.replicaManager.replicaFetcherManager.pause();
    for (let i = 0; i < 4; i++)
      expect((await produce(conn, topic, [`lost${i}`], 1)).errorCode).toBe(0);
    expect(part(c.broker(oldLeader), topic)!.logEndOffset).toBe(9);
    // The leader goes away (controlled shutdown moves leadership to an ISR member).
    await c.broker(oldLeader).shutdown();
    for (const id of followers)
      c.broker(id).dataPlane.replicaManager.replicaFetcherManager.resume();
    const other = await c.connect(followers[0]);
    const newLeader = await waitFor('a new leader', async () => {
      const p = (await metadata(other, [topic])).topics[0].partitions[0];
      return p.leaderId >= 0 && p.leaderId !== oldLeader ? p.leaderId : undefined;
    });
    conn = await c.connect(newLeader);
    await waitFor('the new leader accepts writes', async () => {
      return (await produce(conn, topic, ['new-0'], 1)).errorCode === 0;
    });
    for (let i = 1; i < 3; i++)
      expect((await produce(conn, topic, [`new-${i}`], 1)).errorCode).toBe(0);
    // The old leader returns as a follower and reconciles with OffsetsForLeaderEpoch.
    const back = await c.startBroker(oldLeader);
    await waitFor(
      'all three replicas at the same LEO and HW',
      () => {
        const ps = c.brokers.map((b) => part(b, topic));
        if (ps.some((p) => !p)) return false;
        const leo = ps[0]!.logEndOffset;
        return ps.every((p) => p!.logEndOffset === leo && p!.highWatermark === leo);
      },
      { timeoutMs: 15000 },
    );
    expect(part(back, topic)!.stats.truncations).toBeGreaterThan(0);
    const hw = part(c.broker(newLeader), topic)!.highWatermark;
    expect(hw).toBe(8);
    // Log bytes up to the HW, replica by replica.
    const bytes = c.dirs.map((dir) => {
      const file = path.join(dir, `${topic}-0`, '00000000000000000000.log');
      const buf = fs.readFileSync(file);
      let end = 0;
      for (const b of iterateBatches(buf)) {
        if (b.lastOffset >= hw) break;
        end = b.position + b.size;
      }
      return buf.subarray(0, end);
    });
    expect(bytes[0].length).toBeGreaterThan(0);
    expect(bytes[1].equals(bytes[0])).toBe(true);
    expect(bytes[2].equals(bytes[0])).toBe(true);
    const values = recordsIn(bytes[0]).map((r) => r.value);
    expect(values).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'new-0', 'new-1', 'new-2']);
  });
});
