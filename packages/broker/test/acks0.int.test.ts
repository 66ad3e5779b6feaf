/**
 * Produce with acks=0 that fails for a partition: the broker sends no response but
 * closes the connection (as Kafka), after the responses to earlier pipelined requests.
 * Two in-process brokers on a real ZooKeeper, auto.create.topics.enable=false.
 */
import { KafkaError, setLogLevel, setLogSink } from '@kzoo/common';
import { ApiKeys, type Connection, type ProduceRequest } from '@kzoo/protocol';
import { waitFor } from '@kzoo/testkit';
import { batchOf, randomTopic, startCluster, type TestCluster } from './cluster';

function produceRequest(topic: string, partition: number, acks: number): ProduceRequest {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topics: [
      { name: topic, partitions: [{ index: partition, records: batchOf([{ value: 'v' }]) }] },
    ],
  };
}

/** A Fetch that parks on the broker for `maxWaitMs` (nothing new to read). */
function slowFetch(conn: Connection, topic: string, partition: number, maxWaitMs: number) {
  return conn.request(ApiKeys.Fetch, 0, {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1 << 20,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  });
}

function closeSeen(conn: Connection): Promise<KafkaError> {
  return new Promise((resolve) => conn.onClose(resolve));
}

describe('broker > Produce > acks=0 errors close the connection', () => {
  let c: TestCluster;
  let topic: string;
  /** Partition led by broker 1, and one led by broker 2. */
  let mine: number;
  let theirs: number;

  beforeAll(async () => {
    c = await startCluster(2, { 'auto.create.topics.enable': 'false' });
    const conn = await c.connect(1);
    topic = randomTopic('acks0');
    const res = await conn.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 1, brokerIds: [2] },
          ],
          configs: [],
        },
      ],
      timeoutMs: 15000,
      validateOnly: false,
    });
    expect(res.topics[0].errorCode).toBe(0);
    mine = 0;
    theirs = 1;
    await waitFor('both leaders known on broker 1', () => {
      const leaders = [0, 1].map(
        (p) => c.broker(1).dataPlane.metadataCache.partitionState(topic, p)?.leader,
      );
      return leaders[0] === 1 && leaders[1] === 2;
    });
    await waitFor(
      'broker 1 leads partition 0',
      () => c.broker(1).dataPlane.replicaManager.getPartition(topic, mine)?.isLeader === true,
    );
  }, 60000);

  it('a successful acks=0 produce keeps the connection open and appends', async () => {
    const conn = await c.connect(1);
    conn.sendOneWay(ApiKeys.Produce, 0, produceRequest(topic, mine, 0));
    const res = await conn.request(ApiKeys.Produce, 0, produceRequest(topic, mine, 1));
    expect(res.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
    expect(conn.closed).toBe(false);
  });

  it('acks=0 to a partition led by another broker closes the connection after the earlier responses', async () => {
    const logged: string[] = [];
    setLogLevel('info');
    setLogSink((line) => logged.push(line));
    try {
      const conn = await c.connect(1);
      const other = await c.connect(1);
      const closed = closeSeen(conn);
      // Earlier request, answered after 300 ms: the failed acks=0 produce behind it
      // finishes first, yet the fetch response is still written before the close.
      const earlier = slowFetch(conn, topic, mine, 300);
      conn.sendOneWay(ApiKeys.Produce, 0, produceRequest(topic, theirs, 0));
      const later = conn.request(ApiKeys.Metadata, 0, {
        topics: null,
        allowAutoTopicCreation: false,
      });
      const fetched = await earlier;
      expect(fetched.responses[0].partitions[0].errorCode).toBe(0);
      await expect(later).rejects.toMatchObject({ errorName: 'NETWORK_EXCEPTION' });
      expect((await closed).errorName).toBe('NETWORK_EXCEPTION');
      expect(conn.closed).toBe(true);
      // Another connection to the same broker is unaffected.
      const md = await other.request(ApiKeys.Metadata, 0, {
        topics: null,
        allowAutoTopicCreation: false,
      });
      expect(md.brokers).toHaveLength(2);
      expect(other.closed).toBe(false);
      const line = logged.find((l) =>
        l.includes('Closing connection due to error during produce request'),
      );
      expect(line).toBeDefined();
      expect(line).toContain('with ack=0');
      expect(line).toContain(`${topic}-${theirs}: NOT_LEADER_OR_FOLLOWER`);
    } finally {
      setLogLevel('warn');
      setLogSink((line) => process.stderr.write(line + '\n'));
    }
  });

  it('acks=0 to an unknown topic (auto-create disabled) closes the connection', async () => {
    const conn = await c.connect(1);
    const closed = closeSeen(conn);
    const before = conn.request(ApiKeys.Metadata, 0, {
      topics: null,
      allowAutoTopicCreation: false,
    });
    conn.sendOneWay(ApiKeys.Produce, 0, produceRequest(randomTopic('missing'), 0, 0));
    expect((await before).brokers).toHaveLength(2);
    expect((await closed).errorName).toBe('NETWORK_EXCEPTION');
    // The broker itself keeps serving: a new connection works.
    const again = await c.connect(1);
    const res = await again.request(ApiKeys.Produce, 0, produceRequest(topic, mine, 1));
    expect(res.topics[0].partitions[0].errorCode).toBe(0);
  });

  it('acks=1 errors are still answered, with the connection kept open', async () => {
    const conn = await c.connect(1);
    const res = await conn.request(ApiKeys.Produce, 0, produceRequest(topic, theirs, 1));
    expect(res.topics[0].partitions[0].errorCode).toBe(6); // NOT_LEADER_OR_FOLLOWER
    expect(conn.closed).toBe(false);
  });
});
