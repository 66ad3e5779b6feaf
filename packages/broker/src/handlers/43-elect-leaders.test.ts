import { ErrorCode, MockTime } from '@kzoo/common';
import type { UpdateMetadataPartitionState } from '@kzoo/protocol';
import type { ElectionFailure } from '../controller/PartitionStateMachine';
import type { BrokerContext } from '../server/BrokerContext';
import { MetadataCache } from '../server/MetadataCache';
import { handleElectLeaders } from './43-elect-leaders';

const state = (partition: number, leader: number): UpdateMetadataPartitionState => ({
  topicName: 't',
  partitionIndex: partition,
  controllerEpoch: 1,
  leader,
  leaderEpoch: 1,
  isr: [1, 2, 3],
  zkVersion: 1,
  replicas: [3, 1, 2],
  offlineReplicas: [],
});

function setup(results: Array<[string, ElectionFailure]>) {
  const time = new MockTime();
  const cache = new MetadataCache(1, time);
  const update = (states: UpdateMetadataPartitionState[]) =>
    cache.updateMetadata({
      controllerId: 1,
      controllerEpoch: 1,
      brokerEpoch: -1,
      liveBrokers: [1, 2, 3].map((id) => ({ id, endpoints: [], rack: null })),
      partitionStates: states,
    });
  update([state(0, 1), state(1, 1), state(2, 3)]);
  const broker = {
    metadataCache: cache,
    controller: () => ({
      isActive: () => true,
      electLeaders: () => Promise.resolve(new Map(results)),
    }),
  } as unknown as BrokerContext;
  return { time, update, broker };
}

const errors = (r: Awaited<ReturnType<typeof handleElectLeaders>>) =>
  r.replicaElectionResults.flatMap((t) =>
    t.partitionResult.map((p) => [p.partitionId, p.errorCode]),
  );

const request = (timeoutMs: number) => ({
  electionType: 0,
  topicPartitions: [{ topic: 't', partitions: [0, 1, 2] }],
  timeoutMs,
});

describe('broker > handlers > ElectLeaders (Kafka’s DelayedElectLeader)', () => {
  const elected: Array<[string, ElectionFailure]> = [
    ['t-0', { error: 'NONE', message: '', leader: 3 }],
    ['t-1', { error: 'NONE', message: '', leader: 3 }],
    ['t-2', { error: 'ELECTION_NOT_NEEDED', message: 't-2 is led by its preferred replica' }],
  ];

  it('answers once this broker’s metadata shows every elected leader', async () => {
    const { time, update, broker } = setup(elected);
    let answered = false;
    const pending = handleElectLeaders(broker, request(30_000)).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false); // the controller elected, the metadata does not show it yet
    update([state(0, 3)]);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false); // t-1 still to come
    time.tick(1000);
    update([state(1, 3)]);
    expect(errors(await pending)).toEqual([
      [0, 0],
      [1, 0],
      [2, ErrorCode.ELECTION_NOT_NEEDED],
    ]);
  });

  it('after timeoutMs, the partitions whose leader has not shown get REQUEST_TIMED_OUT', async () => {
    const { time, update, broker } = setup(elected);
    const pending = handleElectLeaders(broker, request(30_000));
    await new Promise((r) => setImmediate(r));
    update([state(0, 3)]);
    time.tick(29_999);
    time.tick(1);
    expect(errors(await pending)).toEqual([
      [0, 0],
      [1, ErrorCode.REQUEST_TIMED_OUT],
      [2, ErrorCode.ELECTION_NOT_NEEDED],
    ]);
  });

  it('with nothing elected there is nothing to wait for', async () => {
    const { broker } = setup([elected[2]]);
    expect(errors(await handleElectLeaders(broker, request(30_000)))).toEqual([
      [2, ErrorCode.ELECTION_NOT_NEEDED],
    ]);
  });
});
