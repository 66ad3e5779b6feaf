// kzoo's own client against an in-process cluster: a controlled broker shutdown moves
// the leader, and the producer and consumer ride it out.
// Run: node --test kzoo-client.test.js
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { topicName, useCluster } = require('@kzoo/testkit/node-test');

const cluster = useCluster({ brokers: 3, topics: [{ name: 'payments', partitions: 1 }] });

test('a controlled shutdown of the leader loses nothing acknowledged', async () => {
  const c = cluster.current;
  const producer = c.producer({ acks: 'all' });
  const before = await producer.send('payments', [{ value: 'p1' }, { value: 'p2' }]);
  const leader = await c.leaderOf('payments', 0);
  await c.stopBroker(leader); // Kafka's SIGTERM: leadership moves first
  assert.notEqual(await c.waitForLeader('payments', 0, { not: leader }), leader);
  const after = await producer.send('payments', [{ value: 'p3' }]);
  assert.deepEqual(
    [...before, ...after].map((m) => m.offset),
    [0, 1, 2],
  );

  const consumer = c.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic: 'payments', partition: 0 }]);
  const values = [];
  while (values.length < 3) for (const r of await consumer.poll(500)) values.push(String(r.value));
  assert.deepEqual(values, ['p1', 'p2', 'p3']);
  assert.match(topicName('audit'), /^audit-[0-9a-f]{8}$/);
});
