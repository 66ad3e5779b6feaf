/**
 * Leader election rules (Kafka's `Election.scala` / `PartitionLeaderElectionAlgorithms`),
 * as pure functions over a partition's assignment (preference order), its ISR and which
 * brokers count as live. Each returns the new leader and ISR, or null when no replica
 * may lead (the partition then stays as it is).
 */

export interface ElectionOutcome {
  leader: number;
  isr: number[];
  /** The leader was not in the ISR (an unclean election). */
  unclean: boolean;
}

/**
 * OfflinePartition: the first replica in assignment order that is live and in the ISR;
 * else, when `uncleanEnabled()` says so, the first live replica (new ISR = [leader]).
 * A clean leader keeps the old ISR order, filtered to live replicas. `uncleanEnabled`
 * is called only when no ISR member is live (Kafka reads the topic config only then).
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (id: number) => boolean,
  uncleanEnabled: () => boolean,
): ElectionOutcome | null {
  const clean = assignment.find((r) => isLive(r) && isr.includes(r));
  if (clean !== undefined)
    return { leader: clean, isr: isr.filter((r) => isLive(r)), unclean: false };
  const live = assignment.find((r) => isLive(r));
  if (live === undefined || !uncleanEnabled()) return null;
  return { leader: live, isr: [live], unclean: true };
}

/** PreferredReplica: the first assigned replica, only if it is live and in the ISR; ISR unchanged. */
export function preferredReplicaPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (id: number) => boolean,
): ElectionOutcome | null {
  const preferred = assignment[0];
  if (preferred === undefined || !isLive(preferred) || !isr.includes(preferred)) return null;
  return { leader: preferred, isr: [...isr], unclean: false };
}

/**
 * ReassignPartition (Kafka's reassignPartitionLeaderElection): the first replica of the
 * target assignment that is live and in the ISR; ISR unchanged.
 */
export function reassignPartitionLeaderElection(
  target: readonly number[],
  isr: readonly number[],
  isLive: (id: number) => boolean,
): ElectionOutcome | null {
  const leader = target.find((id) => isLive(id) && isr.includes(id));
  return leader === undefined ? null : { leader, isr: [...isr], unclean: false };
}

/**
 * ControlledShutdown: the first assigned replica that is live (or shutting down), in the
 * ISR and not shutting down; the new ISR drops the shutting-down brokers.
 */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLiveOrShuttingDown: (id: number) => boolean,
  shuttingDown: ReadonlySet<number>,
): ElectionOutcome | null {
  const leader = assignment.find(
    (r) => isLiveOrShuttingDown(r) && isr.includes(r) && !shuttingDown.has(r),
  );
  if (leader === undefined) return null;
  return { leader, isr: isr.filter((r) => !shuttingDown.has(r)), unclean: false };
}

/**
 * OfflineReplica's ISR removal (Kafka's `doRemoveReplicasFromIsr`): a leader that is
 * removed becomes -1; the ISR loses the replica unless it is the last member, so the ISR
 * in ZooKeeper is never empty. Null when the replica is not in the ISR (nothing to write).
 */
export function removeReplicaFromIsr(
  leader: number,
  isr: readonly number[],
  replica: number,
): { leader: number; isr: number[] } | null {
  if (!isr.includes(replica)) return leader === replica ? { leader: -1, isr: [...isr] } : null;
  return {
    leader: leader === replica ? -1 : leader,
    isr: isr.length === 1 ? [...isr] : isr.filter((r) => r !== replica),
  };
}
