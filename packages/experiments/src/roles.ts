/**
 * Fault targets by role ("leader of t-0", "the controller", "a follower of t-0", ...),
 * resolved against what the cluster looks like at the moment the fault fires.
 * `resolveRole` is pure: the runner builds the `ClusterView` (ZooKeeper's partition
 * state znodes and /controller, the group's coordinator, ZooKeeper's `srvr`) and passes it.
 */
import type { SeededRandom } from './random';

/** A partition by index, or the first partition whose leader is the controller (else 0). */
export type PartitionRef = number | 'controller-led';

export type Role =
  | { kind: 'leader'; partition: PartitionRef }
  /** One follower (seeded pick among the replicas other than the leader). */
  | { kind: 'follower'; partition: PartitionRef }
  /** Every follower of the partition. */
  | { kind: 'followers'; partition: PartitionRef }
  | { kind: 'controller' }
  /** The coordinator of the run's consumer group. */
  | { kind: 'coordinator' }
  /** A broker picked by the seed among the registered ones. */
  | { kind: 'broker' }
  /** A given broker (rolling restarts). */
  | { kind: 'broker-id'; id: number }
  | { kind: 'zookeeper-leader' }
  /** The ZooKeeper leader and one follower: with 3 nodes, the quorum is gone. */
  | { kind: 'zookeeper-majority' };

export interface PartitionView {
  partition: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** The replica assignment (preferred leader first). */
  replicas: number[];
}

/** What the cluster looks like now. Unknown parts are null. */
export interface ClusterView {
  topic: string;
  brokers: number[];
  controller: number | null;
  partitions: PartitionView[];
  coordinator: number | null;
  /** ZooKeeper node ids and the leader (standalone: the one node). */
  zookeeperNodes: number[];
  zookeeperLeader: number | null;
}

export type Target = { type: 'broker'; ids: number[] } | { type: 'zookeeper'; ids: number[] };

/** The role as a person says it: "leader of orders-0", "the controller". */
export function roleLabel(role: Role, topic: string): string {
  const p = (r: PartitionRef) =>
    r === 'controller-led' ? `${topic}-<controller's>` : `${topic}-${r}`;
  switch (role.kind) {
    case 'leader':
      return `leader of ${p(role.partition)}`;
    case 'follower':
      return `a follower of ${p(role.partition)}`;
    case 'followers':
      return `the followers of ${p(role.partition)}`;
    case 'controller':
      return 'the controller';
    case 'coordinator':
      return 'the coordinator of the group';
    case 'broker':
      return 'a broker';
    case 'broker-id':
      return `broker ${role.id}`;
    case 'zookeeper-leader':
      return 'the ZooKeeper leader';
    case 'zookeeper-majority':
      return 'the ZooKeeper leader and a follower';
  }
}

export function targetLabel(t: Target): string {
  const what = t.type === 'broker' ? 'broker' : 'zookeeper';
  return t.ids.map((id) => `${what} ${id}`).join(', ');
}

export function partitionOf(ref: PartitionRef, view: ClusterView): PartitionView | undefined {
  if (ref === 'controller-led') {
    const led = [...view.partitions]
      .sort((a, b) => a.partition - b.partition)
      .find((p) => view.controller !== null && p.leader === view.controller);
    return led ?? view.partitions.find((p) => p.partition === 0);
  }
  return view.partitions.find((p) => p.partition === ref);
}

/**
 * Resolves `role` against `view`. Throws a one-line error naming the role when nothing
 * fits (no leader, no controller, ...): the runner records the fault as not fired.
 */
export function resolveRole(role: Role, view: ClusterView, rng: SeededRandom): Target {
  const fail = (why: string): never => {
    throw new Error(`cannot resolve ${roleLabel(role, view.topic)}: ${why}`);
  };
  const part = (ref: PartitionRef) =>
    partitionOf(ref, view) ?? fail(`no state for partition ${String(ref)}`);
  switch (role.kind) {
    case 'leader': {
      const p = part(role.partition);
      if (p.leader < 0) fail(`${view.topic}-${p.partition} has no leader`);
      return { type: 'broker', ids: [p.leader] };
    }
    case 'follower':
    case 'followers': {
      const p = part(role.partition);
      const followers = p.replicas.filter((r) => r !== p.leader).sort((a, b) => a - b);
      if (followers.length === 0) fail(`${view.topic}-${p.partition} has no follower`);
      return { type: 'broker', ids: role.kind === 'followers' ? followers : [rng.pick(followers)] };
    }
    case 'controller':
      if (view.controller === null) fail('no controller');
      return { type: 'broker', ids: [view.controller!] };
    case 'coordinator':
      if (view.coordinator === null) fail('the coordinator is unknown');
      return { type: 'broker', ids: [view.coordinator!] };
    case 'broker': {
      const live = [...view.brokers].sort((a, b) => a - b);
      if (live.length === 0) fail('no broker is registered');
      return { type: 'broker', ids: [rng.pick(live)] };
    }
    case 'broker-id':
      return { type: 'broker', ids: [role.id] };
    case 'zookeeper-leader':
      if (view.zookeeperLeader === null) fail('no ZooKeeper node says it leads');
      return { type: 'zookeeper', ids: [view.zookeeperLeader!] };
    case 'zookeeper-majority': {
      if (view.zookeeperLeader === null) fail('no ZooKeeper node says it leads');
      const others = view.zookeeperNodes.filter((n) => n !== view.zookeeperLeader).sort();
      if (others.length === 0) fail('a standalone ZooKeeper has no follower');
      return { type: 'zookeeper', ids: [view.zookeeperLeader!, rng.pick(others)] };
    }
  }
}
