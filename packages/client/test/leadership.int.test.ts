/**
 * Metadata refresh when a partition's leader goes away and comes back elsewhere: two
 * in-process brokers; the partition lives on broker 2, which is shut down and started
 * again (same id and log dir) on a new port. Clients bootstrapped from broker 1 must
 * retry through the outage, refresh their metadata and find broker 2 at its new address.
 */
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { randomTopic, startTestBroker, type TestBroker } from './harness';

describe('Client > Metadata > leader moves', () => {
  test('producer and consumer retry, refresh metadata and follow the leader to its new address', async () => {
    const zk = zkConnectForTest();
    const b1 = await startTestBroker({ 'broker.id': 1 }, zk);
    const dir2 = makeTempDir('kzoo-client-b2-');
    onCleanup(() => removeDir(dir2));
    let b2: TestBroker = await startTestBroker({ 'broker.id': 2 }, zk, dir2);
    const admin = new Admin({ 'bootstrap.servers': b1.bootstrap });
    onCleanup(() => admin.close());
    await waitFor('two brokers', async () => (await admin.describeCluster()).brokers.length === 2);
    const topic = randomTopic('move');
    await admin.createTopics([{ topic, replicaAssignment: { 0: [2] } }]);
    await waitFor(`${topic} led by 2`, async () => {
      const [d] = await admin.describeTopics([topic]);
      return d.partitions[0].leader === 2;
    });

    const producer = new Producer({
      'bootstrap.servers': b1.bootstrap,
      acks: 1,
      'metadata.max.age.ms': 600000,
    });
    onCleanup(() => producer.close({ timeoutMs: 1000 }));
    const consumer = new Consumer({
      'bootstrap.servers': b1.bootstrap,
      'auto.offset.reset': 'earliest',
      'fetch.max.wait.ms': 100,
    });
    onCleanup(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);

    const before = await producer.send(topic, [{ value: 'a' }, { value: 'b' }]);
    expect(before.map((m) => m.offset)).toEqual([0, 1]);
    const got: ConsumerRecord[] = [];
    while (got.length < 2) got.push(...(await consumer.poll(1000)));
    const oldAddress = b2.bootstrap;

    // Broker 2 goes away; a send made now waits (retrying) until it is back.
    await b2.broker.shutdown();
    const during = producer.send(topic, { value: 'c' });
    b2 = await startTestBroker({ 'broker.id': 2 }, zk, dir2);
    expect(b2.bootstrap).not.toBe(oldAddress);

    const [c] = await during;
    expect(c).toMatchObject({ partition: 0, offset: 2 });
    const deadline = Date.now() + 20000;
    while (got.length < 3 && Date.now() < deadline) got.push(...(await consumer.poll(1000)));
    expect(got.map((r) => [r.offset, r.value!.toString()])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    await producer.close();
    await consumer.close();
  }, 120000);
});
