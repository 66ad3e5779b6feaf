/**
 * The history of one experiment run: everything the workload sent and saw, every fault,
 * what the cluster itself did, and a final read of every replica. The runner writes it
 * (as `history.json` in the report directory), the checker reads it and nothing else, so
 * a run can be checked again, or a checker change replayed, from the file alone.
 *
 * Times are milliseconds since the run started (`meta.startedAt` is the wall clock of
 * t = 0), so histories compare across runs and seeds.
 */

/** The configuration under test, in Kafka's names where Kafka has one. */
export interface ExperimentConfig {
  /** `acks`: 0, 1 or -1 (all). */
  acks: 0 | 1 | -1;
  /** Producer `enable.idempotence`. */
  idempotence: boolean;
  /** Producer `retries` (Kafka's default is 2147483647). */
  retries: number;
  /** Topic `min.insync.replicas`. */
  minInsyncReplicas: number;
  /** Topic `unclean.leader.election.enable`. */
  uncleanLeaderElection: boolean;
  /** How leaders change the ISR: the AlterPartition request (2.7+) or their own ZooKeeper writes. */
  isrPath: 'alter-partition' | 'zookeeper';
  replicationFactor: number;
  partitions: number;
  brokers: number;
  /** ZooKeeper servers: 1 (standalone) or 3 (ensemble). */
  zookeeperNodes: number;
  /** Broker `zookeeper.session.timeout.ms` used for the run. */
  sessionTimeoutMs: number;
}

export interface HistoryMeta {
  scenario: string;
  seed: number;
  config: ExperimentConfig;
  topic: string;
  group: string;
  /** Wall-clock time (epoch ms) of t = 0. */
  startedAt: number;
  /** Planned duration of the fault phase. */
  durationMs: number;
  /** kzoo version that ran it. */
  version: string;
}

/**
 * One producer send. Values are unique per run; within a key, `seq` increases by one per
 * send, so the checker can tell loss, duplication and reordering per key.
 */
export interface SendRecord {
  /** Unique per run, also the record's value (as the decimal string `v<id>`). */
  id: number;
  key: string;
  /** Position of this send in its key's sequence: 0, 1, 2, ... */
  seq: number;
  partition: number;
  /** When send() was called. */
  tSend: number;
  /** When the outcome was known (absent for `unknown`). */
  tDone?: number;
  /**
   * `ok`: acknowledged, with its offset (acks=0 gives no offset: -1).
   * `fail`: the producer reported a definite error (`error` holds Kafka's error name).
   * `unknown`: no answer before the run ended or the delivery timeout with a retriable
   * error: it may or may not have been written (Jepsen's "info" operations).
   */
  outcome: 'ok' | 'fail' | 'unknown';
  offset?: number;
  error?: string;
  /** Which broker was leader (per the producer's metadata) when it was acknowledged. */
  leader?: number;
}

/** One record a consumer in the group received. */
export interface ConsumeRecord {
  t: number;
  /** The group member (client id) that received it. */
  member: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

/** An offset the group committed (as observed by the workload after the commit succeeded). */
export interface CommitRecord {
  t: number;
  member: string;
  partition: number;
  offset: number;
}

/** A fault as it started or ended, with the target resolved at the moment it fired. */
export interface FaultEvent {
  t: number;
  phase: 'start' | 'end';
  /** The fault kind: kill, pause, resume, stop, restart, partition, drop, delay, heal, zk-kill, ... */
  kind: string;
  /** The target as the schedule named it: "leader of t-0", "the controller", ... */
  role: string;
  /** What it resolved to: "broker 2", "zookeeper 1", "link broker 1 -> zookeeper". */
  target: string;
  detail?: string;
}

/**
 * What the cluster did, as seen in ZooKeeper (partition state znodes, /controller,
 * /controller_epoch) and in the brokers' own logs (elections, truncations).
 */
export type ClusterEvent =
  | {
      t: number;
      type: 'partition-state';
      partition: number;
      leader: number;
      leaderEpoch: number;
      isr: number[];
      controllerEpoch: number;
      /** The new leader was not in the previous ISR. */
      unclean: boolean;
    }
  | { t: number; type: 'controller'; brokerId: number; controllerEpoch: number }
  | { t: number; type: 'broker-registered' | 'broker-deregistered'; brokerId: number }
  | {
      t: number;
      type: 'truncation';
      brokerId: number;
      partition: number;
      /** The log end offset before and after the truncation. */
      fromOffset: number;
      toOffset: number;
      leaderEpoch?: number;
    }
  | { t: number; type: 'log'; brokerId: number; level: string; message: string };

/** One record as read back from one replica's log after the cluster healed. */
export interface ReplicaRecord {
  offset: number;
  key: string;
  value: string;
  /** The partition leader epoch stamped on the record's batch. */
  leaderEpoch: number;
}

/** The final read of one partition on one replica. */
export interface FinalRead {
  brokerId: number;
  partition: number;
  highWatermark: number;
  logEndOffset: number;
  logStartOffset: number;
  records: ReplicaRecord[];
}

/** Throughput and errors over time, one sample per second of the run. */
export interface WorkloadSample {
  t: number;
  sent: number;
  acked: number;
  failed: number;
  consumed: number;
}

export interface History {
  meta: HistoryMeta;
  sends: SendRecord[];
  consumes: ConsumeRecord[];
  commits: CommitRecord[];
  faults: FaultEvent[];
  cluster: ClusterEvent[];
  finalReads: FinalRead[];
  samples: WorkloadSample[];
  /** When every fault was healed, every broker was back and every ISR full (absent if never). */
  healedAt?: number;
}
