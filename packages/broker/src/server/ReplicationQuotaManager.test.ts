import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaError, MockTime } from '@kzoo/common';
import { LogManager } from '@kzoo/log';
import type { FetchRequest, LeaderAndIsrPartitionState } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { MetadataCache } from './MetadataCache';
import { ReplicaManager } from './ReplicaManager';
import {
  ALL_REPLICAS,
  QUOTA_BYTES_PER_SECOND_DEFAULT,
  ReplicationQuotaManager,
  ReplicationQuotas,
  parseThrottledPartitions,
  recordFollowerFetch,
  shouldFollowerThrottle,
  shouldLeaderThrottle,
  sizeOfThrottledPartitions,
} from './ReplicationQuotaManager';
import { MockTimer } from './Timer';

const LEADER = 'leader.replication.throttled.replicas';
const FOLLOWER = 'follower.replication.throttled.replicas';

describe('broker > server > ReplicationQuotaManager', () => {
  describe('rate over the window (SimpleRate, 11 samples of 1 s)', () => {
    it('divides the bytes by the time since the oldest sample began, at least one window', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager('LeaderReplication', {}, time);
      expect(q.rate()).toBe(0);
      q.record(1000);
      expect(q.rate()).toBe(1000); // 0 ms elapsed counts as one whole window
      time.tick(500);
      expect(q.rate()).toBe(1000);
      time.tick(1500); // 2 s since the first sample began
      expect(q.rate()).toBe(500);
      q.record(3000); // a new sample; 4000 bytes over 2 s
      expect(q.rate()).toBe(2000);
      time.tick(2000);
      expect(q.rate()).toBe(1000); // 4000 over 4 s
    });

    it('forgets samples older than the whole window (11 s)', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager('FollowerReplication', {}, time);
      q.record(11000);
      time.tick(10999);
      expect(q.rate()).toBeCloseTo(11000 / 10.999, 6);
      time.tick(1);
      expect(q.rate()).toBe(0);
    });

    it('takes replication.quota.window.num and .size.seconds', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager(
        'LeaderReplication',
        { numQuotaSamples: 2, quotaWindowSizeSeconds: 5 },
        time,
      );
      q.record(10000);
      time.tick(1000);
      expect(q.rate()).toBe(2000); // below one 5 s window: 10000 / 5 s
      time.tick(9000);
      expect(q.rate()).toBe(0); // 2 × 5 s passed: purged
      expect(
        () => new ReplicationQuotaManager('LeaderReplication', { numQuotaSamples: 0 }),
      ).toThrow(/at least one sample/);
    });
  });

  describe('quota', () => {
    it('is unbounded (Long.MaxValue) until a rate is set', () => {
      const q = new ReplicationQuotaManager('LeaderReplication', {}, new MockTime());
      expect(q.upperBound).toBe(QUOTA_BYTES_PER_SECOND_DEFAULT);
      q.record(1e12);
      expect(q.isQuotaExceeded()).toBe(false);
    });

    it('is exceeded above the bound and recovers as the window moves on', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager('LeaderReplication', {}, time);
      q.updateQuota(1000);
      q.record(5000);
      expect(q.isQuotaExceeded()).toBe(true);
      time.tick(4900); // 5000 / 4.9 s > 1000
      expect(q.isQuotaExceeded()).toBe(true);
      time.tick(100); // 5000 / 5 s = 1000: at the bound is within it
      expect(q.isQuotaExceeded()).toBe(false);
      q.updateQuota(999);
      expect(q.isQuotaExceeded()).toBe(true);
      q.updateQuota(QUOTA_BYTES_PER_SECOND_DEFAULT);
      expect(q.isQuotaExceeded()).toBe(false);
    });

    it('holds a sender that backs off while exceeded to the bound over a minute', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager('LeaderReplication', {}, time);
      const bound = 200 * 1024;
      const chunk = 64 * 1024;
      q.updateQuota(bound);
      let sent = 0;
      for (let t = 0; t < 60000; t += 50) {
        if (!q.isQuotaExceeded()) {
          q.record(chunk);
          sent += chunk;
        }
        time.tick(50);
      }
      // Unthrottled it would have sent 64 KiB every 50 ms: 75 MiB.
      expect(sent).toBeLessThanOrEqual(bound * 60 + 2 * chunk);
      expect(sent).toBeGreaterThanOrEqual(bound * 60 * 0.8);
    });
  });

  describe('throttled replicas', () => {
    it('parses [partitionId]:[brokerId] pairs for this broker, "*" and ""', () => {
      expect(parseThrottledPartitions('0:1,1:2,2:1', 1, LEADER)).toEqual([0, 2]);
      expect(parseThrottledPartitions(' 0:1 , 3:1 ', 1, LEADER)).toEqual([0, 3]);
      expect(parseThrottledPartitions('0:1,1:2', 3, FOLLOWER)).toEqual([]);
      expect(parseThrottledPartitions('*', 7, FOLLOWER)).toBe(ALL_REPLICAS);
      expect(parseThrottledPartitions(' * ', 7, FOLLOWER)).toBe(ALL_REPLICAS);
      expect(parseThrottledPartitions('', 1, LEADER)).toEqual([]);
    });

    it.each(['x', '0:a', '0-1', '0:1:2', '*,0:1', '0 : 1'])('refuses %j in Kafka words', (bad) => {
      let err: unknown;
      try {
        parseThrottledPartitions(bad, 1, LEADER);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).errorName).toBe('INVALID_CONFIG');
      expect((err as Error).message).toContain(
        `${LEADER} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`,
      );
    });

    it('marks each side from the topic overrides, replaces, removes, and keeps a side on bad input', () => {
      const quotas = new ReplicationQuotas(1, {}, new MockTime());
      quotas.updateTopicConfig('t', { [LEADER]: '0:1,1:2', [FOLLOWER]: '*' });
      expect(quotas.leader.isThrottled('t', 0)).toBe(true);
      expect(quotas.leader.isThrottled('t', 1)).toBe(false); // names broker 2
      expect(quotas.follower.isThrottled('t', 5)).toBe(true);
      expect(quotas.leader.isThrottled('other', 0)).toBe(false);
      quotas.updateTopicConfig('t', { [LEADER]: '1:1', [FOLLOWER]: 'nonsense' });
      expect(quotas.leader.isThrottled('t', 0)).toBe(false);
      expect(quotas.leader.isThrottled('t', 1)).toBe(true);
      expect(quotas.follower.isThrottled('t', 5)).toBe(true); // bad value: unchanged
      quotas.updateTopicConfig('t', { 'retention.ms': '1000' });
      expect(quotas.leader.isThrottled('t', 1)).toBe(false);
      expect(quotas.follower.isThrottled('t', 5)).toBe(false);
    });

    it("takes the rates from the broker's own dynamic configs; absent means unthrottled", () => {
      const quotas = new ReplicationQuotas(1, {}, new MockTime());
      quotas.updateQuotas({
        'leader.replication.throttled.rate': '1024',
        'follower.replication.throttled.rate': '2048',
      });
      expect(quotas.leader.upperBound).toBe(1024);
      expect(quotas.follower.upperBound).toBe(2048);
      quotas.updateQuotas({ 'leader.replication.throttled.rate': '10' });
      expect(quotas.leader.upperBound).toBe(10);
      expect(quotas.follower.upperBound).toBe(QUOTA_BYTES_PER_SECOND_DEFAULT);
      quotas.updateQuotas({});
      expect(quotas.leader.upperBound).toBe(QUOTA_BYTES_PER_SECOND_DEFAULT);
    });
  });

  describe('hooks', () => {
    const exceeded = () => {
      const q = new ReplicationQuotaManager('LeaderReplication', {}, new MockTime());
      q.updateQuota(10);
      q.record(1000);
      q.markThrottled('t', [0]);
      return q;
    };

    it('shouldLeaderThrottle: throttled, out of the ISR and over the quota', () => {
      const q = exceeded();
      const p = { topic: 't', partition: 0, isr: [1, 2] };
      expect(shouldLeaderThrottle(q, p, 3)).toBe(true);
      expect(shouldLeaderThrottle(q, p, 2)).toBe(false); // in the ISR: never
      expect(shouldLeaderThrottle(q, { ...p, partition: 1 }, 3)).toBe(false); // not listed
      q.updateQuota(QUOTA_BYTES_PER_SECOND_DEFAULT);
      expect(shouldLeaderThrottle(q, p, 3)).toBe(false); // within the quota
    });

    it('shouldFollowerThrottle and recordFollowerFetch: bytes of throttled partitions, in sync by lag', () => {
      const time = new MockTime();
      const q = new ReplicationQuotaManager('FollowerReplication', {}, time);
      q.updateQuota(100);
      q.markThrottled('t', [0]);
      const state: { inSync?: boolean } = {};
      const p0 = { topic: 't', partition: 0, logEndOffset: 10 };
      recordFollowerFetch(q, state, p0, { records: { length: 500 }, highWatermark: 50 });
      expect(q.rate()).toBe(500);
      expect(state.inSync).toBe(false);
      expect(shouldFollowerThrottle(q, state.inSync === true, p0)).toBe(true);
      // a partition not listed: not recorded, not throttled
      recordFollowerFetch(
        q,
        {},
        { ...p0, partition: 1 },
        { records: { length: 500 }, highWatermark: 0 },
      );
      expect(q.rate()).toBe(500);
      expect(shouldFollowerThrottle(q, false, { topic: 't', partition: 1 })).toBe(false);
      // caught up to the leader's HW: in sync, never throttled, still counted
      recordFollowerFetch(
        q,
        state,
        { ...p0, logEndOffset: 50 },
        { records: { length: 500 }, highWatermark: 50 },
      );
      expect(state.inSync).toBe(true);
      expect(q.rate()).toBe(1000);
      expect(shouldFollowerThrottle(q, state.inSync === true, p0)).toBe(false);
      time.tick(10000);
      expect(shouldFollowerThrottle(q, false, p0)).toBe(false); // 1000 B / 10 s = 100 B/s
    });

    it('sizeOfThrottledPartitions counts the record bytes of throttled partitions only', () => {
      const q = exceeded();
      const topics = [
        {
          topic: 't',
          partitions: [
            { partitionIndex: 0, records: Buffer.alloc(300) },
            { partitionIndex: 1, records: Buffer.alloc(700) },
          ],
        },
        { topic: 'u', partitions: [{ partitionIndex: 0, records: Buffer.alloc(50) }] },
      ];
      expect(sizeOfThrottledPartitions(topics, q)).toBe(300);
    });
  });
});

describe('broker > server > ReplicaManager > leader replication throttle', () => {
  let dir: string;
  let store: LogManager;
  let rm: ReplicaManager;
  let timer: MockTimer;
  let time: MockTime;
  let quotas: ReplicationQuotas;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-rqm-'));
    store = LogManager.open({ logDirs: [dir], cleanerEnable: false });
    timer = new MockTimer();
    time = new MockTime();
    quotas = new ReplicationQuotas(1, {}, time);
    rm = new ReplicaManager({
      timer,
      brokerId: 1,
      logManager: store,
      metadataCache: new MetadataCache(1),
      brokerEpoch: () => 10,
      quotas,
      // the leader side lists this broker's replica (1) of partition 0
      topicConfig: async (t): Promise<Record<string, string>> =>
        t.startsWith('thr') ? { [LEADER]: '0:1', [FOLLOWER]: '0:2' } : {},
    });
  });
  afterEach(async () => {
    rm.shutdown();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const state = (topic: string, isr: number[]): LeaderAndIsrPartitionState => ({
    topicName: topic,
    partitionIndex: 0,
    controllerEpoch: 1,
    leader: 1,
    leaderEpoch: 0,
    isr,
    zkVersion: 0,
    replicas: [1, 2],
    isNew: true,
  });
  const fetchReq = (topic: string, replicaId: number, maxWaitMs = 0): FetchRequest => ({
    replicaId,
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
            fetchOffset: 0,
            logStartOffset: 0,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  });
  const records = buildRecordBatch({ records: [{ value: Buffer.alloc(4000, 1) }] });
  const lead = async (topic: string, isr: number[]) => {
    await rm.becomeLeaderOrFollower({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: 10,
      partitionStates: [state(topic, isr)],
      liveLeaders: [],
    });
    await rm.appendRecords(1, 1000, [{ name: topic, partitions: [{ index: 0, records }] }]);
  };
  const fetched = async (req: FetchRequest) =>
    (await rm.fetchMessages(req))[0]!.partitions[0]!.records.length;

  it('sends an out-of-sync follower nothing while the quota is exceeded, and records what it sent', async () => {
    await lead('thr', [1]);
    quotas.updateQuotas({ 'leader.replication.throttled.rate': '1000' });
    expect(await fetched(fetchReq('thr', 2))).toBe(records.length); // within the quota yet
    expect(quotas.leader.rate()).toBe(records.length);
    expect(quotas.leader.isQuotaExceeded()).toBe(true);
    const [held] = await rm.fetchMessages(fetchReq('thr', 2));
    expect(held!.partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 1 });
    expect(held!.partitions[0]!.records.length).toBe(0);
    // consumers are not throttled, nor counted
    expect(await fetched(fetchReq('thr', -1))).toBe(records.length);
    expect(quotas.leader.rate()).toBe(records.length);
    // the rate falls below the bound as the window moves on
    time.tick(Math.ceil((records.length / 1000) * 1000));
    expect(await fetched(fetchReq('thr', 2))).toBe(records.length);
  });

  it('never throttles a follower in the ISR, but counts its bytes', async () => {
    await lead('thr-isr', [1, 2]);
    quotas.updateQuotas({ 'leader.replication.throttled.rate': '1' });
    for (let i = 0; i < 3; i++) expect(await fetched(fetchReq('thr-isr', 2))).toBe(records.length);
    expect(quotas.leader.rate()).toBe(3 * records.length);
  });

  it('does not throttle partitions not listed for this broker', async () => {
    await lead('plain', [1]);
    quotas.updateQuotas({ 'leader.replication.throttled.rate': '1' });
    for (let i = 0; i < 3; i++) expect(await fetched(fetchReq('plain', 2))).toBe(records.length);
    expect(quotas.leader.rate()).toBe(0);
  });

  it("a parked follower fetch is not completed by a throttled partition's appends", async () => {
    await lead('thr', [1]);
    quotas.updateQuotas({ 'leader.replication.throttled.rate': '1' });
    quotas.leader.record(1000);
    let answered = false;
    const parked = Promise.resolve(rm.fetchMessages(fetchReq('thr', 2, 500))).then(
      (r) => ((answered = true), r),
    );
    await rm.appendRecords(1, 1000, [{ name: 'thr', partitions: [{ index: 0, records }] }]);
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    expect(answered).toBe(false);
    timer.advanceClock(500);
    const [res] = await parked;
    expect(res!.partitions[0]!.records.length).toBe(0);
  });

  it('applies topic config changes to the throttled partitions', async () => {
    await lead('thr', [1]);
    expect(quotas.leader.isThrottled('thr', 0)).toBe(true);
    rm.updateTopicConfig('thr', {});
    expect(quotas.leader.isThrottled('thr', 0)).toBe(false);
    rm.updateTopicConfig('thr', { [LEADER]: '*' });
    expect(quotas.leader.isThrottled('thr', 9)).toBe(true);
  });
});
