/**
 * Builders of small hand-made histories for the checker's unit tests (not part of the
 * package's public entry).
 */
import type {
  ClusterEvent,
  ExperimentConfig,
  FinalRead,
  History,
  ReplicaRecord,
  SendRecord,
} from '../history';

export function config(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    acks: -1,
    idempotence: true,
    retries: 2147483647,
    minInsyncReplicas: 2,
    uncleanLeaderElection: false,
    isrPath: 'alter-partition',
    replicationFactor: 3,
    partitions: 1,
    brokers: 3,
    zookeeperNodes: 1,
    sessionTimeoutMs: 6000,
    ...over,
  };
}

export type HistoryParts = Partial<Omit<History, 'meta'>> & {
  config?: Partial<ExperimentConfig>;
};

export function history(parts: HistoryParts = {}): History {
  const { config: c, ...rest } = parts;
  return {
    meta: {
      scenario: 'test',
      seed: 1,
      config: config(c),
      topic: 't',
      group: 'g',
      startedAt: 0,
      durationMs: 10000,
      version: '0.1.0',
    },
    sends: [],
    consumes: [],
    commits: [],
    faults: [],
    cluster: [],
    finalReads: [],
    samples: [],
    healedAt: 20000,
    ...rest,
  };
}

/** An acknowledged send of `v<id>` at `offset`, by default to partition 0 through broker 1. */
export function ok(id: number, offset: number, over: Partial<SendRecord> = {}): SendRecord {
  return {
    id,
    key: 'k',
    seq: id,
    partition: 0,
    tSend: id * 10,
    tDone: id * 10 + 5,
    outcome: 'ok',
    offset,
    leader: 1,
    ...over,
  };
}

export function failed(id: number, over: Partial<SendRecord> = {}): SendRecord {
  return {
    id,
    key: 'k',
    seq: id,
    partition: 0,
    tSend: id * 10,
    tDone: id * 10 + 5,
    outcome: 'fail',
    error: 'NOT_ENOUGH_REPLICAS',
    ...over,
  };
}

export function unknown(id: number, over: Partial<SendRecord> = {}): SendRecord {
  return { id, key: 'k', seq: id, partition: 0, tSend: id * 10, outcome: 'unknown', ...over };
}

/**
 * A replica's final read. `values[i]` sits at offset i (null leaves a hole); a value is
 * `v<id>` with key `k` and leader epoch 0 unless given as a full record.
 */
export function read(
  brokerId: number,
  values: (string | Partial<ReplicaRecord> | null)[],
  over: Partial<FinalRead> = {},
): FinalRead {
  const records: ReplicaRecord[] = [];
  values.forEach((v, offset) => {
    if (v === null) return;
    if (typeof v === 'string') records.push({ offset, key: 'k', value: v, leaderEpoch: 0 });
    else records.push({ offset, key: 'k', value: '', leaderEpoch: 0, ...v });
  });
  return {
    brokerId,
    partition: 0,
    highWatermark: values.length,
    logEndOffset: values.length,
    logStartOffset: 0,
    records,
    ...over,
  };
}

export function state(
  t: number,
  leader: number,
  leaderEpoch: number,
  isr: number[],
  over: Partial<Extract<ClusterEvent, { type: 'partition-state' }>> = {},
): ClusterEvent {
  return {
    t,
    type: 'partition-state',
    partition: 0,
    leader,
    leaderEpoch,
    isr,
    controllerEpoch: 1,
    unclean: false,
    ...over,
  };
}
