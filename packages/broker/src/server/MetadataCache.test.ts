import type { UpdateMetadataPartitionState, UpdateMetadataRequest } from '@kzoo/protocol';
import { MetadataCache } from './MetadataCache';

const broker = (id: number) => ({
  id,
  endpoints: [{ host: `h${id}`, port: 9000 + id, listener: 'PLAINTEXT', securityProtocol: 0 }],
  rack: null,
});
const state = (
  topic: string,
  p: number,
  leader: number,
  replicas = [1, 2],
): UpdateMetadataPartitionState => ({
  topicName: topic,
  partitionIndex: p,
  controllerEpoch: 1,
  leader,
  leaderEpoch: 0,
  isr: replicas,
  zkVersion: 0,
  replicas,
  offlineReplicas: [],
});
const req = (brokers: number[], states: UpdateMetadataPartitionState[]): UpdateMetadataRequest => ({
  controllerId: 1,
  controllerEpoch: 1,
  brokerEpoch: -1,
  liveBrokers: brokers.map(broker),
  partitionStates: states,
});

describe('broker > server > MetadataCache', () => {
  it('upserts partition states, replaces live brokers and removes partitions sent with leader -2', () => {
    const c = new MetadataCache(1);
    c.updateMetadata(req([1, 2], [state('t', 0, 1), state('t', 1, 2)]));
    expect(c.controllerId).toBe(1);
    expect(c.allTopics()).toEqual(['t']);
    expect(c.aliveBrokerNodes('PLAINTEXT')).toEqual([
      { nodeId: 1, host: 'h1', port: 9001, rack: null },
      { nodeId: 2, host: 'h2', port: 9002, rack: null },
    ]);
    expect(c.hasLeaders('t', 2)).toBe(true);
    // Broker 2 dies: its partition has no live leader, ISR shows live members only.
    c.updateMetadata(req([1], []));
    const parts = c.topicPartitions('t')!;
    expect(parts[1]).toMatchObject({
      errorCode: 5,
      leaderId: -1,
      isrNodes: [1],
      offlineReplicas: [2],
    });
    expect(parts[0]).toMatchObject({ errorCode: 0, leaderId: 1 });
    const deleted = c.updateMetadata(req([1], [state('t', 0, -2), state('t', 1, -2)]));
    expect(deleted).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    expect(c.contains('t')).toBe(false);
  });

  it('waitUntil resolves on the update that makes the predicate true, or false at the timeout', async () => {
    const c = new MetadataCache(1);
    const waiting = c.waitUntil(() => c.hasLeaders('t', 1), 10000);
    c.updateMetadata(req([1], [state('t', 0, 1)]));
    await expect(waiting).resolves.toBe(true);
    await expect(c.waitUntil(() => c.contains('nope'), 1)).resolves.toBe(false);
  });
});
