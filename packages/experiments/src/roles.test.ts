import { SeededRandom } from './random';
import { resolveRole, roleLabel, targetLabel, type ClusterView } from './roles';

const view = (over: Partial<ClusterView> = {}): ClusterView => ({
  topic: 'orders',
  brokers: [1, 2, 3],
  controller: 2,
  partitions: [
    { partition: 0, leader: 1, leaderEpoch: 0, isr: [1, 2, 3], replicas: [1, 2, 3] },
    { partition: 1, leader: 2, leaderEpoch: 3, isr: [2, 3], replicas: [2, 3, 1] },
  ],
  coordinator: 3,
  zookeeperNodes: [1, 2, 3],
  zookeeperLeader: 2,
  ...over,
});

describe('experiments > roles > resolveRole', () => {
  const rng = () => new SeededRandom(1);

  it('leader, followers, controller, coordinator and ZooKeeper leader from the view at that moment', () => {
    expect(resolveRole({ kind: 'leader', partition: 0 }, view(), rng())).toEqual({
      type: 'broker',
      ids: [1],
    });
    expect(resolveRole({ kind: 'leader', partition: 1 }, view(), rng())).toEqual({
      type: 'broker',
      ids: [2],
    });
    expect(resolveRole({ kind: 'followers', partition: 1 }, view(), rng())).toEqual({
      type: 'broker',
      ids: [1, 3],
    });
    expect(resolveRole({ kind: 'controller' }, view(), rng())).toEqual({
      type: 'broker',
      ids: [2],
    });
    expect(resolveRole({ kind: 'coordinator' }, view(), rng())).toEqual({
      type: 'broker',
      ids: [3],
    });
    expect(resolveRole({ kind: 'zookeeper-leader' }, view(), rng())).toEqual({
      type: 'zookeeper',
      ids: [2],
    });
  });

  it('a leader that moved resolves to the new leader', () => {
    const moved = view({
      partitions: [{ partition: 0, leader: 3, leaderEpoch: 1, isr: [3, 2], replicas: [1, 2, 3] }],
    });
    expect(resolveRole({ kind: 'leader', partition: 0 }, moved, rng()).ids).toEqual([3]);
    expect(resolveRole({ kind: 'followers', partition: 0 }, moved, rng()).ids).toEqual([1, 2]);
  });

  it('a follower is one of the replicas other than the leader, the same for the same seed', () => {
    const picks = new Set<number>();
    for (let seed = 0; seed < 30; seed++) {
      const a = resolveRole({ kind: 'follower', partition: 0 }, view(), new SeededRandom(seed)).ids;
      const b = resolveRole({ kind: 'follower', partition: 0 }, view(), new SeededRandom(seed)).ids;
      expect(b).toEqual(a);
      expect(a).toHaveLength(1);
      expect([2, 3]).toContain(a[0]);
      picks.add(a[0]);
    }
    expect(picks.size).toBe(2);
  });

  it('controller-led picks the partition the controller leads, else partition 0', () => {
    expect(resolveRole({ kind: 'leader', partition: 'controller-led' }, view(), rng()).ids).toEqual(
      [2],
    );
    expect(
      resolveRole({ kind: 'leader', partition: 'controller-led' }, view({ controller: 3 }), rng())
        .ids,
    ).toEqual([1]);
  });

  it('zookeeper-majority is the leader and one follower', () => {
    const t = resolveRole({ kind: 'zookeeper-majority' }, view(), rng());
    expect(t.type).toBe('zookeeper');
    expect(t.ids[0]).toBe(2);
    expect([1, 3]).toContain(t.ids[1]);
  });

  it('says why a role cannot be resolved', () => {
    const noLeader = view({
      partitions: [{ partition: 0, leader: -1, leaderEpoch: 2, isr: [], replicas: [1, 2, 3] }],
    });
    expect(() => resolveRole({ kind: 'leader', partition: 0 }, noLeader, rng())).toThrow(
      'cannot resolve leader of orders-0: orders-0 has no leader',
    );
    expect(() => resolveRole({ kind: 'controller' }, view({ controller: null }), rng())).toThrow(
      'cannot resolve the controller: no controller',
    );
    expect(() =>
      resolveRole(
        { kind: 'zookeeper-majority' },
        view({ zookeeperNodes: [1], zookeeperLeader: 1 }),
        rng(),
      ),
    ).toThrow(/standalone ZooKeeper has no follower/);
  });

  it('labels', () => {
    expect(roleLabel({ kind: 'leader', partition: 0 }, 'orders')).toBe('leader of orders-0');
    expect(roleLabel({ kind: 'follower', partition: 2 }, 'orders')).toBe('a follower of orders-2');
    expect(targetLabel({ type: 'broker', ids: [2] })).toBe('broker 2');
    expect(targetLabel({ type: 'zookeeper', ids: [1, 3] })).toBe('zookeeper 1, zookeeper 3');
  });
});
