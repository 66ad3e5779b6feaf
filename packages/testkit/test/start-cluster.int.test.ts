/**
 * startCluster(), the public harness, on the run's shared ZooKeeper: kzoo's clients
 * through the factories, the faults in both modes, the helpers, and `await using`.
 * Process mode runs compiled JS (broker-main.js): run `npx tsc -b` first.
 */
import { randomBytes } from 'node:crypto';
import { startCluster, type KzooCluster } from '@kzoo/testkit';

const topicName = () => `sc-${randomBytes(5).toString('hex')}`;

async function roundTrip(cluster: KzooCluster, topic: string, value: string): Promise<void> {
  const producer = cluster.producer({ acks: 'all', 'retry.backoff.ms': 50 });
  const [meta] = await producer.send(topic, [{ value }]);
  await producer.close();
  const consumer = cluster.consumer({ 'auto.offset.reset': 'earliest' });
  consumer.assign([{ topic, partition: meta.partition }]);
  const seen: string[] = [];
  const deadline = Date.now() + 15000;
  while (!seen.includes(value) && Date.now() < deadline) {
    for (const r of await consumer.poll(500)) seen.push(String(r.value));
  }
  await consumer.close();
  expect(seen).toContain(value);
}

describe('testkit > startCluster > in-process', () => {
  it('serves kzoo clients; stopBroker moves leadership, restartBroker brings it back, expireSession re-registers', async () => {
    const topic = topicName();
    await using cluster = await startCluster({ brokers: 3, topics: [{ name: topic }] });
    expect(cluster.mode).toBe('in-process');
    expect(cluster.bootstrapServers).toHaveLength(3);
    expect(cluster.nativeBootstrapServers).toHaveLength(3);
    expect(cluster.zookeeperConnect).toMatch(/^127\.0\.0\.1:\d+\/kzoo-cluster-[0-9a-f]+$/);
    await roundTrip(cluster, topic, 'one');

    const d = await cluster.describe();
    expect(d.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(d.topics[topic]).toEqual([
      { partition: 0, leader: expect.any(Number), isr: expect.any(Array) },
    ]);
    expect(d.topics[topic][0].isr).toHaveLength(3);
    expect(d.controller).not.toBeNull();

    const leader = (await cluster.leaderOf(topic, 0))!;
    await cluster.stopBroker(leader);
    const next = await cluster.waitForLeader(topic, 0, { not: leader });
    expect(next).not.toBe(leader);
    await roundTrip(cluster, topic, 'two');
    await cluster.restartBroker(leader);
    await cluster.waitForIsr(topic, 0, 3);

    await cluster.expireSession(next);
    await roundTrip(cluster, topic, 'three');

    await expect(cluster.killBroker(1)).rejects.toThrow(
      /needs startCluster\(\{ mode: 'process' \}\)/,
    );
    expect(() => cluster.pauseBroker(1)).toThrow(/needs startCluster\(\{ mode: 'process' \}\)/);
    expect(() => cluster.isolate(1, 'zookeeper')).toThrow(/network: 'proxied'/);
  });

  it('refuses bad options with a one-line error', async () => {
    await expect(startCluster({ brokers: 0 })).rejects.toThrow(
      'brokers must be a positive integer, got 0',
    );
    await expect(startCluster({ mode: 'docker' as never })).rejects.toThrow(
      `mode must be 'in-process' or 'process', got "docker"`,
    );
  });

  it('network: proxied — isolate a leader from the clients and heal', async () => {
    const topic = topicName();
    await using cluster = await startCluster({
      brokers: 3,
      network: 'proxied',
      topics: [{ name: topic }],
    });
    const leader = (await cluster.leaderOf(topic, 0))!;
    const producer = cluster.producer({
      acks: 'all',
      'request.timeout.ms': 1000,
      'delivery.timeout.ms': 2000,
      retries: 0,
    });
    await producer.send(topic, [{ value: 'before' }]); // it knows the leader now
    cluster.isolate(leader, 'clients');
    const states = Object.fromEntries(cluster.network.links().map((l) => [l.name, l.state]));
    expect(states[`client->broker:${leader}`]).toBe('partition');
    expect(Object.values(states).filter((s) => s !== 'pass')).toHaveLength(1);
    // the produce cannot reach the leader: no answer, it times out
    await expect(producer.send(topic, [{ value: 'cut' }])).rejects.toThrow(/REQUEST_TIMED_OUT/);
    cluster.heal();
    await roundTrip(cluster, topic, 'healed');
  });
});

describe('testkit > startCluster > process', () => {
  it('killBroker, pause/resume, killController and restart on real broker processes', async () => {
    const topic = topicName();
    await using cluster = await startCluster({
      brokers: 3,
      mode: 'process',
      topics: [{ name: topic, partitions: 2 }],
    });
    const leader = (await cluster.leaderOf(topic, 0))!;
    await cluster.killBroker(leader);
    expect((await cluster.describe()).brokers.find((b) => b.id === leader)!.running).toBe(false);
    const next = await cluster.waitForLeader(topic, 0, { not: leader });
    await roundTrip(cluster, topic, 'after-kill');
    await cluster.restartBroker(leader);
    await cluster.waitForIsr(topic, 0, 3);

    cluster.pauseBroker(next);
    expect((await cluster.describe()).brokers.find((b) => b.id === next)!.paused).toBe(true);
    cluster.resumeBroker(next);
    await cluster.expireSession(next); // through the child's IPC channel

    const controller = await cluster.killController();
    const newController = await cluster.waitForController({ not: controller });
    expect(newController).not.toBe(controller);
    await cluster.restartBroker(controller);
    await cluster.waitForIsr(topic, 1, 3);
    await roundTrip(cluster, topic, 'after-controller-kill');
  });
});
