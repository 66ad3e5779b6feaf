import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, MockTime } from '@kzoo/common';
import { LogManager } from '@kzoo/log';
import type { LeaderAndIsrPartitionState } from '@kzoo/protocol';
import {
  buildRecordBatch,
  iterateBatches,
  readBatchHeader,
  readEndTxnMarker,
  records,
} from '@kzoo/records';
import { TRANSACTION_STATE_TOPIC_NAME } from '../../admin/Topic';
import { MetadataCache } from '../../server/MetadataCache';
import { ReplicaManager } from '../../server/ReplicaManager';
import { MockTimer } from '../../server/Timer';
import { TransactionCoordinator } from './TransactionCoordinator';
import { TRANSACTION_CONFIG_DEFAULTS } from './TransactionConfig';
import type { PendingOffset } from './TransactionMetadata';

import { writeTxnMarkers } from './WriteTxnMarkers';

// One broker leading `__transaction_state-0` and `t-0` (ISR = itself, so acks=all
// completes at once), on a mock clock: the coordinator's protocol, its timeout abort and
// its reload from the log, without a network.

let dir: string;
let store: LogManager;
let rm: ReplicaManager;
let time: MockTime;
let committed: Map<string, PendingOffset[]>;
let cache: MetadataCache;

const state = (topicName: string): LeaderAndIsrPartitionState => ({
  topicName,
  partitionIndex: 0,
  controllerEpoch: 1,
  leader: 1,
  leaderEpoch: 3,
  isr: [1],
  zkVersion: 0,
  replicas: [1],
  isNew: true,
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-txn-coord-'));
  store = LogManager.open({ logDirs: [dir], cleanerEnable: false });
  time = new MockTime();
  cache = new MetadataCache(1);
  cache.updateMetadata({
    controllerId: 1,
    controllerEpoch: 1,
    brokerEpoch: 10,
    liveBrokers: [{ id: 1, endpoints: [], rack: null }],
    partitionStates: [TRANSACTION_STATE_TOPIC_NAME, 't'].map((t) => ({
      ...state(t),
      offlineReplicas: [],
    })),
  });
  rm = new ReplicaManager({
    timer: new MockTimer(),
    brokerId: 1,
    logManager: store,
    metadataCache: cache,
    brokerEpoch: () => 10,
    topicConfig: async () => ({}),
    time,
  });
  const res = await rm.becomeLeaderOrFollower({
    controllerId: 1,
    controllerEpoch: 1,
    brokerEpoch: 10,
    partitionStates: [state(TRANSACTION_STATE_TOPIC_NAME), state('t')],
    liveLeaders: [],
  });
  expect(res.errorCode).toBe(0);
  committed = new Map();
});
afterEach(async () => {
  rm.shutdown();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function coordinator(
  config: Partial<typeof TRANSACTION_CONFIG_DEFAULTS> = {},
): TransactionCoordinator {
  let nextId = 1000;
  const c = new TransactionCoordinator({
    brokerId: 1,
    config: { ...TRANSACTION_CONFIG_DEFAULTS, transactionLogNumPartitions: 1, ...config },
    replicaManager: rm,
    metadataCache: cache,
    generateProducerId: async () => nextId++,
    commitGroupOffsets: async (g, o) => void committed.set(g, o),
    sendMarkers: (_broker, req) => writeTxnMarkers(rm, req, time.milliseconds()),
    time,
  });
  c.startup();
  return c;
}

/**
 * Waits (the mock clock standing still) until the coordinator reaches `state` for `id`:
 * completing a transaction waits on file writes on the libuv pool (the log, the leader
 * epoch checkpoint), which take a variable number of event-loop turns on a loaded machine.
 */
async function until(c: TransactionCoordinator, id: string, state: string): Promise<void> {
  const deadline = Date.now() + 30000;
  while (c.describe(id).transactionState !== state) {
    if (Date.now() > deadline) {
      throw new Error(`${id} still ${c.describe(id).transactionState}, not ${state}, after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

function markers(): Array<[number, string]> {
  const log = rm.getPartition('t', 0)!.log;
  const out: Array<[number, string]> = [];
  for (const b of iterateBatches(log.read(0, 1 << 20).records))
    if (readBatchHeader(b.bytes).isControlBatch)
      out.push([b.baseOffset, readEndTxnMarker(b.bytes)!.type]);
  return out;
}

const txnBatch = (pid: number, epoch: number, seq: number) =>
  buildRecordBatch({
    records: [{ value: 'v' }],
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    isTransactional: true,
  });

async function produce(pid: number, epoch: number, seq: number): Promise<number> {
  const [t] = await rm.appendRecords(-1, 1000, [
    { name: 't', partitions: [{ index: 0, records: txnBatch(pid, epoch, seq) }] },
  ]);
  return t.partitions[0].errorCode;
}

describe('Broker > TransactionCoordinator', () => {
  test('init, add, commit: markers written, offsets committed, LSO released; a reload keeps the state', async () => {
    const c = coordinator();
    const init = await c.handleInitProducerId('etl', 60000);
    expect(init).toEqual({ errorCode: 0, producerId: 1000, producerEpoch: 0 });
    const added = await c.handleAddPartitions(
      'etl',
      1000,
      0,
      [{ topic: 't', partition: 0 }],
      false,
    );
    expect([...added.values()]).toEqual([0]);
    expect(await produce(1000, 0, 0)).toBe(0);
    const p = rm.getPartition('t', 0)!;
    expect(p.log.lastStableOffset(p.highWatermark)).toBe(0); // open transaction at 0
    expect(await c.handleAddOffsets('etl', 1000, 0, 'g', false)).toBe(0);
    expect(
      await c.handleTxnOffsetCommit(
        'etl',
        1000,
        0,
        'g',
        [{ topic: 'in', partition: 0, offset: 5 }],
        false,
      ),
    ).toBe(0);
    expect(committed.size).toBe(0); // not before the commit
    expect(await c.handleEndTxn('etl', 1000, 0, true, false)).toBe(0);
    await until(c, 'etl', 'CompleteCommit');
    expect(c.describe('etl').transactionState).toBe('CompleteCommit');
    expect(markers()).toEqual([[1, 'COMMIT']]);
    expect(p.log.lastStableOffset(p.highWatermark)).toBe(2);
    expect(committed.get('g')).toEqual([{ topic: 'in', partition: 0, offset: 5 }]);
    // A retried EndTxn after completion is NONE; the other outcome is INVALID_TXN_STATE.
    expect(await c.handleEndTxn('etl', 1000, 0, true, false)).toBe(0);
    expect(await c.handleEndTxn('etl', 1000, 0, false, false)).toBe(ErrorCode.INVALID_TXN_STATE);

    // A new coordinator (failover) loads the id from the log.
    c.shutdown();
    const again = coordinator();
    expect(again.describe('etl')).toMatchObject({
      errorCode: 0,
      transactionState: 'CompleteCommit',
      producerId: 1000,
      producerEpoch: 0,
    });
    expect(await again.handleInitProducerId('etl', 60000)).toEqual({
      errorCode: 0,
      producerId: 1000,
      producerEpoch: 1,
    });
    again.shutdown();
  });

  test('a transaction past its timeout is aborted with a bumped epoch: the producer is fenced', async () => {
    const c = coordinator();
    await c.handleInitProducerId('slow', 1000);
    await c.handleAddPartitions('slow', 1000, 0, [{ topic: 't', partition: 0 }], false);
    expect(await produce(1000, 0, 0)).toBe(0);
    time.tick(TRANSACTION_CONFIG_DEFAULTS.abortTimedOutTransactionsIntervalMs); // > 1000 ms open
    await until(c, 'slow', 'CompleteAbort');
    expect(c.describe('slow')).toMatchObject({
      transactionState: 'CompleteAbort',
      producerEpoch: 1,
    });
    expect(markers()).toEqual([[1, 'ABORT']]);
    expect(await c.handleEndTxn('slow', 1000, 0, true, false)).toBe(ErrorCode.PRODUCER_FENCED);
    expect(await c.handleEndTxn('slow', 1000, 0, true, true)).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    // The zombie's data is refused by the partition too.
    expect(await produce(1000, 0, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    const p = rm.getPartition('t', 0)!;
    expect(p.log.collectAbortedTxns(0, p.highWatermark)).toEqual([
      { producerId: 1000, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 },
    ]);
    c.shutdown();
  });

  test('InitProducerId with an open transaction aborts it and answers CONCURRENT_TRANSACTIONS until done', async () => {
    const c = coordinator();
    await c.handleInitProducerId('x', 60000);
    await c.handleAddPartitions('x', 1000, 0, [{ topic: 't', partition: 0 }], false);
    const r = await c.handleInitProducerId('x', 60000);
    expect(r.errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    await until(c, 'x', 'CompleteAbort');
    expect(await c.handleInitProducerId('x', 60000)).toEqual({
      errorCode: 0,
      producerId: 1000,
      producerEpoch: 2, // 1 fenced the old instance, 2 is the new one's
    });
    expect(await c.handleInitProducerId('x', 900001)).toMatchObject({
      errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    });
    c.shutdown();
  });

  test('transactional.id.expiration.ms: an idle id gets a tombstone and is forgotten, a recent one stays', async () => {
    const expiration = TRANSACTION_CONFIG_DEFAULTS.transactionalIdExpirationMs;
    const probe = coordinator();
    expect(time.pendingTasks()).toContainEqual({
      name: 'transactional-id-expiration',
      deadlineMs: time.milliseconds() + 3_600_000,
      periodMs: 3_600_000,
    });
    probe.shutdown();
    // The periodic run is kept out of the way: the test calls it.
    const c = coordinator({ removeExpiredTransactionalIdsIntervalMs: 10 * expiration });
    await c.handleInitProducerId('idle', 60000);
    time.tick(expiration - 1000);
    await c.handleInitProducerId('recent', 60000);
    time.tick(999);
    expect(await c.removeExpiredTransactionalIds()).toBe(0); // 1 ms short
    time.tick(1);
    expect(await c.removeExpiredTransactionalIds()).toBe(1);
    expect(c.describe('idle').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(c.describe('recent')).toMatchObject({ errorCode: 0, transactionState: 'Empty' });

    // The log holds a tombstone: a new coordinator (failover) does not load the id, and its
    // next InitProducerId starts afresh (epoch 0).
    c.shutdown();
    const tombstones: string[] = [];
    const log = rm.getPartition(TRANSACTION_STATE_TOPIC_NAME, 0)!.log;
    for (const b of iterateBatches(log.read(0, 1 << 20).records))
      for (const r of records(b.bytes)) if (r.value === null) tombstones.push(r.offset.toString());
    expect(tombstones).toHaveLength(1);
    const again = coordinator({ removeExpiredTransactionalIdsIntervalMs: 10 * expiration });
    expect(again.describe('idle').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(again.describe('recent').transactionState).toBe('Empty');
    expect(await again.handleInitProducerId('idle', 60000)).toMatchObject({
      errorCode: 0,
      producerEpoch: 0,
    });
    again.shutdown();
  });
});
