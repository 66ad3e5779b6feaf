import { records as readRecords, iterateBatches } from '@kzoo/records';
import { batchOf, createTopic, metadata, randomTopic, startCluster } from './cluster';

describe('broker > data path > smoke', () => {
  it('creates a topic, produces and fetches on one broker', async () => {
    const c = await startCluster(1);
    const conn = await c.connect(1);
    const topic = randomTopic();
    const res = await createTopic(conn, topic, 2);
    expect(res.topics[0]).toMatchObject({ name: topic, errorCode: 0, numPartitions: 2 });
    const md = await metadata(conn, [topic]);
    expect(md.topics[0].partitions.map((p) => p.leaderId)).toEqual([1, 1]);
    const pr = await conn.request(0, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [
        {
          name: topic,
          partitions: [
            { index: 0, records: batchOf([{ key: 'k', value: 'v1' }, { value: 'v2' }]) },
          ],
        },
      ],
    });
    expect(pr.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const fr = await conn.request(1, 0, {
      replicaId: -1,
      maxWaitMs: 100,
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
    const p = fr.responses[0].partitions[0];
    expect(p.errorCode).toBe(0);
    expect(p.highWatermark).toBe(2);
    const values = [...iterateBatches(p.records)].flatMap((b) =>
      [...readRecords(p.records, b.position)].map((r) => r.value?.toString()),
    );
    expect(values).toEqual(['v1', 'v2']);
  });
});
