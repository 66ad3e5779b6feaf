import { ApiKeys } from '@kzoo/protocol';
import * as fs from 'node:fs';
import { KafkaZkClient, TopicZNode } from '@kzoo/zk';
import { waitFor } from '@kzoo/testkit';
import { connectTestSession } from '@kzoo/testkit/jest';
import { batchOf, createTopic, metadata, randomTopic, startCluster } from './cluster';

describe('broker > topics (in-process clusters, real ZooKeeper)', () => {
  it('creates a topic through ZooKeeper, shows it in every broker’s metadata with leaders spread, and deletes it', async () => {
    const c = await startCluster(3);
    const zk = new KafkaZkClient(await connectTestSession({ connectString: c.zk }));
    const conn = await c.connect(2);
    const topic = randomTopic('orders');
    const res = await createTopic(conn, topic, 6, 2, { 'retention.ms': '86400000' });
    expect(res.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 6, replicationFactor: 2 });

    // Kafka's znodes: v3 assignment with a topic id, config, one state per partition.
    const assignment = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)!;
    expect(assignment.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([...assignment.partitions.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    const cfg = JSON.parse((await zk.getDataAndStat(`/config/topics/${topic}`))!.data!.toString());
    expect(cfg).toEqual({ version: 1, config: { 'retention.ms': '86400000' } });
    const leaders: number[] = [];
    for (const [p, a] of assignment.partitions) {
      expect(a.replicas).toHaveLength(2);
      expect(new Set(a.replicas).size).toBe(2);
      const st = (await zk.getTopicPartitionStates([{ topic, partition: p }])).get(`${topic}-${p}`);
      expect(st).toMatchObject({
        leader: a.replicas[0],
        leaderEpoch: 0,
        isr: a.replicas,
        controllerEpoch: 1,
      });
      leaders.push(st!.leader);
    }
    // Kafka's assignment spreads 6 partitions evenly as leaders over 3 brokers.
    expect([1, 2, 3].map((b) => leaders.filter((l) => l === b).length)).toEqual([2, 2, 2]);

    // Every broker's metadata says the same thing.
    for (const id of [1, 2, 3]) {
      const md = await metadata(await c.connect(id), [topic]);
      expect(md.brokers.map((b) => b.nodeId)).toEqual([1, 2, 3]);
      // The registered (and advertised) port is the one bound at startup (listeners ask for port 0).
      expect(md.brokers.map((b) => b.port)).toEqual(
        [1, 2, 3].map((b) => c.broker(b).dataPlane.socketServer.port),
      );
      expect(md.controllerId).toBe((await zk.getControllerId())!);
      expect(md.clusterId).toBe(c.broker(1).clusterId);
      expect(md.topics[0].errorCode).toBe(0);
      expect(md.topics[0].partitions.map((p) => p.leaderId)).toEqual(leaders);
      expect(md.topics[0].partitions.map((p) => p.replicaNodes)).toEqual(
        [...assignment.partitions.values()].map((a) => a.replicas),
      );
    }
    // Each leader hosts its partition; followers too (as followers).
    for (const [p, a] of assignment.partitions) {
      for (const id of a.replicas) {
        // Each broker applies its LeaderAndIsr on its own schedule.
        const part = await waitFor('LeaderAndIsr applied', () =>
          c.broker(id).dataPlane.replicaManager.getPartition(topic, p),
        );
        expect(part.isLeader).toBe(id === a.replicas[0]);
      }
    }

    // Delete: znodes gone, metadata of all brokers without it, logs removed.
    const del = await conn.request(ApiKeys.DeleteTopics, 0, {
      topicNames: [topic],
      timeoutMs: 15000,
    });
    expect(del.responses[0]).toMatchObject({ name: topic, errorCode: 0 });
    await waitFor(
      'topic znodes deleted',
      async () => !(await zk.pathExists(TopicZNode.path(topic))),
    );
    expect(await zk.pathExists(`/config/topics/${topic}`)).toBe(false);
    expect(await zk.pathExists(`/admin/delete_topics/${topic}`)).toBe(false);
    for (const id of [1, 2, 3]) {
      const md = await metadata(await c.connect(id), [topic]);
      expect(md.topics[0].errorCode).toBe(3);
      await waitFor('log dirs removed', () =>
        fs.readdirSync(c.dirs[id - 1]).every((n) => !n.startsWith(`${topic}-`)),
      );
    }
    const again = await conn.request(ApiKeys.DeleteTopics, 0, {
      topicNames: [topic],
      timeoutMs: 1000,
    });
    expect(again.responses[0].errorCode).toBe(3);

    // The name can be used again: a new topic id, empty logs from offset 0.
    expect((await createTopic(conn, topic, 1, 1)).topics[0].errorCode).toBe(0);
    const recreated = (await zk.getReplicaAssignmentForTopics([topic])).get(topic)!;
    expect(recreated.topicId).not.toBe(assignment.topicId);
    const leader = (await metadata(conn, [topic])).topics[0].partitions[0].leaderId;
    await waitFor(
      'the new leader applied its LeaderAndIsr',
      () => c.broker(leader).dataPlane.replicaManager.getPartition(topic, 0)?.isLeader,
    );
    const pr = await (
      await c.connect(leader)
    ).request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: 'again' }]) }] }],
    });
    expect(pr.topics[0].partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
  });

  it('refuses invalid names, collisions, duplicates, too few brokers and bad partition counts', async () => {
    const c = await startCluster(3);
    const conn = await c.connect(1);
    const t = randomTopic();
    const create = (name: string, n: number, rf: number, validateOnly = false) =>
      conn
        .request(ApiKeys.CreateTopics, 0, {
          topics: [{ name, numPartitions: n, replicationFactor: rf, assignments: [], configs: [] }],
          timeoutMs: 10000,
          validateOnly,
        })
        .then((r) => r.topics[0]);
    for (const bad of ['', '.', '..', 'a/b', 'white space', 'ünïcode', 'x'.repeat(250)]) {
      const r = await create(bad, 1, 1);
      expect(r.errorCode).toBe(17); // INVALID_TOPIC_EXCEPTION
      expect(r.errorMessage).toMatch(/Topic name is invalid/);
    }
    expect((await create('x'.repeat(249), 1, 1, true)).errorCode).toBe(0);
    expect((await create(t, 1, 4)).errorCode).toBe(38); // INVALID_REPLICATION_FACTOR
    expect((await create(t, 0, 1)).errorCode).toBe(37); // INVALID_PARTITIONS
    expect((await create(`${t}.a`, 1, 1, true)).errorCode).toBe(0);
    expect(await c.broker(1).zkClient.pathExists(`/brokers/topics/${t}.a`)).toBe(false);
    expect((await create(`${t}.a`, 1, 3)).errorCode).toBe(0);
    expect((await create(`${t}.a`, 1, 1)).errorCode).toBe(36); // TOPIC_ALREADY_EXISTS
    const collide = await create(`${t}_a`, 1, 1);
    expect(collide.errorCode).toBe(17);
    expect(collide.errorMessage).toMatch(/collides with existing topics/);
    const cfg = await conn.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: `${t}-c`,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'no.such.config', value: '1' }],
        },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(cfg.topics[0].errorCode).toBe(40); // INVALID_CONFIG
  });

  it('answers NOT_LEADER_OR_FOLLOWER on a non-leader and auto-creates topics from Metadata', async () => {
    const c = await startCluster(3);
    const topic = randomTopic();
    const conn1 = await c.connect(1);
    await createTopic(conn1, topic, 1, 3);
    const md = await metadata(conn1, [topic]);
    const leader = md.topics[0].partitions[0].leaderId;
    const follower = [1, 2, 3].find((b) => b !== leader)!;
    await waitFor(
      'the leader applied its LeaderAndIsr',
      () => c.broker(leader).dataPlane.replicaManager.getPartition(topic, 0)?.isLeader,
    );
    await waitFor('the follower applied its LeaderAndIsr', () =>
      c.broker(follower).dataPlane.replicaManager.getPartition(topic, 0),
    );
    const produce = async (id: number) =>
      (
        await (
          await c.connect(id)
        ).request(ApiKeys.Produce, 0, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: 'v' }]) }] }],
        })
      ).topics[0].partitions[0];
    expect((await produce(follower)).errorCode).toBe(6);
    expect(await produce(leader)).toMatchObject({ errorCode: 0, baseOffset: 0 });

    const auto = randomTopic('auto');
    const first = await conn1.request(ApiKeys.Metadata, 0, {
      topics: [{ name: auto }],
      allowAutoTopicCreation: true,
    });
    expect(first.topics[0].errorCode).toBe(5); // LEADER_NOT_AVAILABLE, as Kafka
    const ready = await waitFor('auto-created topic has a leader', async () => {
      const r = await metadata(conn1, [auto]);
      return r.topics[0].errorCode === 0 ? r.topics[0] : undefined;
    });
    expect(ready.partitions).toHaveLength(1);
    const none = await conn1.request(ApiKeys.Metadata, 0, {
      topics: [{ name: randomTopic() }],
      allowAutoTopicCreation: false,
    });
    expect(none.topics[0].errorCode).toBe(3);
  });

  it('shows a dead broker as gone in every metadata cache', async () => {
    const c = await startCluster(3);
    await c.broker(3).shutdown();
    for (const id of [1, 2]) {
      await waitFor('broker 3 gone from metadata', () => {
        const ids = c.broker(id).dataPlane.metadataCache.aliveBrokerIds();
        return ids.length === 2 && !ids.includes(3);
      });
    }
  });

  it('after a controller failover the new controller knows every topic and serves new ones', async () => {
    const c = await startCluster(3);
    const old = c.brokers.find((b) => b.isController())!;
    const survivors = c.brokers.filter((b) => b !== old);
    const conn = await c.connect(survivors[0].brokerId);
    const before = randomTopic();
    expect((await createTopic(conn, before, 3, 2)).topics[0].errorCode).toBe(0);
    await old.shutdown();
    const next = await waitFor('a new controller', () => survivors.find((b) => b.isController()));
    await waitFor('metadata names the new controller', async () =>
      (await metadata(conn, null)).controllerId === next.brokerId ? true : undefined,
    );
    expect(next.controller.partitions.context.allTopics.has(before)).toBe(true);
    const after = randomTopic();
    expect((await createTopic(conn, after, 4, 2)).topics[0].errorCode).toBe(0);
    for (const b of survivors) {
      const md = await metadata(await c.connect(b.brokerId), [before, after]);
      expect(md.brokers.map((x) => x.nodeId).sort()).toEqual(
        survivors.map((x) => x.brokerId).sort(),
      );
      expect(md.topics.map((t) => t.partitions.length)).toEqual([3, 4]);
      expect(md.topics[1].partitions.every((p) => p.errorCode === 0)).toBe(true);
    }
    // The epoch went up: controller_epoch 2 is in the new partitions' state.
    const st = (await next.zkClient.getTopicPartitionStates([{ topic: after, partition: 0 }])).get(
      `${after}-0`,
    )!;
    expect(st.controllerEpoch).toBe(2);
  });

  it('applies topic configs from /config/topics/<t> over the broker defaults', async () => {
    const c = await startCluster(1);
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 1, 1, { 'max.message.bytes': '1000' });
    const produce = (v: string) =>
      conn
        .request(ApiKeys.Produce, 0, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 1000,
          topics: [{ name: topic, partitions: [{ index: 0, records: batchOf([{ value: v }]) }] }],
        })
        .then((r) => r.topics[0].partitions[0].errorCode);
    expect(await produce('small')).toBe(0);
    expect(await produce('x'.repeat(2000))).toBe(10); // MESSAGE_TOO_LARGE
  });

  it('a deletion waits for a dead replica’s broker and completes when it returns', async () => {
    const c = await startCluster(2);
    const controller = c.brokers.find((b) => b.isController())!;
    const other = c.brokers.find((b) => b !== controller)!;
    const conn = await c.connect(controller.brokerId);
    const topic = randomTopic();
    expect((await createTopic(conn, topic, 2, 2)).topics[0].errorCode).toBe(0);
    const dir = c.dirs[other.brokerId - 1];
    await waitFor('logs on the other broker', () =>
      fs.readdirSync(dir).some((n) => n.startsWith(`${topic}-`)),
    );
    await other.shutdown();
    await waitFor(
      'broker gone',
      () => !controller.dataPlane.metadataCache.isBrokerAlive(other.brokerId),
    );
    const del = await conn.request(ApiKeys.DeleteTopics, 0, {
      topicNames: [topic],
      timeoutMs: 5000,
    });
    expect(del.responses[0].errorCode).toBe(0); // gone from metadata at once (leader -2)
    const zk = controller.zkClient;
    expect(await zk.pathExists(TopicZNode.path(topic))).toBe(true); // waits for the dead replica
    expect(await zk.pathExists(`/admin/delete_topics/${topic}`)).toBe(true);
    await c.startBroker(other.brokerId);
    await waitFor(
      'deletion completed',
      async () => !(await zk.pathExists(TopicZNode.path(topic))),
      { timeoutMs: 15000 },
    );
    expect(await zk.pathExists(`/admin/delete_topics/${topic}`)).toBe(false);
    await waitFor('returned broker removed its logs', () =>
      fs.readdirSync(dir).every((n) => !n.startsWith(`${topic}-`)),
    );
  });

  it('refuses DeleteTopics with delete.topic.enable=false', async () => {
    const c = await startCluster(1, { 'delete.topic.enable': 'false' });
    const conn = await c.connect();
    const topic = randomTopic();
    await createTopic(conn, topic, 1);
    const del = await conn.request(ApiKeys.DeleteTopics, 0, {
      topicNames: [topic],
      timeoutMs: 1000,
    });
    expect(del.responses[0].errorCode).toBe(73); // TOPIC_DELETION_DISABLED
    expect((await metadata(conn, [topic])).topics[0].errorCode).toBe(0);
  });
});
