/**
 * What changed between two readings of a partition's state znode, in the words of
 * Kafka's state-change log: a leader election (clean: the new leader was in the ISR;
 * unclean: it was not; preferred: the old leader is still alive and the preferred replica
 * takes over; controlled-shutdown: the old leader is alive but leaving; offline: no leader
 * left), or an ISR shrink / expand under the same leader. Pure: unit-tested.
 */
import type { PartitionView, UiEvent } from './protocol';
import { tpKey } from '@kzoo/common';

export type EventDraft = Omit<UiEvent, 'seq' | 'timeMs'>;

function list(ids: readonly number[]): string {
  return `[${ids.join(',')}]`;
}

export function partitionEvents(
  before: PartitionView | undefined,
  after: PartitionView,
  liveBefore: ReadonlySet<number>,
): EventDraft[] {
  const tp = tpKey(after);
  const base = { topic: after.topic, partition: after.partition, zkMtimeMs: after.mtimeMs };
  if (!before || before.zkVersion < 0) {
    if (after.zkVersion < 0) return [];
    return [
      {
        ...base,
        kind: 'election',
        election: 'new',
        text: `${tp}: first leader ${after.leader}, ISR ${list(after.isr)} (leader epoch ${after.leaderEpoch})`,
      },
    ];
  }
  if (after.zkVersion === before.zkVersion) return [];
  const out: EventDraft[] = [];
  if (after.leader !== before.leader) {
    let election: string;
    if (after.leader < 0) election = 'offline';
    else if (!before.isr.includes(after.leader)) election = 'unclean';
    else if (before.leader >= 0 && liveBefore.has(before.leader))
      election = after.leader === after.replicas[0] ? 'preferred' : 'controlled-shutdown';
    else election = 'clean';
    const text =
      after.leader < 0
        ? `${tp}: offline — leader ${before.leader} gone and no eligible replica (ISR ${list(after.isr)})`
        : `${tp}: ${election} election — leader ${before.leader} → ${after.leader}, ` +
          `ISR ${list(before.isr)} → ${list(after.isr)}, leader epoch ${after.leaderEpoch}`;
    out.push({ ...base, kind: 'election', election, text });
    return out;
  }
  const removed = before.isr.filter((r) => !after.isr.includes(r));
  const added = after.isr.filter((r) => !before.isr.includes(r));
  if (removed.length > 0)
    out.push({
      ...base,
      kind: 'isr',
      text: `${tp}: ISR shrink ${list(before.isr)} → ${list(after.isr)} (out: ${removed.join(',')})`,
    });
  if (added.length > 0)
    out.push({
      ...base,
      kind: 'isr',
      text: `${tp}: ISR expand ${list(before.isr)} → ${list(after.isr)} (in: ${added.join(',')})`,
    });
  return out;
}
