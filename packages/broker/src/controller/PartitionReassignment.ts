/**
 * PartitionReassignment: the controller's replica reassignment (KIP-455 on the
 * ZooKeeper path), as Kafka 2.8's KafkaController does it — onPartitionReassignment,
 * updateCurrentReassignment, maybeCompleteReassignment, the ZooKeeper trigger and the
 * AlterPartitionReassignments / ListPartitionReassignments requests.
 *
 * Notation (Kafka's): RS = the replica set in the topic znode, ORS = origin replicas,
 * TRS = target replicas, AR = adding replicas (TRS − ORS), RR = removing (ORS − TRS);
 * while a partition moves, RS = TRS ∪ ORS (target first) and the topic znode carries
 * `adding_replicas` / `removing_replicas`.
 *
 * Per partition:
 *  U. (new reassignment) write RS, AR, RR to the topic znode (fenced) and to the context;
 *     replicas of an earlier, superseded reassignment that are no longer wanted are
 *     stopped (OfflineReplica → deleted).
 *  A. while TRS ⊄ ISR: bump leader_epoch (same leader and ISR) and send LeaderAndIsr with
 *     the new RS to ORS (isNew=false) and AR (isNew=true); AR → NewReplica. The leader
 *     adds the new replicas to the ISR when they catch up (AlterPartition), which brings
 *     the controller back here.
 *  B. once TRS ⊆ ISR: AR → OnlineReplica; RS = TRS in the context; a leader outside TRS
 *     (or dead) is replaced by the first live ISR member of TRS, else leader_epoch is
 *     bumped with the shrunk RS; RR → OfflineReplica (out of the ISR) → deletion
 *     (StopReplica delete=true) → NonExistent; the topic znode gets RS = TRS, no AR/RR;
 *     the partition leaves /admin/reassign_partitions (deleted when empty);
 *     UpdateMetadata to every live broker.
 *
 * Cancellation (replicas null) reassigns back to ORS: the adding replicas are stopped
 * and the partition completes at once. A controller failover resumes every partition
 * whose topic znode still has AR/RR (after the /admin/reassign_partitions ones).
 */
import { tpKey } from '@kzoo/common';
import type { ErrorName, Logger } from '@kzoo/common';
import type { KafkaZk, PartitionReplicas, ReplicaAssignment } from '@kzoo/zk';
import type { ControllerBrokerRequestBatch } from './ControllerBrokerRequestBatch';
import { type ControllerContext, type TP } from './ControllerContext';
import type { ControllerEvent } from './ControllerEventManager';
import type { ControllerEpochInfo, PartitionStateMachine } from './PartitionStateMachine';
import type { PartitionAndReplica, ReplicaStateMachine } from './ReplicaStateMachine';
import { PartitionState, ReplicaState } from './states';

/** Per partition: NONE or Kafka's error name, and a message. */
export interface ReassignmentResult {
  error: ErrorName;
  message: string | null;
}

export interface PartitionReassignmentOptions {
  context: ControllerContext;
  zkClient: KafkaZk;
  psm: PartitionStateMachine;
  rsm: ReplicaStateMachine;
  epoch: () => ControllerEpochInfo;
  put: (event: ControllerEvent) => void;
  newBatch: () => ControllerBrokerRequestBatch;
  send: (batch: ControllerBrokerRequestBatch) => void;
  stateLog: Logger;
}

const distinct = (xs: readonly number[]): number[] => [...new Set(xs)];
const minus = (a: readonly number[], b: readonly number[]): number[] =>
  a.filter((x) => !b.includes(x));

export function originReplicas(a: ReplicaAssignment): number[] {
  return minus(a.replicas, a.addingReplicas);
}

export function targetReplicas(a: ReplicaAssignment): number[] {
  return minus(a.replicas, a.removingReplicas);
}

export function isBeingReassigned(a: ReplicaAssignment): boolean {
  return a.addingReplicas.length > 0 || a.removingReplicas.length > 0;
}

/** Kafka's ReplicaAssignment.reassignTo: RS = distinct(target ++ origin). */
export function reassignTo(
  current: ReplicaAssignment,
  target: readonly number[],
): ReplicaAssignment {
  const origin = originReplicas(current);
  const replicas = distinct([...target, ...origin]);
  return {
    replicas,
    addingReplicas: minus(replicas, origin),
    removingReplicas: minus(replicas, target),
  };
}

function sameAssignment(a: ReplicaAssignment, b: ReplicaAssignment): boolean {
  const eq = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    eq(a.replicas, b.replicas) &&
    eq(a.addingReplicas, b.addingReplicas) &&
    eq(a.removingReplicas, b.removingReplicas)
  );
}

export class PartitionReassignment {
  readonly stats = { started: 0, completed: 0 };

  constructor(private readonly o: PartitionReassignmentOptions) {}

  private get ctx(): ControllerContext {
    return this.o.context;
  }

  private readonly reassignWatcher = (): void => this.o.put({ type: 'ZkPartitionReassignment' });

  /** Failover (Kafka's initializePartitionReassignments): the ZooKeeper ones, then the API ones. */
  async onControllerFailover(): Promise<void> {
    const fromZk = await this.processZkPartitionReassignment();
    for (const k of [...this.ctx.partitionsBeingReassigned.keys()]) {
      if (fromZk.has(k)) continue;
      const tp = this.tpOf(k);
      if (!tp) continue;
      this.o.stateLog.info('resuming the reassignment of a partition after failover', {
        partition: k,
      });
      await this.onPartitionReassignment(tp, this.ctx.fullAssignment(tp));
    }
  }

  /** Kafka's onBrokerStartup part: reassignments with a replica on a returning broker go on. */
  async onBrokerStartup(ids: readonly number[]): Promise<void> {
    for (const k of [...this.ctx.partitionsBeingReassigned.keys()]) {
      const tp = this.tpOf(k);
      if (!tp) continue;
      const a = this.ctx.fullAssignment(tp);
      if (a.replicas.some((r) => ids.includes(r))) await this.onPartitionReassignment(tp, a);
    }
  }

  private tpOf(key: string): TP | undefined {
    for (const tp of this.ctx.allPartitions()) if (tpKey(tp) === key) return tp;
    return undefined;
  }

  /**
   * Kafka's processZkPartitionReassignment: the exists-watch on /admin/reassign_partitions
   * (set again every time); when it exists, each listed partition is reassigned (an API
   * reassignment of it is superseded); failures leave the znode. Returns the keys started.
   */
  async processZkPartitionReassignment(): Promise<Set<string>> {
    const started = new Set<string>();
    if (!(await this.o.zkClient.watchPartitionReassignment(this.reassignWatcher))) return started;
    const listed = await this.o.zkClient.getPartitionReassignment();
    const toReassign = new Map<string, { tp: TP; target: ReplicaAssignment }>();
    const failed = new Set<string>();
    for (const p of listed) {
      const tp = { topic: p.topic, partition: p.partition };
      const k = tpKey(p);
      toReassign.set(k, { tp, target: reassignTo(this.ctx.fullAssignment(tp), p.replicas) });
    }
    const results = await this.maybeTriggerPartitionReassignment([...toReassign.values()]);
    for (const [k, r] of results) {
      if (r.error === 'NONE') started.add(k);
      else failed.add(k);
    }
    if (failed.size > 0) {
      this.o.stateLog.warn('failed reassignments through ZooKeeper', {
        partitions: [...failed].join(','),
      });
      await this.maybeRemoveFromZkReassignment((k) => failed.has(k));
    }
    return started;
  }

  /**
   * AlterPartitionReassignments (Kafka's processApiPartitionReassignment): per
   * partition, `replicas` null cancels; a list is validated (non-empty, no duplicates,
   * no negative ids, new replicas on live brokers) and supersedes any reassignment of
   * that partition through ZooKeeper.
   */
  async alterPartitionReassignments(
    requests: ReadonlyArray<{ tp: TP; replicas: number[] | null }>,
  ): Promise<Map<string, ReassignmentResult>> {
    const results = new Map<string, ReassignmentResult>();
    const toReassign: Array<{ tp: TP; target: ReplicaAssignment }> = [];
    for (const { tp, replicas } of requests) {
      const k = tpKey(tp);
      const invalid = replicas ? this.validateReplicas(tp, replicas) : null;
      if (invalid) {
        results.set(k, { error: 'INVALID_REPLICA_ASSIGNMENT', message: invalid });
        continue;
      }
      const current = this.ctx.fullAssignment(tp);
      if (isBeingReassigned(current))
        toReassign.push({ tp, target: reassignTo(current, replicas ?? originReplicas(current)) });
      else if (replicas) toReassign.push({ tp, target: reassignTo(current, replicas) });
      else
        results.set(k, {
          error: 'NO_REASSIGNMENT_IN_PROGRESS',
          message: `no reassignment of ${k} is in progress`,
        });
    }
    const keys = new Set(toReassign.map((r) => tpKey(r.tp.topic, r.tp.partition)));
    await this.maybeRemoveFromZkReassignment((k) => keys.has(k));
    for (const [k, r] of await this.maybeTriggerPartitionReassignment(toReassign))
      results.set(k, r);
    return results;
  }

  /** ListPartitionReassignments: the partitions asked for (all when null) that are moving. */
  listPartitionReassignments(tps: TP[] | null): Array<{ tp: TP; assignment: ReplicaAssignment }> {
    const keys = tps ? tps.map((tp) => tpKey(tp)) : [...this.ctx.partitionsBeingReassigned.keys()];
    const out: Array<{ tp: TP; assignment: ReplicaAssignment }> = [];
    for (const k of keys) {
      if (!this.ctx.partitionsBeingReassigned.has(k)) continue;
      const tp = this.tpOf(k);
      if (tp) out.push({ tp, assignment: this.ctx.fullAssignment(tp) });
    }
    return out;
  }

  private validateReplicas(tp: TP, replicas: readonly number[]): string | null {
    if (replicas.length === 0) return 'Empty replica list specified in partition reassignment.';
    if (new Set(replicas).size !== replicas.length)
      return `Duplicate replica ids in partition reassignment replica list: [${replicas.join(',')}]`;
    if (replicas.some((r) => r < 0))
      return `Invalid broker id in replica list: [${replicas.join(',')}]`;
    const adding = reassignTo(this.ctx.fullAssignment(tp), replicas).addingReplicas;
    const live = this.ctx.liveBrokerIds();
    if (!adding.every((r) => live.includes(r)))
      return (
        `Replica assignment has brokers that are not alive. Replica list: [${adding.join(',')}], ` +
        `live broker list: [${live.join(',')}]`
      );
    return null;
  }

  /** Kafka's maybeTriggerPartitionReassignment. */
  private async maybeTriggerPartitionReassignment(
    list: ReadonlyArray<{ tp: TP; target: ReplicaAssignment }>,
  ): Promise<Map<string, ReassignmentResult>> {
    const results = new Map<string, ReassignmentResult>();
    for (const { tp, target } of list) {
      const k = tpKey(tp);
      if (this.ctx.topicsToBeDeleted.has(tp.topic) || this.ctx.replicasOf(tp).length === 0) {
        results.set(k, {
          error: 'UNKNOWN_TOPIC_OR_PARTITION',
          message: 'The partition does not exist.',
        });
        continue;
      }
      await this.onPartitionReassignment(tp, target);
      results.set(k, { error: 'NONE', message: null });
    }
    return results;
  }

  /** After an ISR change of a moving partition (AlterPartition, ISR notification). */
  async maybeCompleteReassignment(tp: TP): Promise<void> {
    if (!this.ctx.partitionsBeingReassigned.has(tpKey(tp))) return;
    const a = this.ctx.fullAssignment(tp);
    if (await this.isReassignmentComplete(tp, a)) {
      this.o.stateLog.info(
        `target replicas [${targetReplicas(a).join(',')}] have all caught up with the leader for reassigning partition ${tpKey(tp)}`,
      );
      await this.onPartitionReassignment(tp, a);
    }
  }

  private async isReassignmentComplete(tp: TP, a: ReplicaAssignment): Promise<boolean> {
    if (!isBeingReassigned(a)) return true;
    const st = (await this.o.zkClient.getTopicPartitionStates([tp])).get(tpKey(tp));
    if (!st) return false;
    this.ctx.partitionLeadershipInfo.set(tpKey(tp), st);
    return targetReplicas(a).every((r) => st.isr.includes(r));
  }

  /** Kafka's onPartitionReassignment (steps U, A, B in the header). */
  async onPartitionReassignment(tp: TP, reassignment: ReplicaAssignment): Promise<void> {
    const k = tpKey(tp);
    await this.updateCurrentReassignment(tp, reassignment);
    this.ctx.partitionsBeingReassigned.set(k, {
      addingReplicas: [...reassignment.addingReplicas],
      removingReplicas: [...reassignment.removingReplicas],
    });
    if (!(await this.isReassignmentComplete(tp, reassignment))) {
      // A1: leader_epoch + 1, LeaderAndIsr with the new RS to ORS and (isNew) AR
      await this.updateLeaderEpochAndSendRequest(tp, reassignment);
      // A2: AR → NewReplica
      const adding = reassignment.addingReplicas
        .map((replica) => ({ ...tp, replica }))
        .filter((r) => this.o.rsm.state(r) === ReplicaState.NonExistentReplica);
      this.o.rsm.handleStateChanges(adding, ReplicaState.NewReplica);
      return;
    }
    const batch = this.o.newBatch();
    // B1: AR → OnlineReplica
    this.o.rsm.handleStateChanges(
      this.movable(tp, reassignment.addingReplicas, ReplicaState.OnlineReplica),
      ReplicaState.OnlineReplica,
      batch,
    );
    // B2: RS = TRS in memory
    const completed: ReplicaAssignment = {
      replicas: targetReplicas(reassignment),
      addingReplicas: [],
      removingReplicas: [],
    };
    this.ctx.setFullAssignment(tp, completed);
    // B3: a new leader from TRS when the current one is outside it or dead
    await this.moveReassignedPartitionLeaderIfRequired(tp, completed, batch);
    this.o.send(batch);
    // B4, B5: RR → Offline (out of the ISR) → deleted
    await this.stopRemovedReplicasOfReassignedPartition(tp, reassignment.removingReplicas);
    // B6: the topic znode with RS = TRS, no AR/RR
    await this.updateReplicaAssignmentForPartition(tp, completed);
    // B7: out of the reassigning partitions and /admin/reassign_partitions
    this.ctx.partitionsBeingReassigned.delete(k);
    await this.maybeRemoveFromZkReassignment(
      (key, replicas) =>
        key === k &&
        replicas.length === completed.replicas.length &&
        replicas.every((r, i) => r === completed.replicas[i]),
    );
    // B8: every broker learns the new replicas and leader
    const um = this.o.newBatch();
    um.addUpdateMetadataRequestForBrokers(this.ctx.liveBrokerIds(), [tp]);
    this.o.send(um);
    this.stats.completed++;
    this.o.stateLog.info(`completed the reassignment of ${k}`, {
      replicas: completed.replicas.join(','),
    });
    // A deletion held back by this reassignment may go on (Kafka's resumeDeletionForTopics).
    if (this.ctx.topicsToBeDeleted.has(tp.topic)) this.o.put({ type: 'TopicDeletion' });
  }

  /** Replicas of `ids` on `tp` whose state may move to `target`. */
  private movable(tp: TP, ids: readonly number[], target: ReplicaState): PartitionAndReplica[] {
    const from: Record<string, ReplicaState[]> = {
      [ReplicaState.OnlineReplica]: [
        ReplicaState.NewReplica,
        ReplicaState.OnlineReplica,
        ReplicaState.OfflineReplica,
        ReplicaState.ReplicaDeletionIneligible,
      ],
      [ReplicaState.OfflineReplica]: [
        ReplicaState.NewReplica,
        ReplicaState.OnlineReplica,
        ReplicaState.OfflineReplica,
        ReplicaState.ReplicaDeletionIneligible,
      ],
    };
    return ids
      .map((replica) => ({ ...tp, replica }))
      .filter((r) => from[target].includes(this.o.rsm.state(r)));
  }

  /** Kafka's updateCurrentReassignment (U). */
  private async updateCurrentReassignment(tp: TP, reassignment: ReplicaAssignment): Promise<void> {
    const current = this.ctx.fullAssignment(tp);
    if (sameAssignment(current, reassignment)) return;
    await this.updateReplicaAssignmentForPartition(tp, reassignment);
    this.ctx.setFullAssignment(tp, reassignment);
    this.stats.started++;
    this.o.stateLog.info(`reassigning ${tpKey(tp)}`, {
      from: current.replicas.join(','),
      replicas: reassignment.replicas.join(','),
      adding: reassignment.addingReplicas.join(','),
      removing: reassignment.removingReplicas.join(','),
    });
    const unneeded = minus(current.replicas, reassignment.replicas);
    if (unneeded.length > 0) await this.stopRemovedReplicasOfReassignedPartition(tp, unneeded);
  }

  /** Kafka's updateReplicaAssignmentForPartition: the topic znode, fenced by our epoch. */
  private async updateReplicaAssignmentForPartition(
    tp: TP,
    assignment: ReplicaAssignment,
  ): Promise<void> {
    const partitions = new Map<number, ReplicaAssignment>();
    for (const p of this.ctx.partitionsOf(tp.topic))
      partitions.set(
        p.partition,
        p.partition === tp.partition ? assignment : this.ctx.fullAssignment(p),
      );
    await this.o.zkClient.setTopicAssignmentFenced(
      tp.topic,
      { topicId: this.ctx.topicIds.get(tp.topic) ?? null, partitions },
      this.o.epoch().epochZkVersion,
    );
  }

  /** Kafka's updateLeaderEpochAndSendRequest (A1, and B3 when the leader stays). */
  private async updateLeaderEpochAndSendRequest(tp: TP, a: ReplicaAssignment): Promise<void> {
    const r = await this.o.psm.updateLeaderAndIsr(tp, (cur) => ({
      leader: cur.leader,
      isr: cur.isr,
    }));
    if ('error' in r) {
      this.o.stateLog.error(
        `failed to send LeaderAndIsr with the new replica assignment to the leader of ${tpKey(tp)}: ${r.message}`,
      );
      return;
    }
    const batch = this.o.newBatch();
    batch.addLeaderAndIsrRequestForBrokers(
      originReplicas(a).filter((b) => this.ctx.isLive(b)),
      tp,
      false,
    );
    batch.addLeaderAndIsrRequestForBrokers(
      a.addingReplicas.filter((b) => this.ctx.isLive(b)),
      tp,
      true,
    );
    this.o.send(batch);
    this.o.stateLog.info('sent LeaderAndIsr with the new replica assignment', {
      partition: tpKey(tp),
      leader: r.state.leader,
      leaderEpoch: r.state.leaderEpoch,
      replicas: a.replicas.join(','),
    });
  }

  /** Kafka's moveReassignedPartitionLeaderIfRequired (B3). */
  private async moveReassignedPartitionLeaderIfRequired(
    tp: TP,
    completed: ReplicaAssignment,
    batch: ControllerBrokerRequestBatch,
  ): Promise<void> {
    const leader = this.ctx.leadership(tp)?.leader ?? -1;
    if (completed.replicas.includes(leader) && this.ctx.isReplicaOnline(leader)) {
      await this.updateLeaderEpochAndSendRequest(tp, completed);
      return;
    }
    if (this.o.psm.state(tp) === PartitionState.NonExistentPartition) return;
    const failures = await this.o.psm.handleStateChanges(
      [tp],
      PartitionState.OnlinePartition,
      batch,
      { kind: 'reassign', target: completed.replicas },
    );
    const f = failures.get(tpKey(tp));
    if (f)
      this.o.stateLog.warn(`could not move the leader of ${tpKey(tp)} into its new replicas`, {
        error: f.error,
        detail: f.message,
      });
  }

  /** Kafka's stopRemovedReplicasOfReassignedPartition (B4, B5). */
  private async stopRemovedReplicasOfReassignedPartition(
    tp: TP,
    removed: readonly number[],
  ): Promise<void> {
    if (removed.length === 0) return;
    const batch = this.o.newBatch();
    const replicas = this.movable(tp, removed, ReplicaState.OfflineReplica);
    this.o.rsm.handleStateChanges(replicas, ReplicaState.OfflineReplica);
    for (const r of replicas) await this.o.psm.removeReplicaFromIsr(tp, r.replica, batch);
    this.o.rsm.handleStateChanges(replicas, ReplicaState.ReplicaDeletionStarted, batch);
    this.o.rsm.handleStateChanges(replicas, ReplicaState.ReplicaDeletionSuccessful);
    this.o.rsm.handleStateChanges(replicas, ReplicaState.NonExistentReplica);
    this.o.send(batch);
  }

  /**
   * Kafka's maybeRemoveFromZkReassignment: drops the partitions `remove` picks from
   * /admin/reassign_partitions, deleting it when none is left; fenced.
   */
  private async maybeRemoveFromZkReassignment(
    remove: (key: string, replicas: readonly number[]) => boolean,
  ): Promise<void> {
    const listed: PartitionReplicas[] = await this.o.zkClient.getPartitionReassignment();
    if (listed.length === 0) return;
    const keep = listed.filter((p) => !remove(tpKey(p), p.replicas));
    if (keep.length === listed.length) return;
    await this.o.zkClient.setOrDeletePartitionReassignment(keep, this.o.epoch().epochZkVersion);
  }
}
