import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager } from '@kzoo/log';
import type { FetchRequest } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { MetadataCache } from '../server/MetadataCache';
import { ReplicaManager } from '../server/ReplicaManager';
import { MockTimer } from '../server/Timer';
import { BrokerTopicStats } from './BrokerTopicStats';

let dir: string;
let store: LogManager;
let rm: ReplicaManager;
let stats: BrokerTopicStats;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-bts-'));
  store = LogManager.open({ logDirs: [dir], cleanerEnable: false });
  stats = new BrokerTopicStats();
  rm = new ReplicaManager({
    timer: new MockTimer(),
    brokerId: 1,
    logManager: store,
    metadataCache: new MetadataCache(1),
    brokerEpoch: () => 10,
    topicConfig: async () => ({}),
    brokerTopicStats: stats,
  });
});
afterEach(async () => {
  rm.shutdown();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const fetchReq = (topic: string, replicaId: number): FetchRequest => ({
  replicaId,
  maxWaitMs: 0,
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
          logStartOffset: -1,
          partitionMaxBytes: 1 << 20,
        },
      ],
    },
  ],
});

describe('broker > metrics > BrokerTopicStats in the ReplicaManager', () => {
  it('counts a leader append as bytes/messages in, consumer and follower fetches apart, and forgets a deleted topic', async () => {
    await rm.becomeLeaderOrFollower({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: 10,
      liveLeaders: [],
      partitionStates: [
        {
          topicName: 't',
          partitionIndex: 0,
          controllerEpoch: 1,
          leader: 1,
          leaderEpoch: 0,
          isr: [1],
          zkVersion: 0,
          replicas: [1, 2],
          isNew: true,
        },
      ],
    });
    const batch = buildRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    await rm.appendRecords(1, 1000, [{ name: 't', partitions: [{ index: 0, records: batch }] }]);
    expect(stats.allTopics).toMatchObject({ bytesIn: batch.length, messagesIn: 2 });
    await rm.fetchMessages(fetchReq('t', 2)); // the follower: replication bytes out
    expect(stats.allTopics).toMatchObject({ bytesOut: 0, replicationBytesOut: batch.length });
    await rm.fetchMessages(fetchReq('t', -1)); // a consumer (the HW moved with the follower)
    expect(stats.allTopics.bytesOut).toBe(batch.length);
    expect([...stats.entries()].map(([t]) => t)).toEqual(['t']);
    rm.stopReplicas({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: 10,
      partitions: [{ topicName: 't', partitionIndex: 0, leaderEpoch: -2, deletePartition: true }],
    });
    expect([...stats.entries()]).toEqual([]);
    expect(stats.allTopics.bytesIn).toBe(batch.length); // the broker's totals stay
  });
});
