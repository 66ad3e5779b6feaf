/**
 * Explains a lost record from the cluster's own events: the leader that acknowledged it
 * and its epoch, the election that replaced that leader, and the truncation that dropped it.
 */
import type { FaultEvent, History, SendRecord } from '../history';
import { describeFault } from './availability';
import { byTime, firedFaults, valueOf, type FinalLog } from './final-log';
import type {
  ElectionInfo,
  LossCause,
  LossExplanation,
  LostRecord,
  PartitionStateEvent,
  TruncationEvent,
} from './types';

export function seconds(t: number): string {
  return `${(t / 1000).toFixed(1)} s`;
}

function list(ids: number[]): string {
  return `[${ids.join(',')}]`;
}

function election(states: PartitionStateEvent[], j: number): ElectionInfo {
  const s = states[j];
  return {
    t: s.t,
    partition: s.partition,
    leader: s.leader,
    leaderEpoch: s.leaderEpoch,
    controllerEpoch: s.controllerEpoch,
    unclean: s.unclean,
    previousIsr: j > 0 ? [...states[j - 1].isr] : [],
  };
}

export interface ExplainContext {
  history: History;
  /** Partition-state events of the send's partition, by time. */
  states: PartitionStateEvent[];
  finalLog: FinalLog;
  /** Truncation events of the send's partition, by time (default: from the history). */
  truncations?: TruncationEvent[];
  /** Faults that fired, by time (default: from the history). */
  faults?: FaultEvent[];
}

export function explainLoss(send: SendRecord, ctx: ExplainContext): LossExplanation {
  const { history, states, finalLog } = ctx;
  const tDone = send.tDone ?? send.tSend;
  const offset = send.offset ?? -1;
  let ia = -1;
  for (let j = 0; j < states.length && states[j].t <= tDone; j++) ia = j;
  const atAck = ia >= 0 ? states[ia] : undefined;
  const ackedBy = send.leader ?? (atAck && atAck.leader >= 0 ? atAck.leader : undefined);
  const zombie = ackedBy !== undefined && atAck !== undefined && atAck.leader !== ackedBy;

  let electionIdx = -1;
  let ackLeaderEpoch = atAck?.leaderEpoch;
  if (zombie) {
    // the last move of the leadership away from ackedBy before the ack
    for (let j = ia; j >= 1; j--) {
      if (states[j].leader !== ackedBy && states[j - 1].leader === ackedBy) {
        electionIdx = j;
        ackLeaderEpoch = states[j - 1].leaderEpoch;
        break;
      }
    }
    if (electionIdx < 0) {
      electionIdx = ia;
      ackLeaderEpoch = undefined;
    }
  } else {
    for (let j = ia + 1; j < states.length; j++) {
      if (states[j].leader >= 0 && states[j].leader !== ackedBy) {
        electionIdx = j;
        break;
      }
    }
  }
  const elected = electionIdx >= 0 ? election(states, electionIdx) : undefined;

  const candidates =
    ctx.truncations ??
    byTime(
      history.cluster.filter(
        (e): e is TruncationEvent => e.type === 'truncation' && e.partition === send.partition,
      ),
    );
  const truncations = candidates.filter(
    (e) => e.t >= send.tSend && offset >= 0 && e.toOffset <= offset && offset < e.fromOffset,
  );
  const truncation = truncations.find((e) => e.brokerId === ackedBy) ?? truncations[0];
  const rejoined =
    truncation !== undefined &&
    history.cluster.some(
      (e) =>
        e.type === 'broker-registered' &&
        e.brokerId === truncation.brokerId &&
        e.t >= (elected?.t ?? tDone) &&
        e.t <= truncation.t,
    );

  const faultBefore = elected?.t ?? tDone;
  const fault = (ctx.faults ?? firedFaults(history)).filter((f) => f.t <= faultBefore).at(-1);

  const value = valueOf(send.id);
  const aboveHighWatermark = [...(finalLog.aboveHighWatermark.get(value) ?? [])];
  const outsideIsr = [...(finalLog.outsideIsr.get(value) ?? [])];

  const parts: string[] = [];
  const at = offset >= 0 ? `offset ${offset}` : 'acks=0, no offset';
  if (ackedBy === undefined) parts.push(`acknowledged at ${at} by an unknown leader`);
  else if (zombie && ackLeaderEpoch !== undefined)
    parts.push(
      `acknowledged by broker ${ackedBy} (${at}) at ${seconds(tDone)}, after it had stopped being leader at epoch ${ackLeaderEpoch}`,
    );
  else if (zombie)
    parts.push(`acknowledged by broker ${ackedBy} (${at}), which ZooKeeper never named leader`);
  else if (ackLeaderEpoch !== undefined)
    parts.push(`acknowledged by broker ${ackedBy} as leader at epoch ${ackLeaderEpoch} (${at})`);
  else parts.push(`acknowledged by broker ${ackedBy} (${at})`);

  if (elected && electionIdx === 0) {
    // no earlier state: this leader was in place from the start
    parts.push(
      `broker ${elected.leader} was leader at epoch ${elected.leaderEpoch} since ${seconds(elected.t)} (controller epoch ${elected.controllerEpoch})`,
    );
  } else if (elected) {
    const how = elected.unclean
      ? `while not in the ISR ${list(elected.previousIsr)} (unclean, controller epoch ${elected.controllerEpoch})`
      : `from the ISR ${list(elected.previousIsr)} (clean, controller epoch ${elected.controllerEpoch})`;
    parts.push(
      `broker ${elected.leader} was elected leader at epoch ${elected.leaderEpoch} ${how}${zombie ? ` at ${seconds(elected.t)}` : ''}`,
    );
  } else parts.push('no new leader was elected after it');

  if (truncation)
    parts.push(
      `broker ${truncation.brokerId} truncated to offset ${truncation.toOffset}${rejoined ? ' on rejoining' : ` at ${seconds(truncation.t)}`}`,
    );
  else if (offset >= 0) parts.push(`no truncation covering offset ${offset} was recorded`);

  if (aboveHighWatermark.length > 0)
    parts.push(
      `still on ${aboveHighWatermark.map((a) => `broker ${a.brokerId} at offset ${a.offset}`).join(', ')}, above the high watermark ${finalLog.highWatermark}`,
    );

  if (outsideIsr.length > 0)
    parts.push(
      `still on ${outsideIsr.map((a) => `broker ${a.brokerId} at offset ${a.offset}`).join(', ')}, outside the final ISR`,
    );

  let text = parts.join('; ');
  if (fault) text += ` (after the fault "${describeFault(fault)}" at ${seconds(fault.t)})`;

  return {
    ackedBy,
    ackLeaderEpoch,
    zkLeaderAtAck: atAck?.leader,
    zombie,
    election: elected,
    truncation,
    fault: fault && { t: fault.t, kind: fault.kind, role: fault.role, target: fault.target },
    aboveHighWatermark,
    outsideIsr,
    text,
  };
}

function causeKey(l: LostRecord): string {
  const e = l.explanation;
  return JSON.stringify([
    l.partition,
    e.ackedBy ?? null,
    e.ackLeaderEpoch ?? null,
    e.zombie,
    e.election ? [e.election.t, e.election.leader, e.election.leaderEpoch] : null,
    e.truncation ? [e.truncation.t, e.truncation.brokerId, e.truncation.toOffset] : null,
    e.fault ? [e.fault.t, e.fault.target] : null,
    e.aboveHighWatermark.length > 0,
    e.outsideIsr.length > 0,
  ]);
}

/** Groups lost records that share one explanation, largest group first. */
export function lossCauses(lost: LostRecord[]): LossCause[] {
  const groups = new Map<string, LostRecord[]>();
  for (const l of lost) {
    const k = causeKey(l);
    const g = groups.get(k) ?? [];
    g.push(l);
    groups.set(k, g);
  }
  const out: LossCause[] = [];
  for (const g of groups.values()) {
    const offsets = g.map((l) => l.offset);
    const first = Math.min(...offsets);
    const last = Math.max(...offsets);
    const rep = g[0];
    let text = rep.explanation.text;
    if (g.length > 1) {
      // the representative's offset stands for the range, and where the copies remain is
      // said once (records in one group all have, or all lack, such copies)
      const range = first === last ? `(offset ${first})` : `(offsets ${first}–${last})`;
      text = text
        .replace(`(offset ${rep.offset})`, range)
        .replace(
          `no truncation covering offset ${rep.offset} was recorded`,
          'no truncation covering them was recorded',
        )
        .replace(/; still on [^;(]*[^;( ]/g, '');
      const where: string[] = [];
      if (rep.explanation.aboveHighWatermark.length > 0) where.push('above the high watermark');
      if (rep.explanation.outsideIsr.length > 0) where.push('outside the final ISR');
      if (where.length > 0) {
        const at = text.lastIndexOf(' (after the fault');
        const clause = `; still on a replica, ${where.join(' or ')}`;
        text = at >= 0 ? text.slice(0, at) + clause + text.slice(at) : text + clause;
      }
    }
    out.push({
      partition: rep.partition,
      count: g.length,
      firstOffset: first,
      lastOffset: last,
      firstAckT: Math.min(...g.map((l) => l.tDone)),
      lastAckT: Math.max(...g.map((l) => l.tDone)),
      text,
    });
  }
  return out.sort(
    (a, b) => b.count - a.count || a.partition - b.partition || a.firstOffset - b.firstOffset,
  );
}
