/**
 * Per partition availability: windows when sends were attempted and none succeeded, or
 * when ZooKeeper named no live leader, and the time from each fault to the new leader.
 */
import type { History } from '../history';
import { byTime, firedFaults } from './final-log';
import type { Failover, PartitionStateEvent, UnavailabilityWindow } from './types';

/** The last moment the history speaks of. */
export function endOf(history: History): number {
  let end = history.healedAt ?? 0;
  for (const s of history.sends) end = Math.max(end, s.tSend, s.tDone ?? 0);
  for (const c of history.consumes) end = Math.max(end, c.t);
  for (const c of history.commits) end = Math.max(end, c.t);
  for (const f of history.faults) end = Math.max(end, f.t);
  for (const e of history.cluster) end = Math.max(end, e.t);
  for (const s of history.samples) end = Math.max(end, s.t);
  return end;
}

/** Merges overlapping or touching windows of one kind. */
function merge(windows: UnavailabilityWindow[]): UnavailabilityWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: UnavailabilityWindow[] = [];
  for (const w of sorted) {
    const last = out.at(-1);
    if (last && last.kind === w.kind && w.start <= last.end) {
      if (w.end >= last.end) {
        last.end = w.end;
        last.open = w.open;
      }
    } else out.push({ ...w });
  }
  return out;
}

/**
 * `no-ack` windows: a send attempted at t opens [t, next ack) when the next successful
 * send to the partition came `minMs` or more after t (or never: open until the end).
 */
export function noAckWindows(
  history: History,
  partition: number,
  minMs: number,
  end: number,
): UnavailabilityWindow[] {
  const sends = history.sends.filter((s) => s.partition === partition);
  const acks = sends
    .filter((s) => s.outcome === 'ok' && s.tDone !== undefined)
    .map((s) => s.tDone as number)
    .sort((a, b) => a - b);
  const windows: UnavailabilityWindow[] = [];
  for (const s of sends) {
    // first ack at or after s.tSend (binary search)
    let lo = 0;
    let hi = acks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (acks[mid] < s.tSend) lo = mid + 1;
      else hi = mid;
    }
    const next = lo < acks.length ? acks[lo] : undefined;
    const until = next ?? end;
    if (until - s.tSend >= minMs) {
      windows.push({ kind: 'no-ack', start: s.tSend, end: until, open: next === undefined });
    }
  }
  return merge(windows);
}

/**
 * `no-leader` windows: from a partition state with leader -1, or from the deregistration
 * of the leader's broker, until a state names a live leader (or that broker registers again).
 */
export function noLeaderWindows(
  history: History,
  partition: number,
  end: number,
): UnavailabilityWindow[] {
  const events = byTime(
    history.cluster.filter(
      (e) =>
        (e.type === 'partition-state' && e.partition === partition) ||
        e.type === 'broker-deregistered' ||
        e.type === 'broker-registered',
    ),
  );
  const windows: UnavailabilityWindow[] = [];
  let leader: number | null = null;
  let openSince: number | null = null;
  let waitingFor: number | null = null; // deregistered leader whose return also closes it
  for (const e of events) {
    if (e.type === 'partition-state') {
      leader = e.leader;
      if (e.leader < 0) {
        if (openSince === null) openSince = e.t;
        waitingFor = null;
      } else if (openSince !== null) {
        windows.push({ kind: 'no-leader', start: openSince, end: e.t, open: false });
        openSince = null;
        waitingFor = null;
      }
    } else if (e.type === 'broker-deregistered') {
      if (leader !== null && e.brokerId === leader && openSince === null) {
        openSince = e.t;
        waitingFor = e.brokerId;
      }
    } else if (e.type === 'broker-registered') {
      if (openSince !== null && waitingFor === e.brokerId) {
        windows.push({ kind: 'no-leader', start: openSince, end: e.t, open: false });
        openSince = null;
        waitingFor = null;
      }
    }
  }
  if (openSince !== null) windows.push({ kind: 'no-leader', start: openSince, end, open: true });
  return merge(windows);
}

/** Total length of a set of windows, overlaps counted once. */
export function coveredMs(windows: UnavailabilityWindow[]): number {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const w of sorted) {
    if (w.start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = w.start;
      curEnd = w.end;
    } else curEnd = Math.max(curEnd, w.end);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function describeFault(f: { kind: string; role: string; target: string }): string {
  return f.role && f.role !== f.target
    ? `${f.kind} ${f.target} (${f.role})`
    : `${f.kind} ${f.target}`;
}

/**
 * For each fault start, the first new leader of each partition after it and before the
 * next fault start: a different broker, or the same one after a leaderless spell.
 */
export function failovers(
  history: History,
  partition: number,
  states: PartitionStateEvent[],
): Failover[] {
  const mine = states.filter((s) => s.partition === partition);
  // faults that fire in the same millisecond act as one (both followers paused, say)
  const starts: { t: number; label: string }[] = [];
  for (const f of firedFaults(history)) {
    const last = starts.at(-1);
    if (last && last.t === f.t) last.label += ` + ${describeFault(f)}`;
    else starts.push({ t: f.t, label: describeFault(f) });
  }
  const out: Failover[] = [];
  starts.forEach((f, i) => {
    const until = i + 1 < starts.length ? starts[i + 1].t : Infinity;
    let idx = -1;
    // the leader in force strictly before the fault: a state written in the same millisecond is its effect
    for (let j = 0; j < mine.length && mine[j].t < f.t; j++) idx = j;
    if (idx < 0) return;
    const from = mine[idx].leader;
    let leaderless = from < 0;
    for (let j = idx + 1; j < mine.length && mine[j].t < until; j++) {
      const s = mine[j];
      if (s.leader < 0) {
        leaderless = true;
        continue;
      }
      if (s.leader !== from || leaderless) {
        out.push({
          faultT: f.t,
          fault: f.label,
          partition,
          fromLeader: from,
          toLeader: s.leader,
          leaderEpoch: s.leaderEpoch,
          unclean: s.unclean,
          t: s.t,
          ms: s.t - f.t,
        });
        return;
      }
    }
  });
  return out;
}
