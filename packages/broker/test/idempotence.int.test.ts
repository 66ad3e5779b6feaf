/**
 * The broker side of the idempotent producer over the wire: InitProducerId from blocks
 * in /latest_producer_id_block (two brokers claim distinct blocks), the Produce checks
 * (duplicate → original offsets, gap → OUT_OF_ORDER_SEQUENCE_NUMBER, old epoch →
 * INVALID_PRODUCER_EPOCH), and the producer state surviving a broker restart.
 */
import { ErrorCode } from '@kzoo/common';
import { ApiKeys, type Connection } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { ProducerIdBlockZNode } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { createTopic, metadata, randomTopic, startCluster } from './cluster';
import { producePartition } from './raw';

function idemBatch(pid: number, epoch: number, seq: number, n: number): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ value: `s${seq + i}` })),
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
  });
}

/** acks=all Produce of `records` to partition 0: that partition's answer. */
const produce = (conn: Connection, topic: string, records: Buffer) =>
  producePartition(conn, topic, 0, records, { acks: -1 });

async function initProducerId(conn: Connection) {
  return conn.request(ApiKeys.InitProducerId, 0, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: -1,
    producerEpoch: -1,
  });
}

describe('broker > idempotent producer', () => {
  test('InitProducerId: ids from blocks of 1000, each broker its own block', async () => {
    const cluster = await startCluster(2);
    const c1 = await cluster.connect(1);
    const c2 = await cluster.connect(2);
    const a = await initProducerId(c1);
    const b = await initProducerId(c1);
    const c = await initProducerId(c2);
    expect([a.errorCode, a.producerEpoch, b.producerId - a.producerId]).toEqual([0, 0, 1]);
    // Broker 2 claimed the next block by a conditional write.
    expect(Math.floor(c.producerId / 1000)).not.toBe(Math.floor(a.producerId / 1000));
    const node = await cluster.broker(1).zkClient.getDataAndStat(ProducerIdBlockZNode.path());
    const last = ProducerIdBlockZNode.decode(node!.data);
    expect(last.blockEnd - last.blockStart).toBe(999);
    expect(node!.stat.version).toBeGreaterThanOrEqual(2);
    // A transactional id goes to its transaction coordinator: before __transaction_state
    // exists no broker coordinates it.
    const tx = await c1.request(ApiKeys.InitProducerId, 0, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(tx.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  test('duplicates, gaps and old epochs on Produce; the state survives a restart', async () => {
    const cluster = await startCluster(1);
    let conn = await cluster.connect(1);
    const topic = randomTopic('idem');
    await createTopic(conn, topic, 1);
    await waitFor('leader', async () => {
      const m = await metadata(conn, [topic]);
      return m.topics[0].partitions[0]?.leaderId === 1;
    });
    const { producerId: pid } = await initProducerId(conn);
    expect((await produce(conn, topic, idemBatch(pid, 0, 0, 3))).baseOffset).toBe(0);
    expect((await produce(conn, topic, idemBatch(pid, 0, 3, 2))).baseOffset).toBe(3);
    // A retry of the first batch: its original offsets, nothing appended.
    const dup = await produce(conn, topic, idemBatch(pid, 0, 0, 3));
    expect([dup.errorCode, dup.baseOffset]).toEqual([0, 0]);
    const gap = await produce(conn, topic, idemBatch(pid, 0, 9, 1));
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(conn, topic, idemBatch(pid, 1, 0, 1))).baseOffset).toBe(5);
    const old = await produce(conn, topic, idemBatch(pid, 0, 5, 1));
    expect(old.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);

    await cluster.broker(1).shutdown();
    await cluster.startBroker(1);
    conn = await cluster.connect(1);
    await waitFor('leader after restart', async () => {
      const m = await metadata(conn, [topic]);
      return m.topics[0].partitions[0]?.leaderId === 1;
    });
    const again = await produce(conn, topic, idemBatch(pid, 1, 0, 1));
    expect([again.errorCode, again.baseOffset]).toEqual([0, 5]);
    const next = await produce(conn, topic, idemBatch(pid, 1, 1, 1));
    expect([next.errorCode, next.baseOffset]).toEqual([0, 6]);
  });
});
