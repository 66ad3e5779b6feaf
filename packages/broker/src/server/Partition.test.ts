import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, KafkaError, MockTime } from '@kzoo/common';
import { LeaderEpochFileCache, LogManager } from '@kzoo/log';
import type { LeaderAndIsrPartitionState } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import type { IsrManager, IsrUpdate, IsrUpdateResult } from './IsrManager';
import { usesAlterPartition } from './IsrManager';
import { Partition } from './Partition';
import { truncationPoint } from './ReplicaFetcherThread';

let dir: string;
let logs: LogManager;
let time: MockTime;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-partition-'));
  logs = LogManager.open({ logDirs: [dir], cleanerEnable: false });
  time = new MockTime();
});
afterEach(async () => {
  await logs.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LAG = 10_000;

/** An IsrManager that holds each change until the test answers it. */
class HeldIsrManager implements IsrManager {
  held: Array<{ update: IsrUpdate; callback: (r: IsrUpdateResult) => void }> = [];
  submit(update: IsrUpdate, callback: (r: IsrUpdateResult) => void): boolean {
    if (this.held.some((h) => h.update.partition === update.partition)) return false;
    this.held.push({ update, callback });
    return true;
  }
  commit(zkVersion: number): IsrUpdate {
    const h = this.held.shift()!;
    h.callback({
      errorCode: 0,
      leaderEpoch: h.update.leaderEpoch,
      isr: h.update.newIsr,
      zkVersion,
    });
    return h.update;
  }
  start(): void {}
  shutdown(): void {}
}

async function leaderPartition(
  isr = [1, 2, 3],
  isrManager?: IsrManager,
  minIsr = 1,
): Promise<Partition> {
  const log = logs.getOrCreateLog('t', 0, {});
  const p = new Partition('t', 0, 1, log, undefined, minIsr, {
    replicaLagTimeMaxMs: LAG,
    time,
    isrManager,
  });
  p.makeLeader(state(1, 0, isr));
  await p.pendingEpochWrite; // the epoch's checkpoint is on disk: appends are accepted
  return p;
}

function state(leader: number, leaderEpoch: number, isr: number[]): LeaderAndIsrPartitionState {
  return {
    topicName: 't',
    partitionIndex: 0,
    controllerEpoch: 1,
    leader,
    leaderEpoch,
    isr,
    zkVersion: 0,
    replicas: [1, 2, 3],
    isNew: false,
  };
}

const batch = (n = 1) =>
  buildRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}` })) });

describe('Broker > Partition > high watermark', () => {
  it('moves to the smallest LEO of the ISR as followers fetch', async () => {
    const p = await leaderPartition();
    p.appendRecordsToLeader(batch(5), -1);
    expect(p.highWatermark).toBe(0);
    expect(p.updateFollowerFetchState(2, 5, 0, 5)).toBe(false); // 3 not known yet
    expect(p.highWatermark).toBe(0);
    expect(p.updateFollowerFetchState(3, 3, 0, 5)).toBe(true);
    expect(p.highWatermark).toBe(3);
    p.updateFollowerFetchState(3, 5, 0, 5);
    expect(p.highWatermark).toBe(5);
  });

  it('never moves backwards, and a follower outside the ISR caught up long ago does not hold it', async () => {
    const p = await leaderPartition([1, 2]);
    p.appendRecordsToLeader(batch(4), -1);
    p.updateFollowerFetchState(2, 4, 0, 4);
    expect(p.highWatermark).toBe(4);
    p.updateFollowerFetchState(3, 1, 0, 4); // not in the ISR, never caught up
    expect(p.highWatermark).toBe(4);
  });

  it('acks=-1 with fewer ISR members than min.insync.replicas is refused before the append', async () => {
    const p = await leaderPartition([1], undefined, 2);
    expect(() => p.appendRecordsToLeader(batch(), -1)).toThrow(
      expect.objectContaining({ code: ErrorCode.NOT_ENOUGH_REPLICAS }) as KafkaError,
    );
    expect(p.logEndOffset).toBe(0);
    p.appendRecordsToLeader(batch(), 1);
    expect(p.logEndOffset).toBe(1);
  });
});

describe('Broker > Partition > ISR', () => {
  it('shrinks a follower not caught up for replica.lag.time.max.ms, not one at the leader LEO', async () => {
    const p = await leaderPartition();
    p.appendRecordsToLeader(batch(2), 1);
    p.updateFollowerFetchState(2, 2, 0, 2);
    p.updateFollowerFetchState(3, 2, 0, 2);
    p.appendRecordsToLeader(batch(2), 1); // LEO 4; nobody fetched it yet
    time.tick(LAG);
    p.maybeShrinkIsr();
    expect(p.isr).toEqual([1, 2, 3]); // exactly the lag time: still in sync
    time.tick(1);
    p.updateFollowerFetchState(2, 4, 0, 4); // 2 catches up, 3 does not
    p.maybeShrinkIsr();
    expect(p.isr).toEqual([1, 2]);
    expect(p.stats.isrShrinks).toBe(1);
  });

  it('a follower that reaches the leader LEO of its previous fetch counts as caught up then (Kafka lag rule)', async () => {
    const p = await leaderPartition([1, 2]);
    p.appendRecordsToLeader(batch(2), 1);
    p.updateFollowerFetchState(2, 0, 0, 2); // behind; leader LEO was 2
    time.tick(LAG - 100);
    p.appendRecordsToLeader(batch(2), 1); // LEO 4
    p.updateFollowerFetchState(2, 2, 0, 4); // reaches 2 = leader LEO at its previous fetch
    time.tick(200);
    p.maybeShrinkIsr(); // caught up as of the previous fetch, LAG-100+200 > LAG ago
    expect(p.isr).toEqual([1]);
  });

  it('expands when a follower reaches the HW and this epoch start; one change in flight at a time, HW over the maximal ISR', async () => {
    const m = new HeldIsrManager();
    const p = await leaderPartition([1, 2], m);
    p.appendRecordsToLeader(batch(3), 1);
    p.updateFollowerFetchState(2, 3, 0, 3);
    expect(p.highWatermark).toBe(3);
    p.appendRecordsToLeader(batch(3), 1); // LEO 6
    p.updateFollowerFetchState(3, 2, 0, 6); // below the HW: not in sync
    expect(m.held).toHaveLength(0);
    p.updateFollowerFetchState(3, 3, 0, 6); // at the HW and the epoch start (0)
    expect(m.held).toHaveLength(1);
    expect(m.held[0].update.newIsr).toEqual([1, 2, 3]);
    expect(p.isrChangeInFlight).toBe(true);
    expect(p.maximalIsr).toEqual([1, 2, 3]);
    p.updateFollowerFetchState(2, 6, 0, 6);
    expect(p.highWatermark).toBe(3); // 3 (pending member) holds it
    time.tick(LAG + 1);
    p.maybeShrinkIsr(); // no second change while one is in flight
    expect(m.held).toHaveLength(1);
    m.commit(1);
    expect(p.isr).toEqual([1, 2, 3]);
    expect(p.zkVersion).toBe(1);
    p.updateFollowerFetchState(3, 6, 0, 6);
    expect(p.highWatermark).toBe(6);
  });

  it('a refused change (INVALID_UPDATE_VERSION) stays pending until the next LeaderAndIsr', async () => {
    const m = new HeldIsrManager();
    const p = await leaderPartition([1, 2, 3], m);
    p.appendRecordsToLeader(batch(1), 1);
    time.tick(LAG + 1);
    p.maybeShrinkIsr();
    const h = m.held.shift()!;
    h.callback({
      errorCode: ErrorCode.INVALID_UPDATE_VERSION,
      leaderEpoch: -1,
      isr: [],
      zkVersion: -1,
    });
    expect(p.isr).toEqual([1, 2, 3]);
    expect(p.isrChangeInFlight).toBe(true);
    p.makeLeader(state(1, 1, [1]));
    expect(p.isrChangeInFlight).toBe(false);
    expect(p.isr).toEqual([1]);
  });
});

describe('Broker > Partition > leader epochs', () => {
  it('makeLeader starts the epoch at the LEO; OffsetsForLeaderEpoch answers from the cache and fences', async () => {
    const p = await leaderPartition();
    p.appendRecordsToLeader(batch(3), 1); // epoch 0: 0..2
    p.makeLeader(state(1, 2, [1, 2, 3])); // epoch 2 from 3
    await p.pendingEpochWrite;
    p.appendRecordsToLeader(batch(2), 1);
    expect(p.lastOffsetForLeaderEpoch(2, 0)).toEqual({ leaderEpoch: 0, endOffset: 3 });
    expect(p.lastOffsetForLeaderEpoch(2, 1)).toEqual({ leaderEpoch: 0, endOffset: 3 });
    expect(p.lastOffsetForLeaderEpoch(-1, 2)).toEqual({ leaderEpoch: 2, endOffset: 5 });
    expect(() => p.lastOffsetForLeaderEpoch(1, 0)).toThrow(/older/);
    expect(() => p.lastOffsetForLeaderEpoch(3, 0)).toThrow(/newer/);
  });

  it('a deposed leader refuses produce at once', async () => {
    const p = await leaderPartition();
    p.makeFollower(state(2, 1, [2, 3]));
    expect(() => p.appendRecordsToLeader(batch(), 1)).toThrow(/not the leader/);
  });
});

describe('Broker > ReplicaFetcherThread > truncationPoint (KIP-101/279)', () => {
  const cache = (entries: Array<[number, number]>) => {
    const c = new LeaderEpochFileCache(null);
    for (const [e, o] of entries) c.assign(e, o);
    return c;
  };
  it('same epoch: min(leader end offset, own end offset of that epoch, LEO)', () => {
    expect(truncationPoint(cache([[0, 0]]), 9, 0, 5)).toEqual({ offset: 5, completed: true });
    expect(
      truncationPoint(
        cache([
          [0, 0],
          [3, 5],
        ]),
        9,
        0,
        7,
      ),
    ).toEqual({ offset: 5, completed: true });
    expect(truncationPoint(cache([[0, 0]]), 4, 0, 7)).toEqual({ offset: 4, completed: true });
  });
  it('the leader answers an epoch we do not have: cut to the end of our largest epoch below it, ask again', () => {
    // Ours: 0@0, 1@50, 3@100 (LEO 120); the leader knows 0 and 2 and answers (2, 80).
    expect(
      truncationPoint(
        cache([
          [0, 0],
          [1, 50],
          [3, 100],
        ]),
        120,
        2,
        80,
      ),
    ).toEqual({
      offset: 100,
      completed: false,
    });
  });
  it('the leader has no epoch <= ours: its end offset', () => {
    expect(truncationPoint(cache([[4, 0]]), 10, -1, 6)).toEqual({ offset: 6, completed: true });
  });
});

describe('Broker > IsrManager > usesAlterPartition', () => {
  it('AlterPartition from inter.broker.protocol.version 2.7-IV2', () => {
    expect(usesAlterPartition('2.6')).toBe(false);
    expect(usesAlterPartition('2.7-IV1')).toBe(false);
    expect(usesAlterPartition('2.7-IV2')).toBe(true);
    expect(usesAlterPartition('2.7')).toBe(true);
    expect(usesAlterPartition('3.5')).toBe(true);
    expect(usesAlterPartition('1.1')).toBe(false);
    expect(() => usesAlterPartition('x')).toThrow(/inter.broker.protocol.version/);
  });
});
