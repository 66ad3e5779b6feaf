/**
 * The KafkaZk contract: one suite, run on KafkaZkClient against the real ZooKeeper
 * (`test/KafkaZkClient.contract.int.test.ts`) and on InMemoryKafkaZkClient
 * (`InMemoryKafkaZkClient.test.ts`), so the twin the controller's unit tests use
 * answers as ZooKeeper does: values, zkVersions, fencing, typed errors, watches.
 */
import { BadVersionError, NodeExistsError, NoNodeError } from './errors';
import type { KafkaZk } from './KafkaZk';
import { BrokerIdInUseError, ControllerMovedError } from './KafkaZkClient';
import type { WatchEvent } from './session';
import { parseEndpoint } from './znodes';

export interface ContractEnv {
  /** A new session on a fresh, empty cluster shared by this test's sessions. */
  session(): Promise<KafkaZk>;
}

const info = (id: number) => ({
  id,
  endpoints: [parseEndpoint(`PLAINTEXT://127.0.0.1:${9090 + id}`)],
});

function watcher(): { watch: (e: WatchEvent) => void; fired: Promise<WatchEvent> } {
  let resolve!: (e: WatchEvent) => void;
  const fired = new Promise<WatchEvent>((r) => (resolve = r));
  return { watch: (e) => resolve(e), fired };
}

const tp = (topic: string, partition: number) => ({ topic, partition });
const assignment = (parts: number[][], topicId = 'AAAAAAAAAAAAAAAAAAAAAA') => ({
  topicId,
  partitions: new Map(
    parts.map((replicas, p) => [p, { replicas, addingReplicas: [], removingReplicas: [] }]),
  ),
});

export function kafkaZkContract(name: string, setup: () => ContractEnv): void {
  describe(`zk > KafkaZk contract > ${name}`, () => {
    let env: ContractEnv;
    const open: KafkaZk[] = [];
    const session = async () => {
      const s = await env.session();
      open.push(s);
      return s;
    };
    beforeEach(() => {
      env = setup();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    /** A session that is controller (epoch 1, zkVersion 1) with the top-level paths made. */
    async function controller(): Promise<{ zk: KafkaZk; epochZkVersion: number }> {
      const zk = await session();
      await zk.createTopLevelPaths();
      const { epochZkVersion } = await zk.registerControllerAndIncrementControllerEpoch(1);
      return { zk, epochZkVersion };
    }

    it('cluster id, broker sequence ids, top-level paths', async () => {
      const a = await session();
      const b = await session();
      expect(await a.getClusterId()).toBeNull();
      expect(await a.getLatestProducerIdBlock()).toBeNull();
      await a.createTopLevelPaths();
      await b.createTopLevelPaths();
      const id = await a.getOrCreateClusterId();
      expect(await b.getOrCreateClusterId()).toBe(id);
      expect(await a.generateBrokerSequenceId()).toBe(1);
      expect(await b.generateBrokerSequenceId()).toBe(2);
      expect(await a.getLatestProducerIdBlock()).toEqual({ block: null, zkVersion: 0 });
    });

    it('brokers: ephemeral registration, epochs, one owner per id, child watch', async () => {
      const a = await session();
      const b = await session();
      await a.createTopLevelPaths();
      const w = watcher();
      expect(await a.getSortedBrokerList(w.watch)).toEqual([]);
      const e1 = await a.registerBroker(info(1));
      expect((await w.fired).type).toBe('childrenChanged');
      const e2 = await b.registerBroker(info(2));
      expect(e2).toBeGreaterThan(e1);
      await expect(b.registerBroker(info(1))).rejects.toThrow(BrokerIdInUseError);
      const all = await b.getAllBrokerAndEpochsInCluster();
      expect([...all.keys()]).toEqual([1, 2]);
      expect(all.get(1)!.epoch).toBe(e1);
      expect(all.get(1)!.broker.endpoints[0]).toMatchObject({ host: '127.0.0.1', port: 9091 });
      expect(await a.registerBroker(info(1))).toBe(e1); // its own node: reused
      await a.close();
      expect(await b.getSortedBrokerList()).toEqual([2]);
      expect(await b.getBroker(1)).toBeNull();
    });

    it('controller election: epoch and its zkVersion, one winner, exists-watch, fencing', async () => {
      const a = await session();
      const b = await session();
      const w = watcher();
      expect(await b.watchControllerZNode(w.watch)).toBe(false);
      expect(await a.registerControllerAndIncrementControllerEpoch(1)).toEqual({
        epoch: 1,
        epochZkVersion: 1,
      });
      expect((await w.fired).type).toBe('created');
      await expect(b.registerControllerAndIncrementControllerEpoch(2)).rejects.toThrow(
        ControllerMovedError,
      );
      expect(await b.getControllerId()).toBe(1);
      expect(await a.createOrUpdateFeatureZNode({ status: 1, features: {} }, 1)).toEqual({
        written: true,
        zkVersion: 0,
      });
      // the same content again (a later failover) writes nothing, as Kafka
      expect(await a.createOrUpdateFeatureZNode({ status: 1, features: {} }, 1)).toEqual({
        written: false,
        zkVersion: 0,
      });
      const gone = watcher();
      expect(await b.watchControllerZNode(gone.watch)).toBe(true);
      await a.close();
      expect((await gone.fired).type).toBe('deleted');
      expect(await b.registerControllerAndIncrementControllerEpoch(2)).toEqual({
        epoch: 2,
        epochZkVersion: 2,
      });
      // writes with the old token are refused and change nothing
      await expect(b.createOrUpdateFeatureZNode({ status: 0, features: {} }, 1)).rejects.toThrow(
        ControllerMovedError,
      );
      await expect(b.deleteController(1)).rejects.toThrow(ControllerMovedError);
      expect(await b.getFeatureZNode()).toEqual({ status: 1, features: {}, version: 1 });
      expect(await b.getControllerEpoch()).toEqual({ epoch: 2, epochZkVersion: 2 });
      await b.deleteController(2);
      expect(await b.getControllerId()).toBeNull();
    });

    it('topics: create once, conditional rewrite, child and data watches', async () => {
      const zk = await session();
      await zk.createTopLevelPaths();
      const topics = watcher();
      expect(await zk.getAllTopicsInCluster(topics.watch)).toEqual([]);
      await zk.createTopicAssignment(
        'orders',
        assignment([
          [1, 2],
          [2, 1],
        ]),
      );
      expect((await topics.fired).type).toBe('childrenChanged');
      await expect(zk.createTopicAssignment('orders', assignment([[1]]))).rejects.toThrow(
        NodeExistsError,
      );
      expect(await zk.topicExists('orders')).toBe(true);
      const data = watcher();
      const read = await zk.getReplicaAssignmentForTopics(['orders', 'missing'], data.watch);
      expect([...read.keys()]).toEqual(['orders']);
      const a = read.get('orders')!;
      expect(a.zkVersion).toBe(0);
      expect(a.topicId).toBe('AAAAAAAAAAAAAAAAAAAAAA');
      expect(a.partitions.get(1)).toEqual({
        replicas: [2, 1],
        addingReplicas: [],
        removingReplicas: [],
      });
      const grown = assignment([
        [1, 2],
        [2, 1],
        [1, 2],
      ]);
      await expect(zk.setTopicAssignment('orders', grown, 5)).rejects.toThrow(BadVersionError);
      expect(await zk.setTopicAssignment('orders', grown, 0)).toBe(1);
      expect(await data.fired).toMatchObject({ type: 'dataChanged' });
      await expect(zk.setTopicAssignment('nope', grown, 0)).rejects.toThrow(NoNodeError);
      const after = (await zk.getReplicaAssignmentForTopics(['orders'])).get('orders')!;
      expect([...after.partitions.keys()]).toEqual([0, 1, 2]);
      expect(after.zkVersion).toBe(1);
    });

    it('partition state: fenced create, conditional controller updates, leader writes', async () => {
      const { zk, epochZkVersion } = await controller();
      await zk.createTopicAssignment(
        't',
        assignment([
          [1, 2],
          [2, 1],
        ]),
      );
      const st = { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 };
      const created = await zk.createTopicPartitionStates(
        [
          { topicPartition: tp('t', 0), state: st },
          { topicPartition: tp('t', 1), state: { ...st, leader: 2, isr: [2, 1] } },
        ],
        epochZkVersion,
      );
      expect(created.get('t-0')).toEqual({ ...st, zkVersion: 0 });
      const again = await zk.createTopicPartitionStates(
        [{ topicPartition: tp('t', 0), state: st }],
        epochZkVersion,
      );
      expect(again.get('t-0')).toBeInstanceOf(NodeExistsError);
      await expect(
        zk.createTopicPartitionStates([{ topicPartition: tp('t', 5), state: st }], 99),
      ).rejects.toThrow(ControllerMovedError);
      const states = await zk.getTopicPartitionStates([tp('t', 0), tp('t', 1), tp('t', 5)]);
      expect([...states.keys()].sort()).toEqual(['t-0', 't-1']);
      expect(states.get('t-1')).toEqual({
        leader: 2,
        leaderEpoch: 0,
        isr: [2, 1],
        controllerEpoch: 1,
        zkVersion: 0,
      });

      const r = await zk.updateLeaderAndIsr(
        [
          { topicPartition: tp('t', 0), leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 0 },
          { topicPartition: tp('t', 1), leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 7 },
          { topicPartition: tp('t', 9), leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 0 },
        ],
        3,
        epochZkVersion,
      );
      expect(r.finishedPartitions.get('t-0')).toEqual({
        leader: 2,
        leaderEpoch: 1,
        isr: [2],
        controllerEpoch: 3,
        zkVersion: 1,
      });
      expect(r.finishedPartitions.get('t-9')).toBeInstanceOf(NoNodeError);
      expect(r.partitionsToRetry).toEqual([tp('t', 1)]);
      await expect(
        zk.updateLeaderAndIsr(
          [{ topicPartition: tp('t', 0), leader: 1, leaderEpoch: 2, isr: [1], zkVersion: 1 }],
          3,
          epochZkVersion + 1,
        ),
      ).rejects.toThrow(ControllerMovedError);
      // the leader's own ISR write (IBP < 2.7): conditional, not fenced
      const leaderState = { leader: 2, leaderEpoch: 1, isr: [2, 1], controllerEpoch: 3 };
      expect(await zk.conditionalUpdateLeaderAndIsr(tp('t', 0), leaderState, 0)).toBeNull();
      expect(await zk.conditionalUpdateLeaderAndIsr(tp('t', 0), leaderState, 1)).toBe(2);
      await expect(zk.conditionalUpdateLeaderAndIsr(tp('t', 9), leaderState, 0)).rejects.toThrow(
        NoNodeError,
      );
      expect((await zk.getTopicPartitionStates([tp('t', 0)])).get('t-0')).toEqual({
        ...leaderState,
        zkVersion: 2,
      });
    });

    it('partition state: many controller writes at once, each called alone, a few refused', async () => {
      const { zk, epochZkVersion } = await controller();
      const n = 130;
      await zk.createTopicAssignment('m', assignment(Array.from({ length: n }, () => [1, 2])));
      const st = { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 };
      await zk.createTopicPartitionStates(
        Array.from({ length: n }, (_, p) => ({ topicPartition: tp('m', p), state: st })),
        epochZkVersion,
      );
      // as a controller step writes: one call per partition, all in the same turn; every
      // 17th is conditional on a stale zkVersion, and one partition does not exist
      const stale = (p: number) => p % 17 === 5;
      const results = await Promise.all(
        Array.from({ length: n + 1 }, (_, p) =>
          zk.updateLeaderAndIsr(
            [
              {
                topicPartition: tp('m', p),
                leader: 2,
                leaderEpoch: 1,
                isr: [2],
                zkVersion: stale(p) ? 4 : 0,
              },
            ],
            1,
            epochZkVersion,
          ),
        ),
      );
      for (let p = 0; p < n; p++) {
        const r = results[p];
        if (stale(p)) {
          expect(r.partitionsToRetry).toEqual([tp('m', p)]);
          expect(r.finishedPartitions.size).toBe(0);
        } else {
          expect(r.partitionsToRetry).toEqual([]);
          expect(r.finishedPartitions.get(`m-${p}`)).toEqual({
            leader: 2,
            leaderEpoch: 1,
            isr: [2],
            controllerEpoch: 1,
            zkVersion: 1,
          });
        }
      }
      expect(results[n].finishedPartitions.get(`m-${n}`)).toBeInstanceOf(NoNodeError);
      const states = await zk.getTopicPartitionStates(
        Array.from({ length: n }, (_, p) => tp('m', p)),
      );
      for (let p = 0; p < n; p++)
        expect(states.get(`m-${p}`)).toEqual(
          stale(p)
            ? { ...st, zkVersion: 0 }
            : { leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 1, zkVersion: 1 },
        );
      // fenced: every one of many writes from a stale controller is refused, none applied
      const fenced = await Promise.allSettled(
        Array.from({ length: 60 }, (_, p) =>
          zk.updateLeaderAndIsr(
            [{ topicPartition: tp('m', p), leader: 1, leaderEpoch: 2, isr: [1], zkVersion: 1 }],
            1,
            epochZkVersion + 1,
          ),
        ),
      );
      for (const f of fenced) {
        expect(f.status).toBe('rejected');
        expect((f as PromiseRejectedResult).reason).toBeInstanceOf(ControllerMovedError);
      }
      expect((await zk.getTopicPartitionStates([tp('m', 0)])).get('m-0')?.leaderEpoch).toBe(1);
    });

    it('ISR change notifications: sequential, read, fenced delete, child watch', async () => {
      const { zk, epochZkVersion } = await controller();
      const w = watcher();
      expect(await zk.getAllIsrChangeNotifications(w.watch)).toEqual([]);
      await zk.propagateIsrChanges([tp('a', 0), tp('b', 1)]);
      expect((await w.fired).type).toBe('childrenChanged');
      await zk.propagateIsrChanges([tp('a', 0)]);
      const seqs = await zk.getAllIsrChangeNotifications();
      expect(seqs).toEqual(['0000000000', '0000000001']);
      expect(await zk.getPartitionsFromIsrChangeNotifications(seqs)).toEqual([
        tp('a', 0),
        tp('b', 1),
        tp('a', 0),
      ]);
      await expect(zk.deleteIsrChangeNotifications(epochZkVersion + 1, seqs)).rejects.toThrow(
        ControllerMovedError,
      );
      expect(await zk.deleteIsrChangeNotifications(epochZkVersion, [seqs[0]])).toBe(1);
      expect(await zk.getAllIsrChangeNotifications()).toEqual([seqs[1]]);
      expect(await zk.deleteIsrChangeNotifications(epochZkVersion)).toBe(1);
      expect(await zk.getAllIsrChangeNotifications()).toEqual([]);
    });

    it('topic deletion: marked once, fenced removal of every znode of the topic', async () => {
      const { zk, epochZkVersion } = await controller();
      await zk.setOrCreateEntityConfigs('topics', 'gone', { 'retention.ms': '1000' });
      await zk.createTopicAssignment('gone', assignment([[1]]));
      await zk.createTopicPartitionStates(
        [
          {
            topicPartition: tp('gone', 0),
            state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 },
          },
        ],
        epochZkVersion,
      );
      const w = watcher();
      expect(await zk.getTopicDeletions(w.watch)).toEqual([]);
      await zk.createDeleteTopicPath('gone');
      expect((await w.fired).type).toBe('childrenChanged');
      await expect(zk.createDeleteTopicPath('gone')).rejects.toThrow(NodeExistsError);
      expect(await zk.isTopicMarkedForDeletion('gone')).toBe(true);
      expect(await zk.getTopicDeletions()).toEqual(['gone']);
      await expect(zk.deleteTopicZNodes('gone', epochZkVersion + 1)).rejects.toThrow(
        ControllerMovedError,
      );
      expect(await zk.topicExists('gone')).toBe(true);
      await zk.deleteTopicZNodes('gone', epochZkVersion);
      expect(await zk.topicExists('gone')).toBe(false);
      expect(await zk.getTopicPartitionStates([tp('gone', 0)])).toEqual(new Map());
      expect(await zk.getEntityConfigs('topics', 'gone')).toEqual({});
      expect(await zk.getTopicDeletions()).toEqual([]);
      // a mark for an unknown topic is just removed
      await zk.createDeleteTopicPath('never');
      await expect(zk.deleteTopicDeletions(['never', 'other'], epochZkVersion + 1)).rejects.toThrow(
        ControllerMovedError,
      );
      await zk.deleteTopicDeletions(['never', 'other'], epochZkVersion);
      expect(await zk.isTopicMarkedForDeletion('never')).toBe(false);
    });

    it('config change notifications: sequential, named entity, child watch, delete', async () => {
      const zk = await session();
      await zk.createTopLevelPaths();
      const w = watcher();
      expect(await zk.getConfigChangeNotifications(w.watch)).toEqual([]);
      const first = await zk.createConfigChangeNotification('topics/a');
      expect((await w.fired).type).toBe('childrenChanged');
      await zk.createConfigChangeNotification('topics/b');
      const names = await zk.getConfigChangeNotifications();
      expect(names).toHaveLength(2);
      for (const n of names) expect(n).toMatch(/^config_change_\d{10}$/);
      expect(first).toBe(`/config/changes/${names[0]}`);
      expect(names[0] < names[1]).toBe(true);
      const n0 = await zk.getConfigChangeNotification(names[0]);
      expect(n0?.entityPath).toBe('topics/a');
      expect(n0?.ctime).toBeGreaterThan(0);
      await zk.deleteConfigChangeNotification(names[0]);
      await zk.deleteConfigChangeNotification(names[0]); // already gone: fine
      expect(await zk.getConfigChangeNotification(names[0])).toBeNull();
      expect(await zk.getConfigChangeNotifications()).toEqual([names[1]]);
    });

    it('quota entities: clients, users and users/<user>/clients/<id>, <default> at each level', async () => {
      const zk = await session();
      expect(await zk.getAllEntitiesWithConfig('users')).toEqual([]);
      await zk.setOrCreateEntityConfigs('clients', '<default>', { producer_byte_rate: '1024' });
      await zk.setOrCreateEntityConfigs('clients', 'app%201', { consumer_byte_rate: '2048' });
      await zk.setOrCreateEntityConfigs('users', 'alice/clients/<default>', {
        producer_byte_rate: '10',
      });
      await zk.setOrCreateEntityConfigs('users', '<default>', { request_percentage: '50' });
      expect(await zk.getAllEntitiesWithConfig('clients')).toEqual(['<default>', 'app%201']);
      expect(await zk.getAllEntitiesWithConfig('users')).toEqual([
        '<default>',
        'alice',
        'alice/clients/<default>',
      ]);
      expect(await zk.getEntityConfigs('users', 'alice/clients/<default>')).toEqual({
        producer_byte_rate: '10',
      });
      expect(await zk.getEntityConfigs('users', 'alice')).toEqual({});
      await expect(zk.getEntityConfigs('clients', 'a/clients/b')).rejects.toThrow(
        /invalid config entity name/,
      );
    });

    it('entity configs and producer-id blocks', async () => {
      const zk = await session();
      expect(await zk.getEntityConfigs('topics', 'x')).toEqual({});
      await zk.setOrCreateEntityConfigs('topics', 'x', { 'cleanup.policy': 'compact' });
      await zk.setOrCreateEntityConfigs('topics', 'x', { 'min.insync.replicas': '2' });
      expect(await zk.getEntityConfigs('topics', 'x')).toEqual({ 'min.insync.replicas': '2' });

      const block = { brokerId: 1, blockStart: 0, blockEnd: 999 };
      expect(await zk.conditionalUpdateLatestProducerIdBlock(block, null)).toBe(true);
      expect(await zk.conditionalUpdateLatestProducerIdBlock(block, null)).toBe(false);
      expect(await zk.getLatestProducerIdBlock()).toEqual({ block, zkVersion: 0 });
      const next = { brokerId: 2, blockStart: 1000, blockEnd: 1999 };
      expect(await zk.conditionalUpdateLatestProducerIdBlock(next, 3)).toBe(false);
      expect(await zk.conditionalUpdateLatestProducerIdBlock(next, 0)).toBe(true);
      expect(await zk.getLatestProducerIdBlock()).toEqual({ block: next, zkVersion: 1 });
    });

    it('admin triggers: /admin/reassign_partitions and /admin/preferred_replica_election', async () => {
      const { zk, epochZkVersion } = await controller();
      const tool = await session();
      const created = watcher();
      expect(await zk.watchPartitionReassignment(created.watch)).toBe(false);
      expect(await zk.getPartitionReassignment()).toEqual([]);
      const moves = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];
      await tool.createPartitionReassignment(moves);
      expect((await created.fired).type).toBe('created');
      await expect(tool.createPartitionReassignment(moves)).rejects.toThrow(NodeExistsError);
      expect(await zk.getPartitionReassignment()).toEqual(moves);
      await expect(zk.setOrDeletePartitionReassignment([], epochZkVersion + 1)).rejects.toThrow(
        ControllerMovedError,
      );
      const more = [...moves, { topic: 'u', partition: 1, replicas: [1] }];
      await zk.setOrDeletePartitionReassignment(more, epochZkVersion);
      expect(await zk.getPartitionReassignment()).toEqual(more);
      const gone = watcher();
      expect(await zk.watchPartitionReassignment(gone.watch)).toBe(true);
      await zk.setOrDeletePartitionReassignment([], epochZkVersion);
      expect((await gone.fired).type).toBe('deleted');
      expect(await zk.getPartitionReassignment()).toEqual([]);

      const elect = watcher();
      expect(await zk.watchPreferredReplicaElection(elect.watch)).toBe(false);
      await tool.createPreferredReplicaElection([tp('t', 0), tp('t', 1)]);
      expect((await elect.fired).type).toBe('created');
      expect(await zk.getPreferredReplicaElection()).toEqual([tp('t', 0), tp('t', 1)]);
      await expect(zk.deletePreferredReplicaElection(epochZkVersion + 1)).rejects.toThrow(
        ControllerMovedError,
      );
      await zk.deletePreferredReplicaElection(epochZkVersion);
      await zk.deletePreferredReplicaElection(epochZkVersion); // absent: nothing to do
      expect(await zk.getPreferredReplicaElection()).toEqual([]);
    });

    it('a topic assignment rewritten by the controller is fenced', async () => {
      const { zk, epochZkVersion } = await controller();
      await zk.createTopicAssignment('t', assignment([[1, 2]]));
      const moving = {
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: new Map([
          [0, { replicas: [3, 1, 2], addingReplicas: [3], removingReplicas: [2] }],
        ]),
      };
      await expect(zk.setTopicAssignmentFenced('t', moving, epochZkVersion - 1)).rejects.toThrow(
        ControllerMovedError,
      );
      await zk.setTopicAssignmentFenced('t', moving, epochZkVersion);
      const read = (await zk.getReplicaAssignmentForTopics(['t'])).get('t')!;
      expect(read.partitions.get(0)).toEqual(moving.partitions.get(0));
      expect(read.zkVersion).toBe(1);
    });

    it('consumer offsets', async () => {
      const zk = await session();
      await zk.setOrCreateConsumerOffsets('g', [
        { topic: 'b', partition: 1, offset: 5 },
        { topic: 'a', partition: 2, offset: 7 },
        { topic: 'a', partition: 0, offset: 3 },
      ]);
      await zk.setOrCreateConsumerOffsets('g', [{ topic: 'a', partition: 0, offset: 4 }]);
      expect(await zk.getConsumerOffset('g', 'a', 0)).toBe(4);
      expect(await zk.getConsumerOffset('g', 'a', 1)).toBeNull();
      expect(await zk.getConsumerOffsets('g')).toEqual([
        { topic: 'a', partition: 0, offset: 4 },
        { topic: 'a', partition: 2, offset: 7 },
        { topic: 'b', partition: 1, offset: 5 },
      ]);
      expect(await zk.consumerGroupExists('g')).toBe(true);
      expect(await zk.getConsumerGroups()).toEqual(['g']);
      await zk.deleteConsumerGroup('g');
      expect(await zk.consumerGroupExists('g')).toBe(false);
      expect(await zk.getConsumerOffsets('g')).toEqual([]);
    });
  });
}
