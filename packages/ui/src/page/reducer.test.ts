import type { ClusterView, PartitionView, UiEvent } from '../protocol';
import {
  MAX_EVENTS,
  disconnected,
  initialState,
  partitionHealth,
  reduce,
  summarize,
  type PageState,
} from './reducer';

function partition(over: Partial<PartitionView> = {}): PartitionView {
  return {
    topic: 't',
    partition: 0,
    replicas: [1, 2, 3],
    leader: 1,
    leaderEpoch: 0,
    isr: [1, 2, 3],
    controllerEpoch: 1,
    zkVersion: 0,
    mtimeMs: 1000,
    highWatermark: -1,
    logEndOffsets: {},
    ...over,
  };
}

function cluster(over: Partial<ClusterView> = {}): ClusterView {
  return {
    zk: 'zk:2181/x',
    clusterId: 'c',
    brokers: [1, 2, 3].map((id) => ({
      id,
      alive: true,
      endpoints: [`PLAINTEXT://127.0.0.1:${9000 + id}`],
      rack: null,
      brokerEpoch: 100 + id,
      registeredAtMs: 0,
    })),
    controller: { brokerId: 1, epoch: 1 },
    partitions: [partition()],
    groups: [],
    faults: false,
    ...over,
  };
}

function event(seq: number, text = `e${seq}`): UiEvent {
  return { seq, timeMs: seq, kind: 'broker', text };
}

function snapshot(c = cluster(), events: UiEvent[] = []): PageState {
  return reduce(initialState, { type: 'snapshot', state: c, events });
}

describe('ui > page > reducer', () => {
  it('ignores changes until the snapshot, then starts from it (partitions sorted, events newest first)', () => {
    expect(
      reduce(initialState, { type: 'controller', controller: { brokerId: 2, epoch: 2 } }),
    ).toBe(initialState);
    const s = snapshot(
      cluster({
        partitions: [
          partition({ topic: 'b' }),
          partition({ topic: 'a', partition: 1 }),
          partition({ topic: 'a' }),
        ],
      }),
      [event(1), event(3), event(2)],
    );
    expect(s.connected).toBe(true);
    expect(s.cluster!.partitions.map((p) => `${p.topic}-${p.partition}`)).toEqual([
      'a-0',
      'a-1',
      'b-0',
    ]);
    expect(s.events.map((e) => e.seq)).toEqual([3, 2, 1]);
  });

  it('replaces a partition by a newer state and keeps its last known offsets', () => {
    let s = snapshot(
      cluster({ partitions: [partition({ highWatermark: 7, logEndOffsets: { '1': 7 } })] }),
    );
    s = reduce(s, {
      type: 'partition',
      partition: partition({ leader: 2, isr: [2, 3], leaderEpoch: 1, zkVersion: 1 }),
    });
    expect(s.cluster!.partitions).toEqual([
      partition({
        leader: 2,
        isr: [2, 3],
        leaderEpoch: 1,
        zkVersion: 1,
        highWatermark: 7,
        logEndOffsets: { '1': 7 },
      }),
    ]);
    s = reduce(s, { type: 'partitionRemoved', topic: 't', partition: 0 });
    expect(s.cluster!.partitions).toEqual([]);
  });

  it('applies offsets, brokers, controller and groups without touching the rest', () => {
    const s0 = snapshot();
    const s1 = reduce(s0, {
      type: 'offsets',
      highWatermarks: { 't-0': 42 },
      logEndOffsets: { 't-0': { '1': 42, '2': 40 } },
    });
    expect(s1.cluster!.partitions[0]).toMatchObject({
      highWatermark: 42,
      logEndOffsets: { '1': 42, '2': 40 },
    });
    expect(s0.cluster!.partitions[0].highWatermark).toBe(-1); // pure: the old state is unchanged
    const s2 = reduce(s1, { type: 'controller', controller: { brokerId: 3, epoch: 9 } });
    expect(s2.cluster!.controller).toEqual({ brokerId: 3, epoch: 9 });
    const brokers = cluster()
      .brokers.map((b) => (b.id === 2 ? { ...b, alive: false } : b))
      .reverse();
    const s3 = reduce(s2, { type: 'brokers', brokers });
    expect(s3.cluster!.brokers.map((b) => `${b.id}:${b.alive}`)).toEqual([
      '1:true',
      '2:false',
      '3:true',
    ]);
    expect(s3.cluster!.partitions).toBe(s2.cluster!.partitions);
  });

  it('adds events newest first, once each, at most MAX_EVENTS', () => {
    let s = snapshot();
    for (let i = 1; i <= MAX_EVENTS + 5; i++) s = reduce(s, { type: 'event', event: event(i) });
    s = reduce(s, { type: 'event', event: event(MAX_EVENTS + 5, 'again') });
    expect(s.events).toHaveLength(MAX_EVENTS);
    expect(s.events[0]).toEqual(event(MAX_EVENTS + 5));
    expect(s.events[MAX_EVENTS - 1].seq).toBe(6);
  });

  it('keeps the last state when the socket closes, marked not connected', () => {
    const s = disconnected(snapshot());
    expect(s.connected).toBe(false);
    expect(s.cluster).not.toBeNull();
  });
});

describe('ui > page > partition health', () => {
  const live = new Set([1, 2, 3]);
  it("follows Kafka's definitions: offline without a live leader, under-replicated with a short ISR", () => {
    expect(partitionHealth(partition(), live)).toBe('ok');
    expect(partitionHealth(partition({ isr: [1, 3] }), live)).toBe('under-replicated');
    expect(partitionHealth(partition({ leader: -1, isr: [1] }), live)).toBe('offline');
    expect(partitionHealth(partition({ leader: 1 }), new Set([2, 3]))).toBe('offline');
  });

  it('summarizes brokers, partition health and the total lag', () => {
    const c = cluster({
      brokers: cluster().brokers.map((b) => (b.id === 3 ? { ...b, alive: false } : b)),
      partitions: [
        partition(),
        partition({ partition: 1, isr: [1, 2] }),
        partition({ partition: 2, leader: 3, isr: [3] }),
      ],
      groups: [
        {
          groupId: 'g',
          state: 'Empty',
          protocol: '',
          coordinator: 1,
          members: [],
          offsets: [
            { topic: 't', partition: 0, committed: 1, end: 5, lag: 4 },
            { topic: 't', partition: 1, committed: 1, end: -1, lag: -1 },
          ],
        },
      ],
    });
    expect(summarize(c)).toEqual({
      liveBrokers: 2,
      deadBrokers: 1,
      partitions: 3,
      underReplicated: 1,
      offline: 1,
      totalLag: 4,
    });
  });
});
