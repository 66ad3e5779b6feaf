/**
 * The final state of each partition, from the history's final reads and the last
 * partition-state event: the reference replica (the final leader), its high watermark,
 * the committed log below it, and where each value sits on any replica below it.
 */
import type { FaultEvent, FinalRead, History, ReplicaRecord } from '../history';
import type { PartitionStateEvent } from './types';

export interface FinalLog {
  partition: number;
  /** Every replica's final read of this partition. */
  reads: FinalRead[];
  /** The final leader's read, else the read with the highest high watermark. */
  reference: FinalRead | undefined;
  /** The reference's high watermark: records at offsets below it are committed. */
  highWatermark: number;
  /** The reference's log start offset: below it, retention deleted the records. */
  logStartOffset: number;
  finalLeader: number | null;
  finalIsr: number[];
  /** The reference's records in [logStartOffset, highWatermark), in offset order. */
  committed: ReplicaRecord[];
  /** Value -> offsets where a replica of the final ISR holds it below the high watermark. */
  present: Map<string, number[]>;
  /** Value -> replicas of the final ISR that hold it at or above the high watermark. */
  aboveHighWatermark: Map<string, { brokerId: number; offset: number }[]>;
  /** Value -> replicas outside the final ISR that hold it (at any offset). */
  outsideIsr: Map<string, { brokerId: number; offset: number }[]>;
  /** The reference's committed records by offset. */
  committedAt: Map<number, ReplicaRecord>;
}

function note(
  index: Map<string, { brokerId: number; offset: number }[]>,
  value: string,
  brokerId: number,
  offset: number,
): void {
  const list = index.get(value) ?? [];
  list.push({ brokerId, offset });
  index.set(value, list);
}

/** The value the workload writes for send `id`. */
export function valueOf(id: number): string {
  return `v${id}`;
}

/** The send id a value names, or undefined when it is not a workload value. */
export function idOf(value: string): number | undefined {
  const m = /^v(\d+)$/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** Events sorted by time, ties kept in the order the history lists them. */
export function byTime<T extends { t: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.t - b.t);
}

export function partitionStates(history: History): PartitionStateEvent[] {
  return byTime(
    history.cluster.filter((e): e is PartitionStateEvent => e.type === 'partition-state'),
  );
}

/** Partition numbers the run touched: the topic's partitions plus any seen in the history. */
export function partitionsOf(history: History): number[] {
  const set = new Set<number>();
  for (let p = 0; p < history.meta.config.partitions; p++) set.add(p);
  for (const s of history.sends) set.add(s.partition);
  for (const r of history.finalReads) set.add(r.partition);
  for (const e of history.cluster) if ('partition' in e) set.add(e.partition);
  return [...set].sort((a, b) => a - b);
}

export function buildFinalLogs(history: History): Map<number, FinalLog> {
  const states = partitionStates(history);
  const out = new Map<number, FinalLog>();
  for (const partition of partitionsOf(history)) {
    const reads = history.finalReads
      .filter((r) => r.partition === partition)
      .sort((a, b) => a.brokerId - b.brokerId);
    const last = states.filter((s) => s.partition === partition).at(-1);
    const finalLeader = last && last.leader >= 0 ? last.leader : null;
    const finalIsr = last ? [...last.isr].sort((a, b) => a - b) : [];
    const reference =
      reads.find((r) => r.brokerId === finalLeader) ??
      reads.reduce<FinalRead | undefined>(
        (best, r) => (!best || r.highWatermark > best.highWatermark ? r : best),
        undefined,
      );
    const highWatermark = reference?.highWatermark ?? 0;
    const logStartOffset = reference?.logStartOffset ?? 0;
    const committed = (reference?.records ?? [])
      .filter((r) => r.offset >= logStartOffset && r.offset < highWatermark)
      .sort((a, b) => a.offset - b.offset);
    const present = new Map<string, number[]>();
    const aboveHighWatermark = new Map<string, { brokerId: number; offset: number }[]>();
    const outsideIsr = new Map<string, { brokerId: number; offset: number }[]>();
    for (const read of reads) {
      // a replica outside the final ISR (a stale or diverged copy) does not make a record present
      const inSync =
        read === reference || finalIsr.length === 0 || finalIsr.includes(read.brokerId);
      for (const rec of read.records) {
        if (!inSync) {
          note(outsideIsr, rec.value, read.brokerId, rec.offset);
          continue;
        }
        if (rec.offset >= highWatermark) {
          note(aboveHighWatermark, rec.value, read.brokerId, rec.offset);
          continue;
        }
        const offsets = present.get(rec.value) ?? [];
        if (!offsets.includes(rec.offset)) offsets.push(rec.offset);
        present.set(rec.value, offsets);
      }
    }
    for (const offsets of present.values()) offsets.sort((a, b) => a - b);
    out.set(partition, {
      partition,
      reads,
      reference,
      highWatermark,
      logStartOffset,
      finalLeader,
      finalIsr,
      committed,
      present,
      aboveHighWatermark,
      outsideIsr,
      committedAt: new Map(committed.map((r) => [r.offset, r])),
    });
  }
  return out;
}

/**
 * Fault starts that really fired, by time: the runner records a schedule entry whose
 * target could not be resolved with target `none`, and the final heal as kind `heal`.
 */
export function firedFaults(history: History): FaultEvent[] {
  return byTime(
    history.faults.filter((f) => f.phase === 'start' && f.kind !== 'heal' && f.target !== 'none'),
  );
}
