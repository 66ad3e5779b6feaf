import { partitionEvents } from './events';
import type { PartitionView } from './protocol';

function p(over: Partial<PartitionView> = {}): PartitionView {
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

const all = new Set([1, 2, 3]);

describe('ui > events > partitionEvents', () => {
  it('a dead leader replaced by an ISR member is a clean election, the ISR shrunk with it', () => {
    const [e, ...rest] = partitionEvents(
      p(),
      p({ leader: 2, isr: [2, 3], leaderEpoch: 1, zkVersion: 1, mtimeMs: 2000 }),
      new Set([2, 3]),
    );
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ kind: 'election', election: 'clean', zkMtimeMs: 2000 });
    expect(e.text).toBe('t-0: clean election — leader 1 → 2, ISR [1,2,3] → [2,3], leader epoch 1');
  });

  it('a leader that was not in the ISR is an unclean election', () => {
    const [e] = partitionEvents(
      p({ leader: 1, isr: [1] }),
      p({ leader: 3, isr: [3], leaderEpoch: 1, zkVersion: 1 }),
      new Set([3]),
    );
    expect(e).toMatchObject({ kind: 'election', election: 'unclean' });
  });

  it('a live leader handing over to the preferred replica is preferred; to another, controlled shutdown', () => {
    expect(
      partitionEvents(p({ leader: 2 }), p({ leader: 1, leaderEpoch: 1, zkVersion: 1 }), all)[0],
    ).toMatchObject({ election: 'preferred' });
    expect(
      partitionEvents(p(), p({ leader: 2, isr: [2, 3], leaderEpoch: 1, zkVersion: 1 }), all)[0],
    ).toMatchObject({ election: 'controlled-shutdown' });
  });

  it('no leader left is an offline partition', () => {
    const [e] = partitionEvents(
      p({ isr: [1] }),
      p({ leader: -1, isr: [1], zkVersion: 1 }),
      new Set([2]),
    );
    expect(e).toMatchObject({ kind: 'election', election: 'offline' });
  });

  it('the same leader with a smaller or larger ISR is a shrink or an expand', () => {
    expect(partitionEvents(p(), p({ isr: [1, 3], zkVersion: 1 }), all)).toEqual([
      expect.objectContaining({ kind: 'isr', text: 't-0: ISR shrink [1,2,3] → [1,3] (out: 2)' }),
    ]);
    expect(partitionEvents(p({ isr: [1, 3] }), p({ isr: [1, 3, 2], zkVersion: 1 }), all)).toEqual([
      expect.objectContaining({ kind: 'isr', text: 't-0: ISR expand [1,3] → [1,3,2] (in: 2)' }),
    ]);
  });

  it('the first state is the first leader; an unchanged zkVersion is nothing', () => {
    expect(partitionEvents(undefined, p(), all)[0]).toMatchObject({ election: 'new' });
    expect(partitionEvents(p({ zkVersion: -1 }), p(), all)[0]).toMatchObject({ election: 'new' });
    expect(partitionEvents(p(), p(), all)).toEqual([]);
  });
});
