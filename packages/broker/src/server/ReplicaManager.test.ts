import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, setLogLevel, setLogSink } from '@kzoo/common';
import {
  LEADER_EPOCH_CHECKPOINT,
  LeaderEpochCheckpointFile,
  LogManager,
  OffsetCheckpointFile,
  REPLICATION_OFFSET_CHECKPOINT,
} from '@kzoo/log';
import type { FetchRequest, LeaderAndIsrPartitionState, LeaderAndIsrRequest } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { DelayedFetch } from './DelayedFetch';
import type { IsrManager } from './IsrManager';
import { MetadataCache } from './MetadataCache';
import { ReplicaManager } from './ReplicaManager';
import { MockTimer } from './Timer';

let dir: string;
let store: LogManager;
let rm: ReplicaManager;
let timer: MockTimer;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-rm-'));
  store = LogManager.open({ logDirs: [dir], cleanerEnable: false });
  timer = new MockTimer();
  rm = new ReplicaManager({
    timer,
    brokerId: 1,
    logManager: store,
    metadataCache: new MetadataCache(1),
    brokerEpoch: () => 10,
    topicConfig: async (t): Promise<Record<string, string>> =>
      t === 'strict' ? { 'min.insync.replicas': '2' } : {},
  });
});
afterEach(async () => {
  rm.shutdown();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ps = (
  topic: string,
  leader: number,
  leaderEpoch = 0,
  isr = [1],
): LeaderAndIsrPartitionState => ({
  topicName: topic,
  partitionIndex: 0,
  controllerEpoch: 1,
  leader,
  leaderEpoch,
  isr,
  zkVersion: 0,
  replicas: [1, 2],
  isNew: true,
});
const lai = (
  states: LeaderAndIsrPartitionState[],
  controllerEpoch = 1,
  brokerEpoch = 10,
): LeaderAndIsrRequest => ({
  controllerId: 1,
  controllerEpoch,
  brokerEpoch,
  partitionStates: states,
  liveLeaders: [],
});
const batch = (v: string) => buildRecordBatch({ records: [{ value: v }] });
const fetchReq = (topic: string, offset: number, maxWaitMs = 0): FetchRequest => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  topics: [
    {
      topic,
      partitions: [
        {
          partition: 0,
          currentLeaderEpoch: -1,
          fetchOffset: offset,
          logStartOffset: -1,
          partitionMaxBytes: 1 << 20,
        },
      ],
    },
  ],
});

describe('broker > server > ReplicaManager', () => {
  it('a follower whose leader refuses connections: one fetcher warning, not one per backoff', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    setLogLevel('warn');
    const follower = new ReplicaManager({
      timer,
      brokerId: 1,
      logManager: store,
      metadataCache: new MetadataCache(1),
      brokerEpoch: () => 10,
      topicConfig: async () => ({}),
      fetcher: { backoffMs: 20 },
    });
    try {
      const req = lai([ps('t', 2)]);
      req.liveLeaders = [{ brokerId: 2, hostName: '127.0.0.1', port: closed }];
      expect((await follower.becomeLeaderOrFollower(req)).partitionErrors[0].errorCode).toBe(0);
      await new Promise((r) => setTimeout(r, 1500)); // dozens of 20 ms backoffs
      // each one counted for the partition it put off (kzoo_replica_fetcher_backoffs_total)
      const [m] = follower.replicaFetcherManager.metrics();
      expect(m).toMatchObject({ clientId: 'ReplicaFetcherThread-0-2', requests: 0, bytes: 0 });
      expect(m.backoffs).toBeGreaterThanOrEqual(10);
    } finally {
      await follower.shutdownFetchers();
      follower.shutdown();
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
    const warnings = lines.filter((l) => /WARN/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/replica fetch from the leader failed; backing off/);
    expect(warnings[0]).toMatch(/ECONNREFUSED/);
  });

  it('applies LeaderAndIsr only from a current controller and with a newer leader epoch', async () => {
    expect((await rm.becomeLeaderOrFollower(lai([ps('t', 1)]))).partitionErrors[0].errorCode).toBe(
      0,
    );
    expect(rm.getPartition('t', 0)!.isLeader).toBe(true);
    // Same leader epoch again: stale for that partition.
    expect((await rm.becomeLeaderOrFollower(lai([ps('t', 2)]))).partitionErrors[0].errorCode).toBe(
      11,
    );
    expect(rm.getPartition('t', 0)!.isLeader).toBe(true);
    // An older controller epoch after a newer one: the whole request is refused.
    await rm.becomeLeaderOrFollower(lai([ps('t', 2, 1)], 3));
    expect(rm.getPartition('t', 0)!.leaderId).toBe(2);
    expect((await rm.becomeLeaderOrFollower(lai([ps('t', 1, 2)], 2))).errorCode).toBe(11);
    expect((await rm.becomeLeaderOrFollower(lai([ps('t', 1, 2)], 3, 9))).errorCode).toBe(77);
    // Followers refuse produce and consumer fetch.
    const [res] = await rm.appendRecords(1, 1000, [
      { name: 't', partitions: [{ index: 0, records: batch('x') }] },
    ]);
    expect(res.partitions[0].errorCode).toBe(6);
  });

  it("a LeaderAndIsr that awaited a new topic's config does not undo a newer one applied meanwhile", async () => {
    // Two requests for a partition this broker does not have yet: each reads the topic's
    // config from ZooKeeper first. The newer one's read answers first.
    const reads: Array<(cfg: Record<string, string>) => void> = [];
    const rm2 = new ReplicaManager({
      timer,
      brokerId: 1,
      logManager: store,
      metadataCache: new MetadataCache(1),
      brokerEpoch: () => 10,
      topicConfig: () => new Promise((resolve) => reads.push(resolve)),
    });
    try {
      const older = rm2.becomeLeaderOrFollower(lai([ps('race', 1, 4)]));
      const newer = rm2.becomeLeaderOrFollower(lai([ps('race', 2, 5, [2, 1])]));
      expect(reads).toHaveLength(2);
      reads[1]({});
      expect((await newer).partitionErrors[0].errorCode).toBe(0);
      expect(rm2.getPartition('race', 0)!.leaderId).toBe(2);
      reads[0]({});
      expect((await older).partitionErrors[0].errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
      const p = rm2.getPartition('race', 0)!;
      expect(p.leaderId).toBe(2);
      expect(p.leaderEpoch).toBe(5);
      expect(p.isLeader).toBe(false);
    } finally {
      rm2.shutdown();
    }
  });

  it('serves produce and fetch as leader, and a parked fetch wakes on the append', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('t', 1)]));
    const [r] = await rm.appendRecords(1, 1000, [
      { name: 't', partitions: [{ index: 0, records: batch('a') }] },
    ]);
    expect(r.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0, logStartOffset: 0 });
    const now = await rm.fetchMessages(fetchReq('t', 0));
    expect(now[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 1 });
    const parked = rm.fetchMessages(fetchReq('t', 1, 60000));
    expect(rm.fetchPurgatory.delayed).toBe(1);
    await rm.appendRecords(1, 1000, [
      { name: 't', partitions: [{ index: 0, records: batch('b') }] },
    ]);
    const woke = await parked;
    expect(woke[0].partitions[0].highWatermark).toBe(2);
    expect(woke[0].partitions[0].records.length).toBeGreaterThan(0);
    expect((await rm.fetchMessages(fetchReq('t', 3)))[0].partitions[0].errorCode).toBe(1);
  });

  it('wakes a parked fetch once per event-loop turn, with every append of that turn', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('t', 1)]));
    const parked = rm.fetchMessages(fetchReq('t', 0, 60000));
    expect(rm.fetchPurgatory.delayed).toBe(1);
    const appended = [batch('a'), batch('b')].map((records) =>
      rm.appendRecords(1, 1000, [{ name: 't', partitions: [{ index: 0, records }] }]),
    );
    expect(rm.fetchPurgatory.delayed).toBe(1); // not yet: the wake-up waits for the turn's end
    await Promise.all(appended);
    const [woke] = await parked;
    expect(woke.partitions[0].highWatermark).toBe(2);
    expect(woke.partitions[0].records.length).toBe(2 * batch('a').length);
    expect(rm.fetchPurgatory.delayed).toBe(0);
  });

  it('answers a parked fetch empty at maxWaitMs on the timer clock', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('t', 1)]));
    let answered = false;
    const parked = Promise.resolve(rm.fetchMessages(fetchReq('t', 0, 500))).then(
      (r) => ((answered = true), r),
    );
    timer.advanceClock(499);
    await new Promise(setImmediate);
    expect(answered).toBe(false);
    timer.advanceClock(1);
    const [res] = await parked;
    expect(res.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0 });
    expect(res.partitions[0].records.length).toBe(0);
    expect(rm.fetchPurgatory.delayed).toBe(0);
  });

  it('counts parked operations that expired, and warns of one that could have been answered before (a missed wake-up)', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('t', 1, 0, [1, 2])]));
    const follower = { ...fetchReq('t', 0, 500), replicaId: 2 };
    // Idle: the follower's fetch waits its 500 ms and is answered empty (expected, no warning).
    const idle = Promise.resolve(rm.fetchMessages(follower));
    timer.advanceClock(500);
    expect((await idle)[0].partitions[0].records.length).toBe(0);
    expect(rm.expirations).toMatchObject({ followerFetch: 1, consumerFetch: 0, missedWakeups: 0 });
    // An append the purgatory is not told of (the partition's own append, without
    // appendRecords' wake-up): the parked fetch could be answered, but waits to its deadline.
    const lines: string[] = [];
    setLogSink((line) => lines.push(line));
    try {
      const missed = Promise.resolve(rm.fetchMessages(follower));
      const p = rm.getPartition('t', 0)!;
      await p.pendingEpochWrite; // the leader epoch on disk before an append
      p.appendRecordsToLeader(batch('a'), 1);
      await new Promise(setImmediate);
      expect(rm.fetchPurgatory.delayed).toBe(1);
      timer.advanceClock(500);
      expect((await missed)[0].partitions[0].records.length).toBe(batch('a').length);
    } finally {
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
    expect(rm.expirations).toMatchObject({ followerFetch: 2, missedWakeups: 1 });
    const warnings = lines.filter((l) => /WARN/.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /parked follower fetch waited its whole 500 ms .*missed wake-up.* partitions=t-0/,
    );
  });

  it('refuses acks=-1 below min.insync.replicas, and waits for the HW with a larger ISR', async () => {
    await rm.becomeLeaderOrFollower(lai([{ ...ps('strict', 1), topicName: 'strict' }]));
    const [a] = await rm.appendRecords(-1, 1000, [
      { name: 'strict', partitions: [{ index: 0, records: batch('x') }] },
    ]);
    expect(a.partitions[0].errorCode).toBe(19); // NOT_ENOUGH_REPLICAS
    await rm.becomeLeaderOrFollower(lai([ps('w', 1, 0, [1, 2])]));
    await rm.getPartition('w', 0)!.pendingEpochWrite; // the epoch is on disk: the append parks
    let answered = false;
    const pending = Promise.resolve(
      rm.appendRecords(-1, 100, [{ name: 'w', partitions: [{ index: 0, records: batch('x') }] }]),
    ).then((r) => ((answered = true), r));
    expect(rm.producePurgatory.delayed).toBe(1);
    timer.advanceClock(99);
    await new Promise(setImmediate);
    expect(answered).toBe(false);
    timer.advanceClock(1);
    const [w] = await pending;
    expect(w.partitions[0].errorCode).toBe(7); // REQUEST_TIMED_OUT: the follower never fetched
  });

  it('a follower fetch moves the HW and completes acks=-1; a deposed leader fails its parked produces and refuses new ones', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('r', 1, 0, [1, 2])]));
    await rm.getPartition('r', 0)!.pendingEpochWrite; // the epoch is on disk: the append parks
    const acked = rm.appendRecords(-1, 60000, [
      { name: 'r', partitions: [{ index: 0, records: batch('x') }] },
    ]);
    expect(rm.producePurgatory.delayed).toBe(1);
    // Broker 2 fetches from offset 1: it has offset 0, so the HW moves to 1.
    const f = await rm.fetchMessages({ ...fetchReq('r', 1), replicaId: 2 });
    expect(f[0].partitions[0].errorCode).toBe(0);
    expect(rm.getPartition('r', 0)!.highWatermark).toBe(1);
    expect((await acked)[0].partitions[0].errorCode).toBe(0);
    // Another acks=-1 parks; then a LeaderAndIsr with a newer epoch makes broker 2 leader.
    const parked = rm.appendRecords(-1, 60000, [
      { name: 'r', partitions: [{ index: 0, records: batch('y') }] },
    ]);
    await rm.becomeLeaderOrFollower(lai([ps('r', 2, 1, [2])]));
    expect((await parked)[0].partitions[0].errorCode).toBe(6); // NOT_LEADER_OR_FOLLOWER
    const [late] = await rm.appendRecords(1, 1000, [
      { name: 'r', partitions: [{ index: 0, records: batch('z') }] },
    ]);
    expect(late.partitions[0].errorCode).toBe(6);
  });

  it('acks=-1 without a timer tick: the append wakes the parked follower fetch, its next fetch moves the HW, which answers the produce and a parked consumer fetch', async () => {
    // Kafka's path (ReplicaManager.appendRecords → tryCompleteDelayedFetch; the follower's
    // next fetch → Partition.updateFollowerFetchState → maybeIncrementLeaderHW →
    // tryCompleteDelayedRequests): every step on an event, none on the purgatory timer.
    await rm.becomeLeaderOrFollower(lai([ps('c', 1, 0, [1, 2])]));
    await rm.getPartition('c', 0)!.pendingEpochWrite;
    const p = rm.getPartition('c', 0)!;
    const follower = (offset: number) => ({ ...fetchReq('c', offset, 500), replicaId: 2 });
    // Caught up: the follower's fetch and a consumer's fetch park (maxWaitMs 500 each).
    let followerAnswered = false;
    const followerFetch = Promise.resolve(rm.fetchMessages(follower(0))).then(
      (r) => ((followerAnswered = true), r),
    );
    let consumerAnswered = false;
    const consumerFetch = Promise.resolve(rm.fetchMessages(fetchReq('c', 0, 500))).then(
      (r) => ((consumerAnswered = true), r),
    );
    expect(rm.fetchPurgatory.delayed).toBe(2);
    let acked = false;
    const produce = Promise.resolve(
      rm.appendRecords(-1, 30000, [{ name: 'c', partitions: [{ index: 0, records: batch('x') }] }]),
    ).then((r) => ((acked = true), r));
    // The append wakes the follower's fetch (the bytes to the LEO count for it) ...
    const [toFollower] = await followerFetch;
    expect(toFollower.partitions[0].records.length).toBe(batch('x').length);
    // ... but not the consumer's: nothing new below the HW yet.
    await new Promise(setImmediate);
    expect(consumerAnswered).toBe(false);
    expect(acked).toBe(false);
    expect(p.highWatermark).toBe(0);
    // The follower appended and fetches from its new LEO: within that one request the HW
    // moves, the produce is acknowledged and the consumer's fetch returns the record.
    const next = Promise.resolve(rm.fetchMessages(follower(1)));
    expect(p.highWatermark).toBe(1);
    const [r] = await produce;
    expect(r.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const [toConsumer] = await consumerFetch;
    expect(toConsumer.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 1 });
    expect(toConsumer.partitions[0].records.length).toBe(batch('x').length);
    expect(followerAnswered && acked).toBe(true);
    // The follower's new fetch parks (nothing past its LEO) until its own wait ends.
    expect(rm.fetchPurgatory.delayed).toBe(1);
    expect(timer.size).toBe(1);
    timer.advanceClock(500);
    expect((await next)[0].partitions[0]).toMatchObject({
      highWatermark: 1,
      records: Buffer.alloc(0),
    });
  });

  it('followers woken by one append at the same offset share one log read; other limits read on their own', async () => {
    await rm.becomeLeaderOrFollower(lai([{ ...ps('s', 1, 0, [1, 2, 3]), replicas: [1, 2, 3] }]));
    const p = rm.getPartition('s', 0)!;
    await p.pendingEpochWrite;
    const follower = (id: number, offset: number, partitionMaxBytes = 1 << 20): FetchRequest => {
      const r = fetchReq('s', offset, 500);
      r.topics[0].partitions[0].partitionMaxBytes = partitionMaxBytes;
      return { ...r, replicaId: id };
    };
    const produce = (...values: string[]) =>
      Promise.all(
        values.map((v) =>
          rm.appendRecords(1, 1000, [{ name: 's', partitions: [{ index: 0, records: batch(v) }] }]),
        ),
      );
    const reads = jest.spyOn(p, 'readRecords');
    try {
      // Both caught up at 0: one append wakes both, one read answers both.
      const [a, b] = [rm.fetchMessages(follower(2, 0)), rm.fetchMessages(follower(3, 0))];
      expect(rm.fetchPurgatory.delayed).toBe(2);
      reads.mockClear();
      await produce('x');
      const [[ra], [rb]] = await Promise.all([a, b]);
      expect(reads).toHaveBeenCalledTimes(1);
      expect(ra.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0 });
      expect(ra.partitions[0].records.length).toBe(batch('x').length);
      expect(rb.partitions[0]).toEqual(ra.partitions[0]);
      // At 1 both, one allowing a single byte per partition (still one whole batch, KIP-74):
      // each is read with its own limit, and a later read sees the log as it is then.
      const [c, d] = [rm.fetchMessages(follower(2, 1)), rm.fetchMessages(follower(3, 1, 1))];
      reads.mockClear();
      await produce('y', 'z');
      const [[rc], [rd]] = await Promise.all([c, d]);
      expect(reads).toHaveBeenCalledTimes(2);
      expect(rc.partitions[0].records.length).toBe(2 * batch('y').length);
      expect(rd.partitions[0].records.length).toBe(batch('y').length);
      expect(p.highWatermark).toBe(1); // both fetched from 1: offset 0 is on every replica
      const [[re]] = await Promise.all([rm.fetchMessages(follower(3, 2))]);
      expect(Buffer.concat([rd.partitions[0].records, re.partitions[0].records])).toEqual(
        rc.partitions[0].records,
      );
    } finally {
      reads.mockRestore();
    }
  });

  it('a new leader acknowledges produce only once its epoch is in leader-epoch-checkpoint; the LeaderAndIsr does not wait for the writes', async () => {
    // Slow-write injection: the real asynchronous checkpoint writes run when the gate opens.
    const real = LeaderEpochCheckpointFile.prototype.writeAsync;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const spy = jest
      .spyOn(LeaderEpochCheckpointFile.prototype, 'writeAsync')
      .mockImplementation(function (this: LeaderEpochCheckpointFile, entries, beforeRename) {
        const snapshot = [...entries];
        return gate.then(() => real.call(this, snapshot, beforeRename));
      });
    try {
      const topics = Array.from({ length: 20 }, (_, i) => `slow${i}`);
      const res = await rm.becomeLeaderOrFollower(lai(topics.map((t) => ps(t, 1, 3))));
      expect(res.partitionErrors.map((e) => e.errorCode)).toEqual(topics.map(() => 0));
      const p = rm.getPartition('slow0', 0)!;
      const onDisk = () =>
        new LeaderEpochCheckpointFile(path.join(p.log.dir, LEADER_EPOCH_CHECKPOINT)).read();
      expect(p.pendingEpochWrite).not.toBeNull();
      expect(() => p.appendRecordsToLeader(batch('direct'), 1)).toThrow(/not yet durable/);
      let atAck: unknown;
      const produced = Promise.resolve(
        rm.appendRecords(1, 1000, [
          { name: 'slow0', partitions: [{ index: 0, records: batch('x') }] },
        ]),
      ).then((r) => ((atAck = onDisk()), r));
      for (let i = 0; i < 5; i++) await new Promise(setImmediate);
      expect(atAck).toBeUndefined(); // not answered
      expect(p.logEndOffset).toBe(0); // nor appended
      expect(onDisk()).toEqual([]);
      open();
      const [r] = await produced;
      expect(r.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
      expect(atAck).toEqual([{ epoch: 3, startOffset: 0 }]);
      expect(p.lastOffsetForLeaderEpoch(-1, 3)).toEqual({ leaderEpoch: 3, endOffset: 1 });
      await Promise.all(topics.map((t) => rm.getPartition(t, 0)!.pendingEpochWrite));
    } finally {
      spy.mockRestore();
      open();
    }
  });

  it('a LeaderAndIsr of many partitions re-checks a follower fetch parked on all of them once, not once per partition', async () => {
    const topics = Array.from({ length: 200 }, (_, i) => `wide${i}`);
    await rm.becomeLeaderOrFollower(lai(topics.map((t) => ps(t, 1, 0, [1, 2]))));
    await Promise.all(topics.map((t) => rm.getPartition(t, 0)!.pendingEpochWrite));
    const req: FetchRequest = {
      ...fetchReq(topics[0], 0, 60000),
      replicaId: 2,
      topics: topics.map((t) => ({ ...fetchReq(t, 0).topics[0], topic: t })),
    };
    const parked = Promise.resolve(rm.fetchMessages(req));
    expect(rm.fetchPurgatory.delayed).toBe(1);
    const tries = jest.spyOn(DelayedFetch.prototype, 'tryComplete');
    try {
      // a new epoch, still led here: the fetch stays parked, tried once
      await rm.becomeLeaderOrFollower(lai(topics.map((t) => ps(t, 1, 1, [1, 2]))));
      expect(tries).toHaveBeenCalledTimes(1);
      expect(rm.fetchPurgatory.delayed).toBe(1);
      // no longer led here (leader -1: offline): the fetch is answered (once), with NOT_LEADER_OR_FOLLOWER
      await rm.becomeLeaderOrFollower(lai(topics.map((t) => ps(t, -1, 2, [1, 2]))));
      expect(tries).toHaveBeenCalledTimes(2);
      expect(rm.fetchPurgatory.delayed).toBe(0);
      const answered = await parked;
      expect(answered).toHaveLength(200);
      expect(answered.every((t) => t.partitions[0].errorCode === 6)).toBe(true);
    } finally {
      tries.mockRestore();
    }
  });

  it('a caught-up follower outside the ISR holds the HW only while the metadata cache lists its broker (Kafka isReplicaIsrEligible): acks=-1 completes when the broker leaves', async () => {
    // the controller refuses every ISR change (as it refuses a broker in controlled shutdown)
    const refusing: IsrManager = {
      submit: (_u, callback) => {
        queueMicrotask(() =>
          callback({
            errorCode: ErrorCode.INELIGIBLE_REPLICA,
            leaderEpoch: -1,
            isr: [],
            zkVersion: -1,
          }),
        );
        return true;
      },
      start: () => undefined,
      shutdown: () => undefined,
    };
    const cache = new MetadataCache(1);
    const broker = (id: number) => ({
      id,
      endpoints: [{ host: 'h', port: 9000 + id, listener: 'PLAINTEXT', securityProtocol: 0 }],
      rack: null,
    });
    const update = (ids: number[]) =>
      cache.updateMetadata({
        controllerId: 1,
        controllerEpoch: 1,
        brokerEpoch: -1,
        liveBrokers: ids.map(broker),
        partitionStates: [],
      });
    const rm2 = new ReplicaManager({
      timer,
      brokerId: 1,
      logManager: store,
      metadataCache: cache,
      brokerEpoch: () => 10,
      topicConfig: async () => ({}),
      isrManager: refusing,
    });
    try {
      update([1, 2]);
      await rm2.becomeLeaderOrFollower(lai([ps('elig', 1, 0, [1])]));
      const p = rm2.getPartition('elig', 0)!;
      await p.pendingEpochWrite;
      // broker 2 fetches at the leader's end: caught up; its ISR expansion is refused
      await rm2.fetchMessages({ ...fetchReq('elig', 0), replicaId: 2 });
      for (let i = 0; i < 3; i++) await new Promise(setImmediate);
      expect(p.isr).toEqual([1]);
      expect(p.isrChangeInFlight).toBe(false);
      let done = false;
      const acked = Promise.resolve(
        rm2.appendRecords(-1, 60000, [
          { name: 'elig', partitions: [{ index: 0, records: batch('x') }] },
        ]),
      ).then((r) => ((done = true), r));
      for (let i = 0; i < 3; i++) await new Promise(setImmediate);
      expect(done).toBe(false); // the HW waits for broker 2, caught up a moment ago
      expect(p.highWatermark).toBe(0);
      update([1, 2]); // no broker left: nothing changes
      for (let i = 0; i < 3; i++) await new Promise(setImmediate);
      expect(done).toBe(false);
      update([1]); // broker 2 is gone
      const [r] = await acked;
      expect(r.partitions[0].errorCode).toBe(0);
      expect(p.highWatermark).toBe(1);
      // and it may not join the ISR while the cache does not list it
      await rm2.fetchMessages({ ...fetchReq('elig', 1), replicaId: 2 });
      expect(p.isrChangeInFlight).toBe(false);
    } finally {
      rm2.shutdown();
    }
  });

  it('OffsetForLeaderEpoch: end offsets per epoch, fenced by currentLeaderEpoch', async () => {
    await rm.becomeLeaderOrFollower(lai([ps('e', 1, 0)]));
    await rm.appendRecords(1, 1000, [
      { name: 'e', partitions: [{ index: 0, records: batch('a') }] },
    ]);
    await rm.becomeLeaderOrFollower(lai([ps('e', 1, 3)]));
    await rm.appendRecords(1, 1000, [
      { name: 'e', partitions: [{ index: 0, records: batch('b') }] },
    ]);
    const ask = (currentLeaderEpoch: number, leaderEpoch: number) =>
      rm.lastOffsetForLeaderEpoch({
        replicaId: 2,
        topics: [{ topic: 'e', partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
      })[0].partitions[0];
    expect(ask(3, 0)).toEqual({ errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 1 });
    expect(ask(3, 2)).toEqual({ errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 1 });
    expect(ask(3, 3)).toEqual({ errorCode: 0, partition: 0, leaderEpoch: 3, endOffset: 2 });
    expect(ask(2, 0).errorCode).toBe(74); // FENCED_LEADER_EPOCH
    expect(ask(4, 0).errorCode).toBe(75); // UNKNOWN_LEADER_EPOCH
  });

  it('StopReplica with deletePartition removes the log; high watermarks are checkpointed', async () => {
    await rm.becomeLeaderOrFollower(
      lai([ps('t', 1), ps('u', 1)].map((s, i) => ({ ...s, topicName: i ? 'u' : 't' }))),
    );
    await rm.appendRecords(1, 1000, [
      { name: 'u', partitions: [{ index: 0, records: batch('a') }] },
    ]);
    const parked = rm.fetchMessages(fetchReq('t', 0, 60000));
    const res = rm.stopReplicas({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: 10,
      partitions: [{ topicName: 't', partitionIndex: 0, leaderEpoch: -2, deletePartition: true }],
    });
    expect(res.partitionErrors[0].errorCode).toBe(0);
    expect((await parked)[0].partitions[0].errorCode).toBe(3); // the parked fetch is answered
    expect(fs.existsSync(path.join(dir, 't-0'))).toBe(false);
    rm.checkpointHighWatermarks();
    const hw = new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT)).readMap();
    expect(hw.get('u-0')).toBe(1);
    expect(hw.has('t-0')).toBe(false);
  });
});
