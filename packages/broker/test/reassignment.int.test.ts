/**
 * Partition reassignment on a live cluster of broker processes (compiled JS: run
 * `npx tsc -b` first): an RF=3 partition moved from brokers 1,2,3 to 2,3,4 with
 * `kzoo reassign-partitions` while an idempotent acks=all producer writes, every
 * acknowledged record still there afterwards, and the topic znode and partition state
 * read from ZooKeeper at each step as Kafka writes them; kafkajs (on the Kafka
 * listener) lists the move in progress. Broker 4 is paused (SIGSTOP) while the move
 * starts, so the in-progress step is observed for certain instead of raced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, Consumer, Producer } from '@kzoo/client';
import { makeTempDir, removeDir, runCli, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { randomTopic } from './cluster';
import { partitionState } from './raw';

jest.setTimeout(180000);

describe('Broker > controller > partition reassignment (processes)', () => {
  it('RF=3 from brokers 1,2,3 to 2,3,4 under acks=all produce: 0 acknowledged records lost, znodes as Kafka writes them', async () => {
    const cluster = await TestCluster.start({
      brokers: [1, 2, 3, 4],
      sessionTimeoutMs: 10000,
      waitForMetadata: true,
    });
    const zk = cluster.zkClient;
    // Broker 4 is paused below while it joins; it must not be the controller meanwhile.
    if ((await cluster.controller())?.brokerId === 4) {
      await cluster.broker(4).stop(20000);
      await cluster.waitForController((c) => c.brokerId !== 4, 30000);
      await cluster.startBroker(4);
    }
    const bootstrap = [1, 2, 3, 4].map((b) => `127.0.0.1:${cluster.broker(b).port}`).join(',');
    const topic = randomTopic();
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    await admin.createTopics([{ topic, replicaAssignment: { 0: [1, 2, 3] } }]);
    await waitFor(
      'leader 1 with ISR 1,2,3',
      async () => {
        const s = await partitionState(zk, topic, 0).catch(() => null);
        return s?.leader === 1 && s.isr.length === 3;
      },
      { timeoutMs: 20000 },
    );

    const producer = new Producer({
      'bootstrap.servers': bootstrap,
      acks: 'all',
      'enable.idempotence': true,
      'linger.ms': 0,
      'retry.backoff.ms': 50,
    });
    onCleanup(() => producer.close());
    const acked: string[] = [];
    const errors: unknown[] = [];
    let sent = 0;
    let running = true;
    onCleanup(() => {
      running = false;
    });
    // bounded: a stuck step must not turn the producer into a memory leak
    const loop = (async () => {
      while (running && sent < 20000) {
        const values = Array.from({ length: 10 }, () => `v${sent++}`);
        await Promise.all(
          values.map((value) =>
            producer.send(topic, { partition: 0, value }).then(
              () => acked.push(value),
              (e) => errors.push(e),
            ),
          ),
        );
      }
    })();
    await waitFor('records acknowledged before the move', () => acked.length >= 100);

    const dir = makeTempDir('kzoo-reassign-');
    onCleanup(() => removeDir(dir));
    const plan = path.join(dir, 'plan.json');
    fs.writeFileSync(
      plan,
      JSON.stringify({
        version: 1,
        partitions: [{ topic, partition: 0, replicas: [2, 3, 4], log_dirs: ['any', 'any', 'any'] }],
      }),
    );
    const cli = (...args: string[]) =>
      runCli(['reassign-partitions', '--bootstrap-server', bootstrap, ...args], {
        timeoutMs: 60000,
      });

    const step = (s: string) => console.log(`[reassign test] ${s}: acked ${acked.length}`);
    step('pausing broker 4');
    cluster.broker(4).pause();
    const exec = await cli('--execute', '--reassignment-json-file', plan);
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    expect(exec.stdout).toContain('Current partition replica assignment');
    expect(exec.stdout).toContain(
      `{"version":1,"partitions":[{"topic":"${topic}","partition":0,"replicas":[1,2,3],"log_dirs":["any","any","any"]}]}`,
    );
    expect(exec.stdout).toContain(`Successfully started partition reassignment for ${topic}-0`);

    // In progress: RS = target then origin, AR/RR in the topic znode; leader_epoch + 1
    // with the same leader and ISR (read back through Kafka's decoders, which the zk
    // package's tests hold to Kafka's samples).
    const topicZNode = async () =>
      (await zk.getReplicaAssignmentForTopics([topic])).get(topic)!.partitions.get(0);
    expect(await topicZNode()).toEqual({
      replicas: [2, 3, 4, 1],
      addingReplicas: [4],
      removingReplicas: [1],
    });
    const moving = await partitionState(zk, topic, 0);
    expect(moving).toMatchObject({ leader: 1, leaderEpoch: 1, isr: [1, 2, 3] });
    const verifying = await cli('--verify', '--reassignment-json-file', plan);
    expect(verifying.stdout).toContain(
      `Reassignment of partition ${topic}-0 is still in progress.`,
    );
    expect(verifying.code).toBe(1);
    // a Kafka client on the Kafka listener sees the same move
    const kafka = new Kafka({
      clientId: 'kzoo-reassign-test',
      // not the paused broker 4: a client bootstrapped on it would wait for its answers
      brokers: [1, 2, 3].map((b) => `127.0.0.1:${cluster.broker(b).kafkaPort}`),
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    const kadmin = kafka.admin();
    await kadmin.connect();
    onCleanup(() => kadmin.disconnect());
    const listed = await kadmin.listPartitionReassignments({
      topics: [{ topic, partitions: [0] }],
    });
    expect(listed.topics).toEqual([
      {
        name: topic,
        partitions: [
          { partition: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] },
        ],
      },
    ]);

    step('in progress observed; resuming broker 4');
    cluster.broker(4).resume();
    const done = await waitFor(
      'the move completes: topic znode back to one replica set',
      async () => {
        const a = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)?.partitions.get(0);
        return a && a.addingReplicas.length === 0 && a.removingReplicas.length === 0
          ? a
          : undefined;
      },
      { timeoutMs: 60000 },
    );
    expect(done.replicas).toEqual([2, 3, 4]);
    const final = await partitionState(zk, topic, 0);
    // leader 1 left the target: 2 (first of the target in the ISR) leads; 1 left the ISR
    expect(final.leader).toBe(2);
    expect([...final.isr].sort()).toEqual([2, 3, 4]);
    expect(await zk.getPartitionReassignment()).toEqual([]);
    const verified = await cli('--verify', '--reassignment-json-file', plan);
    expect(verified.stdout).toContain(`Reassignment of partition ${topic}-0 is completed.`);
    expect(verified.code).toBe(0);
    expect(await kadmin.listPartitionReassignments({})).toEqual({ topics: [] });

    step('move completed');
    // producing goes on after the leader moved
    const base = acked.length;
    await waitFor('records acknowledged after the move', () => acked.length >= base + 100, {
      timeoutMs: 30000,
    });
    running = false;
    await loop;
    expect(errors).toEqual([]);

    // every acknowledged record is in the partition on its new replicas
    const consumer = new Consumer({
      'bootstrap.servers': bootstrap,
      'auto.offset.reset': 'earliest',
    });
    onCleanup(() => consumer.close());
    consumer.assign([{ topic, partition: 0 }]);
    const seen = new Set<string>();
    await waitFor(
      'every acknowledged record read back',
      async () => {
        for (const r of await consumer.poll(1000)) if (r.value) seen.add(r.value.toString());
        return acked.every((v) => seen.has(v));
      },
      { timeoutMs: 60000 },
    );
    const lost = acked.filter((v) => !seen.has(v));
    console.log(
      `reassignment 1,2,3 -> 2,3,4 under acks=all: ${acked.length} acknowledged, ${lost.length} lost, leader_epoch ${moving.leaderEpoch} -> ${final.leaderEpoch}`,
    );
    expect(lost).toEqual([]);

    // a replication factor increase: proposed by --generate --replication-factor, started
    // through the /admin/reassign_partitions trigger (Kafka's legacy ZooKeeper path)
    const topicsFile = path.join(dir, 'topics.json');
    fs.writeFileSync(topicsFile, JSON.stringify({ version: 1, topics: [{ topic }] }));
    const gen = await cli(
      '--generate',
      '--topics-to-move-json-file',
      topicsFile,
      '--broker-list',
      '1,2,3,4',
      '--replication-factor',
      '4',
    );
    expect(gen.code).toBe(0);
    const proposal = JSON.parse(
      gen.stdout.split('Proposed partition reassignment configuration\n')[1],
    );
    const replicas = proposal.partitions[0].replicas as number[];
    expect([...replicas].sort()).toEqual([1, 2, 3, 4]);
    await zk.createPartitionReassignment([{ topic, partition: 0, replicas }]);
    await waitFor(
      'RF 4 in the topic znode and the ISR; /admin/reassign_partitions deleted',
      async () => {
        const a = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)?.partitions.get(0);
        const st = await partitionState(zk, topic, 0);
        return (
          a?.replicas.join(',') === replicas.join(',') &&
          a.addingReplicas.length === 0 &&
          st.isr.length === 4 &&
          (await zk.getPartitionReassignment()).length === 0
        );
      },
      { timeoutMs: 60000 },
    );
  });
});
