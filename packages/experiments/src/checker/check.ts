/**
 * `check(history)`: reads one run's history and says what happened — lost, duplicated,
 * reordered and phantom records, diverging replicas, committed offsets going backwards,
 * per partition availability — and gives the verdict. Pure and deterministic.
 */
import type { History, SendRecord } from '../history';
import { coveredMs, endOf, failovers, noAckWindows, noLeaderWindows } from './availability';
import { explainLoss, lossCauses } from './explain';
import { expectations, violationsOf } from './expectations';
import {
  buildFinalLogs,
  byTime,
  firedFaults,
  idOf,
  partitionStates,
  valueOf,
  type FinalLog,
} from './final-log';
import type {
  CheckOptions,
  CheckResult,
  CommitRegression,
  ConsumerObservedLoss,
  Divergence,
  DuplicateRecord,
  FailedButPresent,
  InconsistentOffset,
  LostRecord,
  PartitionSummary,
  PhantomRecord,
  ReorderedRecord,
  TruncationEvent,
} from './types';

export const DEFAULT_MIN_UNAVAILABLE_MS = 1000;

function sameRecord(
  a: { value: string; leaderEpoch: number } | undefined,
  b: { value: string; leaderEpoch: number } | undefined,
): boolean {
  if (!a || !b) return a === b;
  return a.value === b.value && a.leaderEpoch === b.leaderEpoch;
}

function divergences(log: FinalLog): Divergence[] {
  const isr = log.finalIsr.length > 0 ? log.finalIsr : log.reads.map((r) => r.brokerId);
  const reads = log.reads.filter((r) => isr.includes(r.brokerId));
  if (reads.length < 2) return [];
  const from = Math.max(...reads.map((r) => r.logStartOffset));
  const byOffset = reads.map((r) => new Map(r.records.map((rec) => [rec.offset, rec])));
  const out: Divergence[] = [];
  for (let offset = from; offset < log.highWatermark; offset++) {
    const recs = byOffset.map((m) => m.get(offset));
    if (recs.every((r) => sameRecord(r, recs[0]))) continue;
    out.push({
      partition: log.partition,
      offset,
      replicas: reads.map((r, i) => ({
        brokerId: r.brokerId,
        value: recs[i]?.value ?? null,
        leaderEpoch: recs[i]?.leaderEpoch ?? null,
      })),
    });
  }
  return out;
}

function duplicates(log: FinalLog): DuplicateRecord[] {
  const at = new Map<string, { key: string; offsets: number[] }>();
  for (const rec of log.committed) {
    const e = at.get(rec.value) ?? { key: rec.key, offsets: [] };
    e.offsets.push(rec.offset);
    at.set(rec.value, e);
  }
  return [...at]
    .filter(([, e]) => e.offsets.length > 1)
    .map(([value, e]) => ({ value, key: e.key, partition: log.partition, offsets: e.offsets }));
}

function reorders(log: FinalLog, sendsById: Map<number, SendRecord>): ReorderedRecord[] {
  const maxByKey = new Map<string, { seq: number; offset: number }>();
  const seen = new Set<string>();
  const out: ReorderedRecord[] = [];
  for (const rec of log.committed) {
    if (seen.has(rec.value)) continue; // a duplicate is reported as such, not as a reorder
    seen.add(rec.value);
    const id = idOf(rec.value);
    const send = id === undefined ? undefined : sendsById.get(id);
    if (!send || send.outcome !== 'ok' || send.key !== rec.key) continue;
    const max = maxByKey.get(rec.key);
    if (max && send.seq < max.seq) {
      out.push({
        key: rec.key,
        partition: log.partition,
        seq: send.seq,
        offset: rec.offset,
        afterSeq: max.seq,
        afterOffset: max.offset,
      });
    } else maxByKey.set(rec.key, { seq: send.seq, offset: rec.offset });
  }
  return out;
}

function inconsistentOffsets(history: History, logs: Map<number, FinalLog>): InconsistentOffset[] {
  const out: InconsistentOffset[] = [];
  const seen = new Set<string>();
  const judge = (
    partition: number,
    offset: number,
    expected: string,
    source: 'ack' | 'consume',
    member?: string,
  ) => {
    const log = logs.get(partition);
    if (!log || !log.reference || offset < log.logStartOffset || offset >= log.highWatermark)
      return;
    const found = log.committedAt.get(offset)?.value ?? null;
    const k = `${partition}/${offset}/${expected}/${source}`;
    if (found === expected || seen.has(k)) return;
    seen.add(k);
    out.push({ partition, offset, expected, found, source, ...(member ? { member } : {}) });
  };
  for (const s of history.sends)
    if (s.outcome === 'ok' && s.offset !== undefined && s.offset >= 0)
      judge(s.partition, s.offset, valueOf(s.id), 'ack');
  for (const c of [...history.consumes].sort((a, b) => a.t - b.t))
    judge(c.partition, c.offset, c.value, 'consume', c.member);
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function commitRegressions(history: History): CommitRegression[] {
  const out: CommitRegression[] = [];
  const last = new Map<number, { offset: number; t: number; member: string }>();
  for (const c of [...history.commits].sort((a, b) => a.t - b.t)) {
    const prev = last.get(c.partition);
    if (prev && c.offset < prev.offset) {
      out.push({
        partition: c.partition,
        t: c.t,
        member: c.member,
        offset: c.offset,
        previousOffset: prev.offset,
        previousT: prev.t,
        previousMember: prev.member,
      });
    }
    last.set(c.partition, { offset: c.offset, t: c.t, member: c.member });
  }
  return out;
}

export function check(history: History, options: CheckOptions = {}): CheckResult {
  const minUnavailableMs = options.minUnavailableMs ?? DEFAULT_MIN_UNAVAILABLE_MS;
  const logs = buildFinalLogs(history);
  const states = partitionStates(history);
  const statesOf = new Map<number, typeof states>();
  for (const s of states) {
    const list = statesOf.get(s.partition) ?? [];
    list.push(s);
    statesOf.set(s.partition, list);
  }
  const truncations = byTime(
    history.cluster.filter((e): e is TruncationEvent => e.type === 'truncation'),
  );
  const faults = firedFaults(history);
  const end = endOf(history);
  const sendsById = new Map(history.sends.map((s) => [s.id, s]));
  const consumedValues = new Set(history.consumes.map((c) => c.value));
  const warnings: string[] = [];

  const isPresent = (log: FinalLog, value: string) => log.present.has(value);
  const readable = (p: number) => (logs.get(p)?.reads.length ?? 0) > 0;

  const lost: LostRecord[] = [];
  const failedButPresent: FailedButPresent[] = [];
  let unknownPresent = 0;
  let unseen = 0;
  let beyondRetention = 0;
  for (const s of history.sends) {
    const log = logs.get(s.partition);
    if (!log || !readable(s.partition)) continue;
    const value = valueOf(s.id);
    const present = isPresent(log, value);
    if (s.outcome === 'ok') {
      if (!present && s.offset !== undefined && s.offset >= 0 && s.offset < log.logStartOffset) {
        beyondRetention++;
      } else if (!present) {
        lost.push({
          id: s.id,
          value,
          key: s.key,
          seq: s.seq,
          partition: s.partition,
          offset: s.offset ?? -1,
          tSend: s.tSend,
          tDone: s.tDone ?? s.tSend,
          consumed: consumedValues.has(value),
          explanation: explainLoss(s, {
            history,
            states: statesOf.get(s.partition) ?? [],
            truncations: truncations.filter((e) => e.partition === s.partition),
            faults,
            finalLog: log,
          }),
        });
      } else if (!consumedValues.has(value)) unseen++;
    } else if (s.outcome === 'fail' && present) {
      failedButPresent.push({
        id: s.id,
        key: s.key,
        seq: s.seq,
        partition: s.partition,
        offset: (log.present.get(value) ?? [-1])[0],
        error: s.error,
      });
    } else if (s.outcome === 'unknown' && present) unknownPresent++;
  }

  const consumerObservedLoss: ConsumerObservedLoss[] = [];
  const reportedConsumed = new Set<string>();
  for (const c of [...history.consumes].sort((a, b) => a.t - b.t)) {
    const log = logs.get(c.partition);
    if (!log || !readable(c.partition) || reportedConsumed.has(c.value)) continue;
    if (isPresent(log, c.value) || c.offset < log.logStartOffset) continue;
    reportedConsumed.add(c.value);
    const id = idOf(c.value);
    consumerObservedLoss.push({
      value: c.value,
      key: c.key,
      partition: c.partition,
      offset: c.offset,
      t: c.t,
      member: c.member,
      outcome: id === undefined ? undefined : sendsById.get(id)?.outcome,
    });
  }

  consumerObservedLoss.sort(
    (a, b) => a.partition - b.partition || a.offset - b.offset || a.t - b.t,
  );

  const phantoms: PhantomRecord[] = [];
  const phantomSeen = new Set<string>();
  const phantomReason = (value: string, key: string, partition: number): string | undefined => {
    const id = idOf(value);
    const send = id === undefined ? undefined : sendsById.get(id);
    if (!send) return `no send wrote ${JSON.stringify(value)}`;
    if (send.key !== key)
      return `sent with key ${JSON.stringify(send.key)}, found with key ${JSON.stringify(key)}`;
    if (send.partition !== partition) return `sent to partition ${send.partition}`;
    return undefined;
  };
  const notePhantom = (
    value: string,
    key: string,
    partition: number,
    offset: number,
    where: PhantomRecord['where'],
  ) => {
    const reason = phantomReason(value, key, partition);
    const k = `${partition}/${offset}/${value}`;
    if (reason === undefined || phantomSeen.has(k)) return;
    phantomSeen.add(k);
    phantoms.push({ value, key, partition, offset, where, reason });
  };
  for (const r of history.finalReads)
    for (const rec of r.records)
      notePhantom(rec.value, rec.key, r.partition, rec.offset, { brokerId: r.brokerId });
  for (const c of history.consumes)
    notePhantom(c.value, c.key, c.partition, c.offset, { member: c.member });

  const allDuplicates: DuplicateRecord[] = [];
  const allReorders: ReorderedRecord[] = [];
  const allDivergences: Divergence[] = [];
  const partitions: PartitionSummary[] = [];
  let unreadPartitions = 0;
  for (const [p, log] of logs) {
    if (log.reads.length === 0) {
      unreadPartitions++;
      warnings.push(`partition ${p}: no replica was read back; its sends were not checked`);
    } else {
      for (const b of log.finalIsr)
        if (!log.reads.some((r) => r.brokerId === b))
          warnings.push(`partition ${p}: broker ${b} is in the final ISR but was not read back`);
    }
    const dups = duplicates(log);
    allDuplicates.push(...dups);
    allReorders.push(...reorders(log, sendsById));
    allDivergences.push(...divergences(log));
    const sends = history.sends.filter((s) => s.partition === p);
    const windows = [
      ...noLeaderWindows(history, p, end),
      ...noAckWindows(history, p, minUnavailableMs, end),
    ].sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind));
    const mine = statesOf.get(p) ?? [];
    let leaderChanges = 0;
    for (let j = 1; j < mine.length; j++)
      if (mine[j].leader >= 0 && mine[j].leader !== mine[j - 1].leader) leaderChanges++;
    partitions.push({
      partition: p,
      sent: sends.length,
      acknowledged: sends.filter((s) => s.outcome === 'ok').length,
      failed: sends.filter((s) => s.outcome === 'fail').length,
      unknown: sends.filter((s) => s.outcome === 'unknown').length,
      lost: lost.filter((l) => l.partition === p).length,
      duplicated: dups.length,
      finalLeader: log.finalLeader,
      finalHighWatermark: log.reference ? log.highWatermark : null,
      finalIsr: log.finalIsr,
      leaderChanges,
      unavailability: windows,
      unavailableMs: coveredMs(windows),
      failovers: failovers(history, p, states),
    });
  }
  if (history.healedAt === undefined)
    warnings.push('the cluster never healed: the final read may not show the settled logs');

  const counts = {
    sends: history.sends.length,
    acknowledged: history.sends.filter((s) => s.outcome === 'ok').length,
    failed: history.sends.filter((s) => s.outcome === 'fail').length,
    unknown: history.sends.filter((s) => s.outcome === 'unknown').length,
    lost: lost.length,
    consumerObservedLoss: consumerObservedLoss.length,
    duplicated: allDuplicates.length,
    reordered: allReorders.length,
    phantoms: phantoms.length,
    failedButPresent: failedButPresent.length,
    unknownPresent,
    unseen,
    beyondRetention,
    divergences: allDivergences.length,
    inconsistentOffsets: 0,
    commitRegressions: 0,
    consumed: history.consumes.length,
  };
  const regressions = commitRegressions(history);
  counts.commitRegressions = regressions.length;
  const inconsistent = inconsistentOffsets(history, logs);
  counts.inconsistentOffsets = inconsistent.length;

  const exps = expectations(history.meta.config, {
    ...counts,
    unreadPartitions,
    healed: history.healedAt !== undefined,
  });
  const violations = violationsOf(exps);
  return {
    ok: violations.length === 0,
    scenario: history.meta.scenario,
    seed: history.meta.seed,
    config: history.meta.config,
    counts,
    lost,
    lossCauses: lossCauses(lost),
    consumerObservedLoss,
    duplicates: allDuplicates,
    reordered: allReorders,
    phantoms,
    failedButPresent,
    divergences: allDivergences,
    inconsistentOffsets: inconsistent,
    commitRegressions: regressions,
    partitions,
    expectations: exps,
    violations,
    warnings,
  };
}
