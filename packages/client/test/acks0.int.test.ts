/**
 * A producer with acks=0 after a leadership change: the old leader (still alive) closes
 * the connection on the first misdirected write, the producer refreshes its metadata on
 * the disconnect and its later writes reach the new leader. metadata.max.age.ms is long,
 * so only the disconnect can trigger the refresh.
 */
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';
import { randomTopic, startTestBroker } from './harness';

describe('Client > Producer > acks=0 > leader moves', () => {
  test('a write to the old leader closes the connection; metadata is refreshed and later writes reach the new leader', async () => {
    const zk = zkConnectForTest();
    const settings = { 'auto.leader.rebalance.enable': false, 'controlled.shutdown.enable': false };
    const b1 = await startTestBroker({ 'broker.id': 1, ...settings }, zk);
    const dir2 = makeTempDir('kzoo-client-b2-');
    onCleanup(() => removeDir(dir2));
    let b2 = await startTestBroker({ 'broker.id': 2, ...settings }, zk, dir2);
    const admin = new Admin({ 'bootstrap.servers': b1.bootstrap });
    onCleanup(() => admin.close());
    await waitFor('two brokers', async () => (await admin.describeCluster()).brokers.length === 2);
    const topic = randomTopic('acks0');
    // Preferred leader 2; broker 2 restarts so that broker 1 leads first.
    await admin.createTopics([{ topic, replicaAssignment: { 0: [2, 1] } }]);
    const partitionState = async () => (await admin.describeTopics([topic]))[0].partitions[0];
    await waitFor('ISR [2,1]', async () => (await partitionState()).isr.length === 2);
    await b2.broker.shutdown();
    await waitFor('broker 1 leads', async () => (await partitionState()).leader === 1);
    b2 = await startTestBroker({ 'broker.id': 2, ...settings }, zk, dir2);
    await waitFor(
      'broker 2 back in the ISR',
      async () => (await partitionState()).isr.length === 2,
    );

    const producer = new Producer({
      'bootstrap.servers': b1.bootstrap,
      acks: 0,
      'linger.ms': 0,
      'metadata.max.age.ms': 600000,
    });
    onCleanup(() => producer.close({ timeoutMs: 1000 }));
    await producer.send(topic, { value: 'before' });

    const consumer = new Consumer({
      'bootstrap.servers': b1.bootstrap,
      'auto.offset.reset': 'earliest',
      'fetch.max.wait.ms': 100,
    });
    onCleanup(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const got: ConsumerRecord[] = [];
    // A consumer reads up to the high watermark: once it has 'before', broker 2 has it too.
    // (An acks=0 write is not waited for: electing broker 2 before it fetched 'before'
    // would truncate it from broker 1, as Kafka would.)
    await waitFor('before is replicated (below the HW)', async () => {
      got.push(...(await consumer.poll(200)));
      return got.length > 0;
    });

    // Leadership moves to broker 2 while broker 1 stays up.
    const [elected] = await admin.electLeaders([{ topic, partition: 0 }]);
    expect(elected.error).toBeNull();
    await waitFor('broker 2 leads', async () => (await partitionState()).leader === 2);

    // acks=0 sends resolve at once: write one at a time until one reaches the new leader.
    let i = 0;
    await waitFor(
      'an acks=0 write after the move is read back',
      async () => {
        await producer.send(topic, { value: `after-${i++}` });
        got.push(...(await consumer.poll(200)));
        return got.some((r) => r.value!.toString().startsWith('after-'));
      },
      { timeoutMs: 20000 },
    );
    const values = got.map((r) => r.value!.toString());
    expect(values[0]).toBe('before');
    // Writes sent to broker 1 after the move are lost (acks=0), but the producer moved on:
    // the writes that arrived are in order, and the last one sent is among them.
    const after = values.filter((v) => v.startsWith('after-')).map((v) => Number(v.slice(6)));
    expect(after).toEqual([...after].sort((a, b) => a - b));
    await producer.send(topic, { value: 'last' });
    const deadline = Date.now() + 10000;
    while (!got.some((r) => r.value!.toString() === 'last') && Date.now() < deadline)
      got.push(...(await consumer.poll(200)));
    expect(got.map((r) => r.value!.toString())).toContain('last');
    await producer.close();
    await consumer.close();
  }, 120000);
});
