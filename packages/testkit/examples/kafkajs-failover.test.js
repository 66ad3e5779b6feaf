// An application's retry logic across a leader failover, tested against a real kzoo
// cluster: a kafkajs producer with retries keeps sending while the partition leader is
// SIGKILLed; every acknowledged record is then consumed exactly once.
// Run: node --test kafkajs-failover.test.js   (needs Java and ZooKeeper: see the README)
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { Kafka, logLevel } = require('kafkajs');
const { startCluster } = require('@kzoo/testkit');

test('every acknowledged record is consumed exactly once across a leader failover', async () => {
  const topic = 'orders';
  const cluster = await startCluster({
    brokers: 3,
    mode: 'process', // real processes: killBroker is a SIGKILL
    topics: [{ name: topic, partitions: 1, replicationFactor: 3 }],
    config: { 'min.insync.replicas': 2 },
  });
  try {
    const kafka = new Kafka({
      clientId: 'orders-service',
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const leader = await cluster.leaderOf(topic, 0);
    const acked = [];
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      // the leader dies while sends are in flight
      if (i === 100) void cluster.killBroker(leader);
      try {
        await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 10}`, value: `v${i}` }] });
        acked.push(`v${i}`);
      } catch {
        failed++; // not acknowledged: the application would report or retry it
      }
    }
    await producer.disconnect();
    assert.notEqual(await cluster.waitForLeader(topic, 0, { not: leader }), leader);
    assert.ok(acked.length >= 250, `only ${acked.length} acknowledged (${failed} failed)`);

    const consumer = kafka.consumer({ groupId: 'orders-check', sessionTimeout: 10000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = message.value.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
      },
    });
    const deadline = Date.now() + 30000;
    while (acked.some((v) => !seen.has(v)) && Date.now() < deadline) {
      await sleep(100);
    }
    await consumer.disconnect();
    assert.deepEqual(
      acked.filter((v) => seen.get(v) !== 1),
      [],
    ); // each exactly once
  } finally {
    await cluster.stop();
  }
});
