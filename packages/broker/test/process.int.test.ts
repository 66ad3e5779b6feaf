/**
 * Broker processes (compiled JS: run `npx tsc -b` first), where a real kill matters.
 */
import { ApiKeys, Connection } from '@kzoo/protocol';
import { KafkaZkClient } from '@kzoo/zk';
import { makeTempDir, removeDir, startBrokerProcess, waitFor } from '@kzoo/testkit';
import { connectTestSession, onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { batchOf, createTopic, metadata, randomTopic } from './cluster';
import { valuesIn } from './raw';

async function connect(port: number): Promise<Connection> {
  const c = await Connection.connect({ host: '127.0.0.1', port });
  onCleanup(() => c.close());
  return c;
}

describe('broker > process', () => {
  it('after kill -9 and a restart, recovers its log and serves every acknowledged record', async () => {
    const zk = zkConnectForTest();
    const dataDir = makeTempDir('kzoo-broker-kill-');
    onCleanup(() => removeDir(dataDir));
    let proc = await startBrokerProcess({ id: 1, zk, dataDir });
    let conn = await connect(proc.port);
    const topic = randomTopic();
    await waitFor(
      'broker in its own metadata',
      async () => (await metadata(conn, null)).brokers.length === 1,
    );
    expect((await createTopic(conn, topic, 2)).topics[0].errorCode).toBe(0);
    const sent: string[][] = [[], []];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const p = i % 2;
        const v = `r${i}`;
        return conn
          .request(ApiKeys.Produce, 0, {
            transactionalId: null,
            acks: 1,
            timeoutMs: 5000,
            topics: [{ name: topic, partitions: [{ index: p, records: batchOf([{ value: v }]) }] }],
          })
          .then((r) => {
            if (r.topics[0].partitions[0].errorCode === 0) sent[p].push(v);
          });
      }),
    );
    await proc.kill('SIGKILL');
    const kzk = new KafkaZkClient(await connectTestSession({ connectString: zk }));
    await waitFor(
      'the dead broker’s registration expires',
      async () => !(await kzk.pathExists('/brokers/ids/1')),
      {
        timeoutMs: 15000,
      },
    );
    proc = await startBrokerProcess({ id: 1, zk, dataDir, port: proc.port });
    conn = await connect(proc.port);
    await waitFor('partitions led again', async () => {
      const md = await metadata(conn, [topic]);
      return (
        md.topics[0].partitions.length === 2 &&
        md.topics[0].partitions.every((p) => p.leaderId === 1)
      );
    });
    for (const p of [0, 1]) {
      const r = await conn.request(ApiKeys.Fetch, 0, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic,
            partitions: [
              {
                partition: p,
                currentLeaderEpoch: -1,
                fetchOffset: 0,
                logStartOffset: -1,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      });
      const part = r.responses[0].partitions[0];
      const got = valuesIn(part.records);
      expect(got).toEqual(sent[p]);
      expect(part.highWatermark).toBe(100);
    }
    expect(proc.stdout + proc.stderr).not.toMatch(/ERROR/);
  });
});
