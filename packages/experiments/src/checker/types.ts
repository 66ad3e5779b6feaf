/**
 * What the checker says about one run: the anomalies it found in the history, per
 * partition availability, and the verdict against what the configuration promises.
 * Definitions of each anomaly are in packages/experiments/README.md ("The checker").
 */
import type { ClusterEvent, ExperimentConfig } from '../history';

/** Partition state in force at some moment, from the `partition-state` events. */
export type PartitionStateEvent = Extract<ClusterEvent, { type: 'partition-state' }>;
export type TruncationEvent = Extract<ClusterEvent, { type: 'truncation' }>;

/** The election that took leadership away from the broker that acknowledged a lost record. */
export interface ElectionInfo {
  t: number;
  partition: number;
  leader: number;
  leaderEpoch: number;
  controllerEpoch: number;
  unclean: boolean;
  /** The ISR in force just before this election. */
  previousIsr: number[];
}

/** Why a lost record was lost, from the cluster's own events. */
export interface LossExplanation {
  /** The broker that acknowledged it (`send.leader`), when the workload knew it. */
  ackedBy?: number;
  /** The leader epoch in force (per ZooKeeper) when it was acknowledged. */
  ackLeaderEpoch?: number;
  /** The broker ZooKeeper named leader when it was acknowledged. */
  zkLeaderAtAck?: number;
  /** True when `ackedBy` was no longer the leader per ZooKeeper: a zombie acknowledged it. */
  zombie: boolean;
  /** The election that replaced the acknowledging leader (first after the ack, or the one a zombie missed). */
  election?: ElectionInfo;
  /** The truncation that dropped it: on the acknowledging broker first, else any broker. */
  truncation?: TruncationEvent;
  /** The last fault that started before the election (or before the ack when there was no election). */
  fault?: { t: number; kind: string; role: string; target: string };
  /** Replicas of the final ISR that still hold it above the final high watermark. */
  aboveHighWatermark: { brokerId: number; offset: number }[];
  /** Replicas outside the final ISR that still hold it. */
  outsideIsr: { brokerId: number; offset: number }[];
  /** One sentence, as a Kafka engineer would say it. */
  text: string;
}

/** An acknowledged record absent from the final log. */
export interface LostRecord {
  id: number;
  value: string;
  key: string;
  seq: number;
  partition: number;
  /** The acknowledged offset (-1 with acks=0). */
  offset: number;
  tSend: number;
  tDone: number;
  /** Whether a consumer in the group received it before it vanished. */
  consumed: boolean;
  explanation: LossExplanation;
}

/** Lost records that share one explanation: the same leader, epoch, election and truncation. */
export interface LossCause {
  partition: number;
  count: number;
  /** The lowest and highest acknowledged offsets among them (-1 with acks=0). */
  firstOffset: number;
  lastOffset: number;
  /** When the first and the last of them were acknowledged. */
  firstAckT: number;
  lastAckT: number;
  /** The explanation, with the offset range in place of one offset. */
  text: string;
}

/** A record a consumer received that is absent from the final log. */
export interface ConsumerObservedLoss {
  value: string;
  key: string;
  partition: number;
  /** The offset at which it was consumed. */
  offset: number;
  /** First time it was consumed. */
  t: number;
  member: string;
  /** The send's outcome (`undefined` when the value was never sent). */
  outcome?: 'ok' | 'fail' | 'unknown';
}

/** One value at two or more offsets of the final log. */
export interface DuplicateRecord {
  value: string;
  key: string;
  partition: number;
  offsets: number[];
}

/** Within one key, an acknowledged send that sits in the log after one with a higher seq. */
export interface ReorderedRecord {
  key: string;
  partition: number;
  /** The record out of place. */
  seq: number;
  offset: number;
  /** The highest seq found before it in log order, and where. */
  afterSeq: number;
  afterOffset: number;
}

/** A record that matches no send (unknown id, or sent with another key or partition). */
export interface PhantomRecord {
  value: string;
  key: string;
  partition: number;
  offset: number;
  /** Where it was seen: a replica's final read or a consumer. */
  where: { brokerId: number } | { member: string };
  reason: string;
}

/** A send reported as failed whose value is nevertheless in the final log. */
export interface FailedButPresent {
  id: number;
  key: string;
  seq: number;
  partition: number;
  offset: number;
  error?: string;
}

/** Replicas of the final ISR that disagree at one offset below the high watermark. */
export interface Divergence {
  partition: number;
  offset: number;
  /** What each replica holds there (null: nothing at that offset). */
  replicas: { brokerId: number; value: string | null; leaderEpoch: number | null }[];
}

/**
 * An offset that the producer was told (an acknowledgement) or a consumer read, holding
 * another value in the final log (Jepsen's inconsistent offsets).
 */
export interface InconsistentOffset {
  partition: number;
  offset: number;
  /** The value acknowledged or consumed at that offset. */
  expected: string;
  /** What the final log holds there. */
  found: string | null;
  source: 'ack' | 'consume';
  /** The consumer that read it (source `consume`). */
  member?: string;
}

/** A committed offset lower than the group's previous commit for the partition. */
export interface CommitRegression {
  partition: number;
  t: number;
  member: string;
  offset: number;
  previousOffset: number;
  previousT: number;
  previousMember: string;
}

export interface UnavailabilityWindow {
  /** `no-ack`: sends were attempted and none succeeded; `no-leader`: ZooKeeper named no live leader. */
  kind: 'no-ack' | 'no-leader';
  start: number;
  end: number;
  /** True when the window had not closed by the end of the history. */
  open: boolean;
}

/** Time from a fault's start to the next new leader of an affected partition. */
export interface Failover {
  faultT: number;
  fault: string;
  partition: number;
  fromLeader: number;
  toLeader: number;
  leaderEpoch: number;
  unclean: boolean;
  /** When the new leader appeared in ZooKeeper. */
  t: number;
  ms: number;
}

export interface PartitionSummary {
  partition: number;
  sent: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  lost: number;
  duplicated: number;
  /** The final committed log: the reference replica and its high watermark. */
  finalLeader: number | null;
  finalHighWatermark: number | null;
  finalIsr: number[];
  /** Leader changes over the run (partition-state events with a new leader). */
  leaderChanges: number;
  unavailability: UnavailabilityWindow[];
  /** Sum of the windows' lengths, overlaps counted once. */
  unavailableMs: number;
  failovers: Failover[];
}

/** An expectation of the configuration under test, and whether the run kept it. */
export interface Expectation {
  id:
    | 'no-acknowledged-loss'
    | 'no-consumer-observed-loss'
    | 'no-duplicates'
    | 'no-reorder'
    | 'no-phantoms'
    | 'replicas-agree'
    | 'consistent-offsets'
    | 'commits-monotonic'
    | 'final-read-complete'
    | 'healed';
  description: string;
  /** Whether the configuration promises it. When false, a breach is reported, not a violation. */
  applies: boolean;
  /** Why it applies or not, from the configuration. */
  because: string;
  /** The number of anomalies against it. */
  count: number;
  held: boolean;
}

export interface CheckCounts {
  sends: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  lost: number;
  consumerObservedLoss: number;
  duplicated: number;
  reordered: number;
  phantoms: number;
  failedButPresent: number;
  /** `unknown` sends whose value is in the final log. */
  unknownPresent: number;
  /** Acknowledged, in the final log, and never consumed (Jepsen's "unseen"). */
  unseen: number;
  /** Acknowledged records older than the log start offset: deleted by retention, not checkable. */
  beyondRetention: number;
  divergences: number;
  inconsistentOffsets: number;
  commitRegressions: number;
  consumed: number;
}

export interface CheckResult {
  /** True when every expectation that applies held. */
  ok: boolean;
  scenario: string;
  seed: number;
  config: ExperimentConfig;
  counts: CheckCounts;
  lost: LostRecord[];
  /** The lost records grouped by explanation, largest group first. */
  lossCauses: LossCause[];
  consumerObservedLoss: ConsumerObservedLoss[];
  duplicates: DuplicateRecord[];
  reordered: ReorderedRecord[];
  phantoms: PhantomRecord[];
  failedButPresent: FailedButPresent[];
  divergences: Divergence[];
  inconsistentOffsets: InconsistentOffset[];
  commitRegressions: CommitRegression[];
  partitions: PartitionSummary[];
  expectations: Expectation[];
  /** One sentence per violated expectation. */
  violations: string[];
  /** Things that make the result less certain (no heal, missing reads, ...). */
  warnings: string[];
}

export interface CheckOptions {
  /**
   * A send that waits at least this long for any send to its partition to succeed opens
   * an unavailability window (default 1000 ms).
   */
  minUnavailableMs?: number;
}
