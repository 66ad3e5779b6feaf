/**
 * zookeeper.set.acl on the real ZooKeeper: znodes created by a session with secure ACLs
 * (Kafka's defaultAcls: CREATOR_ALL for the authenticated identity + world READ) can be
 * read by anyone and changed only by that identity. kzoo authenticates with the digest
 * scheme (`addauth digest user:password`) where Kafka uses a SASL login.
 */
import { connectTestSession, zkConnectForTest } from '@kzoo/testkit/jest';
import { KafkaZkClient, parseEndpoint, ZkError } from '@kzoo/zk';

describe('zk > ACLs (zookeeper.set.acl)', () => {
  it("secure znodes: world-readable, writable only with the brokers' digest identity", async () => {
    const cs = zkConnectForTest();
    const broker = new KafkaZkClient(
      await connectTestSession({ connectString: cs, secureAcls: true, digestAuth: 'kzoo:s3cret' }),
    );
    await broker.createTopLevelPaths();
    await broker.registerBroker({
      id: 1,
      endpoints: [parseEndpoint('PLAINTEXT://127.0.0.1:9092')],
    });
    const { epoch, epochZkVersion } = await broker.registerControllerAndIncrementControllerEpoch(1);
    await broker.createTopicAssignment('t', {
      topicId: null,
      partitions: new Map([[0, { replicas: [1], addingReplicas: [], removingReplicas: [] }]]),
    });
    const tp = { topic: 't', partition: 0 };
    await broker.createTopicPartitionStates(
      [
        {
          topicPartition: tp,
          state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: epoch },
        },
      ],
      epochZkVersion,
    );
    const statePath = '/brokers/topics/t/partitions/0/state';

    const foreign = await connectTestSession({ connectString: cs });
    const noAuth = async (what: string, p: Promise<unknown>) => {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ZkError);
      expect([what, (e as ZkError).code]).toEqual([what, 'NoAuth']);
    };
    // reads work for anyone
    expect((await foreign.getData('/controller')).data?.toString()).toContain('"brokerid":1');
    for (const path of [
      '/controller',
      '/controller_epoch',
      '/brokers/ids/1',
      statePath,
      '/brokers/topics/t',
    ])
      await noAuth(path, foreign.setData(path, Buffer.from('{}'), -1));
    await noAuth('/brokers/ids/1 delete', foreign.delete('/brokers/ids/1', -1));
    await noAuth('/brokers/topics create', foreign.create('/brokers/topics/evil', null));
    // a session with the brokers' identity may write (the controller's path)
    const other = new KafkaZkClient(
      await connectTestSession({ connectString: cs, secureAcls: true, digestAuth: 'kzoo:s3cret' }),
    );
    const r = await other.updateLeaderAndIsr(
      [{ topicPartition: tp, leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 0 }],
      epoch,
      epochZkVersion,
    );
    expect(r.finishedPartitions.get('t-0')).toMatchObject({ leaderEpoch: 1, zkVersion: 1 });
    // a wrong password is another identity
    const wrong = await connectTestSession({ connectString: cs, digestAuth: 'kzoo:guess' });
    await noAuth('wrong password', wrong.setData(statePath, Buffer.from('{}'), -1));
    await broker.close();
    await other.close();
  });
});
