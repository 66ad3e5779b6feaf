/**
 * A paused (SIGSTOPped) broker still accepts TCP connections — the kernel completes the
 * handshake for it — but never answers. A client whose metadata requests go to such a
 * node must give up on it after request.timeout.ms and ask another broker, as Kafka's
 * NetworkClient does (the timed-out connection is closed and the node is skipped while
 * in reconnect backoff), instead of asking the silent node until max.block.ms runs out.
 */
import { startCluster, waitFor } from '@kzoo/testkit';
import { randomTopic } from './harness';

describe('Client > NetworkClient > a paused broker', () => {
  test('metadata moves to a live broker after a request times out on the paused one', async () => {
    await using cluster = await startCluster({ brokers: 3, mode: 'process' });
    const admin = cluster.admin();
    const onOne = randomTopic('paused-a');
    const onTwo = randomTopic('paused-b');
    await admin.createTopics([
      { topic: onOne, replicaAssignment: { 0: [1] } },
      { topic: onTwo, replicaAssignment: { 0: [2] } },
    ]);
    await waitFor('both topics led', async () => {
      const d = await admin.describeTopics([onOne, onTwo]);
      return d[0].partitions[0].leader === 1 && d[1].partitions[0].leader === 2;
    });

    // Bootstrapped from broker 1 alone: it is the only node the producer has talked to.
    const producer = cluster.producer({
      'bootstrap.servers': cluster.nativeBootstrapServers[0],
      acks: 1,
      'request.timeout.ms': 1500,
      'max.block.ms': 45000,
      'retry.backoff.ms': 100,
    });
    expect(await producer.partitionsFor(onOne)).toEqual([0]);

    cluster.pauseBroker(1);
    try {
      // A topic the producer has no metadata for: the refresh goes first to broker 1.
      const started = Date.now();
      const [meta] = await producer.send(onTwo, { value: 'through broker 2' });
      expect(meta).toMatchObject({ topic: onTwo, partition: 0, offset: 0 });
      // Well inside max.block.ms: the silent node was given up after its request timed out.
      expect(Date.now() - started).toBeLessThan(30000);
    } finally {
      cluster.resumeBroker(1);
    }
  });
});
