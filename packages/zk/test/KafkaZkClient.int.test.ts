import {
  BrokerIdInUseError,
  BrokerIdZNode,
  ControllerMovedError,
  KafkaZkClient,
  parseEndpoint,
  PersistentZkPaths,
} from '@kzoo/zk';
import { connectTestSession, zkConnectForTest } from '@kzoo/testkit/jest';

async function client(connectString: string): Promise<KafkaZkClient> {
  return new KafkaZkClient(await connectTestSession({ connectString, sessionTimeoutMs: 2000 }));
}

const info = (id: number, port = 9092) => ({
  id,
  endpoints: [parseEndpoint(`PLAINTEXT://127.0.0.1:${port}`)],
});

describe('zk > KafkaZkClient', () => {
  it('creates the top-level paths and the cluster id once', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    const b = await client(cs);
    await a.createTopLevelPaths();
    await b.createTopLevelPaths();
    for (const p of PersistentZkPaths) expect(await a.pathExists(p)).toBe(true);
    expect(await a.getClusterId()).toBeNull();
    const [id1, id2] = await Promise.all([a.getOrCreateClusterId(), b.getOrCreateClusterId()]);
    expect(id1).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(id2).toBe(id1);
    const raw = await a.zk.getData('/cluster/id');
    expect(JSON.parse(raw.data!.toString())).toEqual({ version: '1', id: id1 });
  });

  it('generates broker sequence ids from the version of /brokers/seqid, creating it if missing', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    const b = await client(cs);
    expect(await a.pathExists('/brokers/seqid')).toBe(false);
    expect(await a.generateBrokerSequenceId()).toBe(1);
    const ids = await Promise.all([
      a.generateBrokerSequenceId(),
      b.generateBrokerSequenceId(),
      a.generateBrokerSequenceId(),
    ]);
    expect(ids.sort()).toEqual([2, 3, 4]);
    const node = await a.zk.getData('/brokers/seqid');
    expect(node.stat.version).toBe(4);
    expect(node.data?.length ?? 0).toBe(0);
  });

  it('registers a broker ephemerally with its czxid as epoch, and refuses a live duplicate id', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    await a.createTopLevelPaths();
    const epoch = await a.registerBroker(info(1));
    const { data, stat } = await a.zk.getData('/brokers/ids/1');
    expect(stat.czxid).toBe(epoch);
    expect(stat.ephemeralOwner).toBe(a.sessionId);
    expect(stat.version).toBe(1); // created empty, then setData at version 0
    const json = JSON.parse(data!.toString());
    expect(json).toMatchObject({
      version: 5,
      host: '127.0.0.1',
      port: 9092,
      endpoints: ['PLAINTEXT://127.0.0.1:9092'],
    });
    expect(typeof json.timestamp).toBe('string');
    expect(json.features).toEqual({});

    // the same session may register again (reuse)
    expect(await a.registerBroker(info(1))).toBe(epoch);

    const b = await client(cs);
    const err = await b.registerBroker(info(1, 9093)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerIdInUseError);
    expect((err as Error).message).toContain('broker.id 1 is already registered');
    expect((err as Error).message).toContain(a.sessionId);
    expect((await a.getBroker(1))?.port).toBe(9092);

    const e2 = await b.registerBroker(info(2, 9093));
    expect(e2).toBeGreaterThan(epoch);
    const all = await b.getAllBrokerAndEpochsInCluster();
    expect([...all.keys()]).toEqual([1, 2]);
    expect(all.get(2)?.epoch).toBe(e2);
    expect(BrokerIdZNode.path(2)).toBe('/brokers/ids/2');
  });

  it('registers through a connection loss in the middle of the registration multi', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    await a.createTopLevelPaths();
    const session = a.zk;
    const multi = session.multi.bind(session);
    let calls = 0;
    // the first multi goes out, then the TCP connection drops under it (the session lives on)
    session.multi = (ops) => {
      calls++;
      const sent = multi(ops);
      if (calls === 1)
        (
          session as unknown as { client: { connectionManager: { socket: { destroy(): void } } } }
        ).client.connectionManager.socket.destroy();
      return sent;
    };
    const epoch = await a.registerBroker(info(4));
    expect(calls).toBeGreaterThanOrEqual(2);
    const { stat } = await a.zk.getData('/brokers/ids/4');
    expect(stat.ephemeralOwner).toBe(a.sessionId);
    expect(stat.czxid).toBe(epoch);
    expect((await a.getBroker(4))?.port).toBe(9092);
  });

  it('re-registers with a larger epoch after a session expiry', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    await a.createTopLevelPaths();
    const e1 = await a.registerBroker(info(3));
    const fresh = new Promise((r) => a.zk.once('newSession', r));
    await a.zk.forceExpire();
    await fresh;
    expect(await a.getBroker(3)).toBeNull();
    const e2 = await a.registerBroker(info(3));
    expect(e2).toBeGreaterThan(e1);
  });

  it('elects one controller, bumps the epoch atomically and fences stale controller writes', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    const b = await client(cs);
    await a.createTopLevelPaths();
    const results = await Promise.allSettled([
      a.registerControllerAndIncrementControllerEpoch(1),
      b.registerControllerAndIncrementControllerEpoch(2),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ControllerMovedError);
    const first = (won[0] as PromiseFulfilledResult<{ epoch: number; epochZkVersion: number }>)
      .value;
    expect(first).toEqual({ epoch: 1, epochZkVersion: 1 });
    const winner = results[0].status === 'fulfilled' ? a : b;
    const loser = winner === a ? b : a;
    expect(await loser.getControllerId()).toBe(winner === a ? 1 : 2);
    expect((await a.zk.getData('/controller_epoch')).data?.toString()).toBe('1');

    // a fenced write with the current token works
    await winner.createOrUpdateFeatureZNode({ status: 1, features: {} }, first.epochZkVersion);
    expect(JSON.parse((await a.zk.getData('/feature')).data!.toString())).toEqual({
      features: {},
      version: 1,
      status: 1,
    });

    // the winner's session goes; the other broker takes over with epoch 2
    await winner.close();
    const second = await loser.registerControllerAndIncrementControllerEpoch(winner === a ? 2 : 1);
    expect(second).toEqual({ epoch: 2, epochZkVersion: 2 });

    // a zombie write with the old token is refused and changes nothing
    const zombie = await client(cs);
    const before = await zombie.zk.exists('/feature');
    const err = await zombie
      .createOrUpdateFeatureZNode({ status: 0, features: {} }, first.epochZkVersion)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControllerMovedError);
    expect((err as Error).message).toContain('zkVersion 1 is stale');
    expect((err as ControllerMovedError).errorName).toBe('NOT_CONTROLLER');
    expect((await zombie.zk.exists('/feature'))?.version).toBe(before?.version);
    await expect(zombie.deleteController(first.epochZkVersion)).rejects.toThrow(
      ControllerMovedError,
    );
    expect(await zombie.getControllerId()).toBe(winner === a ? 2 : 1);
    expect(await zombie.getControllerEpoch()).toEqual({ epoch: 2, epochZkVersion: 2 });
  });

  it('creates the partitions/<p> parents of a partition state under the controller-epoch fence', async () => {
    const cs = zkConnectForTest();
    const a = await client(cs);
    await a.createTopLevelPaths();
    const { epochZkVersion } = await a.registerControllerAndIncrementControllerEpoch(1);
    await a.createTopicAssignment('fenced', {
      topicId: null,
      partitions: new Map([[0, { replicas: [1], addingReplicas: [], removingReplicas: [] }]]),
    });
    const state = { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 };
    const tp = { topic: 'fenced', partition: 0 };
    // a stale token: nothing at all is created, not even the parents (Kafka's
    // createTopicPartitions / createTopicPartition run in fenced multis too)
    await expect(
      a.createTopicPartitionStates([{ topicPartition: tp, state }], epochZkVersion - 1),
    ).rejects.toThrow(ControllerMovedError);
    expect(await a.pathExists('/brokers/topics/fenced/partitions')).toBe(false);
    const made = await a.createTopicPartitionStates(
      [{ topicPartition: tp, state }],
      epochZkVersion,
    );
    expect(made.get('fenced-0')).toEqual({ ...state, zkVersion: 0 });
    expect(await a.pathExists('/brokers/topics/fenced/partitions/0/state')).toBe(true);
    // the topic znode is version 3 even without a topic id (Kafka 2.8+)
    const raw = await a.zk.getData('/brokers/topics/fenced');
    expect(JSON.parse(raw.data!.toString()).version).toBe(3);
    await a.close();
  });
});
