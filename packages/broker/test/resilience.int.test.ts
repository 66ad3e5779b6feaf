import * as net from 'node:net';
import { ApiKeys, type Connection } from '@kzoo/protocol';
import { waitFor } from '@kzoo/testkit';
import { batchOf, createTopic, metadata, randomTopic, startCluster } from './cluster';
import { fetch, valuesIn } from './raw';

/** A consumer Fetch (minBytes 1) of one partition from `offset`. */
const fetchAll = (conn: Connection, topic: string, partition: number, offset = 0, maxWaitMs = 0) =>
  fetch(conn, topic, [{ partition, offset }], { maxWaitMs, minBytes: 1, maxBytes: 10 << 20 });

describe('broker > resilience', () => {
  it('closes only the connection that sent a malformed frame; the others keep being served', async () => {
    const c = await startCluster(1);
    const good = await c.connect();
    const topic = randomTopic();
    await createTopic(good, topic, 1);
    const port = c.broker(1).dataPlane.socketServer.port;
    // A frame whose header is garbage (shorter than a request header), then one over the size limit.
    for (const bytes of [
      Buffer.from([0, 0, 0, 3, 1, 2, 3]),
      Buffer.from([0x7f, 0xff, 0xff, 0xff, 0]),
    ]) {
      const raw = net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((r) => raw.once('connect', () => r()));
      const closed = new Promise<void>((r) => raw.once('close', () => r()));
      raw.on('error', () => undefined);
      raw.write(bytes);
      await closed;
    }
    // A request with a truncated body gets an error response; the connection stays.
    const md = await metadata(good, [topic]);
    expect(md.topics[0].errorCode).toBe(0);
    const pr = await good.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [
        {
          name: topic,
          partitions: [{ index: 0, records: batchOf([{ value: 'still-here' }]).subarray(0, 40) }],
        },
      ],
    });
    expect(pr.topics[0].partitions[0].errorCode).toBe(2); // CORRUPT_MESSAGE: truncated batch
    await expect(
      good.request(ApiKeys.Metadata, 7 as number, { topics: null, allowAutoTopicCreation: false }),
    ).rejects.toMatchObject({
      errorName: 'UNSUPPORTED_VERSION',
    });
    await expect(
      good.request(ApiKeys.Metadata, 0, { topics: 'all' as never, allowAutoTopicCreation: false }),
    ).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });
    expect((await metadata(good, [topic])).topics[0].errorCode).toBe(0);
  });

  it('recovers its log after a restart and serves the same data', async () => {
    const c = await startCluster(1);
    let conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 2);
    for (let i = 0; i < 50; i++) {
      await conn.request(ApiKeys.Produce, 0, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topics: [
          {
            name: topic,
            partitions: [
              { index: i % 2, records: batchOf([{ value: `v${i}` }, { value: `w${i}` }]) },
            ],
          },
        ],
      });
    }
    const before = [
      valuesIn((await fetchAll(conn, topic, 0)).responses[0].partitions[0].records),
      valuesIn((await fetchAll(conn, topic, 1)).responses[0].partitions[0].records),
    ];
    expect(before[0]).toHaveLength(50);
    await conn.close();
    await c.broker(1).shutdown();
    await c.startBroker(1);
    conn = await c.connect();
    await waitFor('partitions led again after restart', async () => {
      const md = await metadata(conn, [topic]);
      return md.topics[0]?.partitions.length === 2 &&
        md.topics[0].partitions.every((p) => p.leaderId === 1)
        ? true
        : undefined;
    });
    await waitFor(
      'replica manager hosts the partitions',
      () => c.broker(1).dataPlane.replicaManager.getPartition(topic, 1)?.isLeader,
    );
    for (const p of [0, 1]) {
      const r = (await fetchAll(conn, topic, p)).responses[0].partitions[0];
      expect(r.highWatermark).toBe(50);
      expect(valuesIn(r.records)).toEqual(before[p]);
    }
    // And appends continue after the recovered end.
    const pr = await conn.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: 'after' }]) }] }],
    });
    expect(pr.topics[0].partitions[0].baseOffset).toBe(50);
  });

  it('a restarted non-controller broker gets its partitions back from the controller', async () => {
    const c = await startCluster(3);
    const controllerId = c.brokers.find((b) => b.isController())!.brokerId;
    const target = [1, 2, 3].find((b) => b !== controllerId)!;
    const conn = await c.connect(controllerId);
    const topic = randomTopic();
    // One partition on the target broker alone.
    const res = await conn.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [target] }],
          configs: [],
        },
      ],
      timeoutMs: 10000,
      validateOnly: false,
    });
    expect(res.topics[0].errorCode).toBe(0);
    let tconn = await c.connect(target);
    // CreateTopics waited for the leader in the controller's metadata; the target broker
    // may get its LeaderAndIsr a moment later.
    await waitFor(
      'target leads the partition',
      () => c.broker(target).dataPlane.replicaManager.getPartition(topic, 0)?.isLeader,
    );
    const pr = await tconn.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: 'kept' }]) }] }],
    });
    expect(pr.topics[0].partitions[0].errorCode).toBe(0);
    await tconn.close();
    await c.broker(target).shutdown();
    await waitFor(
      'others see the broker gone',
      () => !c.broker(controllerId).dataPlane.metadataCache.isBrokerAlive(target),
    );
    expect((await metadata(conn, [topic])).topics[0].partitions[0].errorCode).toBe(5); // leader not live
    await c.startBroker(target);
    tconn = await c.connect(target);
    await waitFor(
      'leader again',
      () => c.broker(target).dataPlane.replicaManager.getPartition(topic, 0)?.isLeader,
    );
    expect(valuesIn((await fetchAll(tconn, topic, 0)).responses[0].partitions[0].records)).toEqual([
      'kept',
    ]);
    await waitFor(
      'metadata shows the leader',
      async () => (await metadata(conn, [topic])).topics[0].partitions[0].errorCode === 0,
    );
  });

  it('answers a parked fetch when the broker shuts down', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 1);
    const parked = fetchAll(conn, topic, 0, 0, 20000);
    await waitFor(
      'fetch parked',
      () => c.broker(1).dataPlane.replicaManager.fetchPurgatory.delayed === 1,
    );
    const t0 = Date.now();
    const shutdown = c.broker(1).shutdown();
    const r = await parked;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0 });
    await shutdown;
  });
});
