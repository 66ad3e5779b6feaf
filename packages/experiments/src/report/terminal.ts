/** The terminal summary of one checked run: counts, a table per partition, lost records, verdict. */
import { promisesNoLoss } from '../checker/expectations';
import type { CheckResult } from '../checker/types';
import type { History } from '../history';
import { configLine, secs, table } from './format';

export interface TerminalOptions {
  /** At most this many lost records are listed (default 20); the JSON report has them all. */
  maxLost?: number;
}

export function renderTerminal(
  result: CheckResult,
  history: History,
  options: TerminalOptions = {},
): string {
  const maxLost = options.maxLost ?? 20;
  const c = result.counts;
  const out: string[] = [];
  out.push(
    `kzoo experiment ${result.scenario}  seed ${result.seed}  topic ${history.meta.topic}  ${secs(history.meta.durationMs)}`,
  );
  out.push(`  ${configLine(result.config)}`);
  out.push(
    `  sends ${c.sends}: ${c.acknowledged} acknowledged, ${c.failed} failed, ${c.unknown} unknown; consumed ${c.consumed}`,
  );
  out.push(
    `  lost ${c.lost}  consumer-observed loss ${c.consumerObservedLoss}  duplicated ${c.duplicated}  reordered ${c.reordered}  phantoms ${c.phantoms}  diverged offsets ${c.divergences}  inconsistent offsets ${c.inconsistentOffsets}  commit regressions ${c.commitRegressions}`,
  );
  out.push(
    `  failed but present ${c.failedButPresent}  unknown but present ${c.unknownPresent}  acknowledged never consumed ${c.unseen}${c.beyondRetention ? `  beyond retention ${c.beyondRetention}` : ''}`,
  );
  out.push('');
  const rows = [
    [
      'partition',
      'leader',
      'isr',
      'hw',
      'sent',
      'acked',
      'lost',
      'dup',
      'new leaders',
      'unavailable',
      'failover',
    ],
  ];
  for (const p of result.partitions) {
    const first = p.failovers[0];
    rows.push([
      String(p.partition),
      p.finalLeader === null ? 'none' : String(p.finalLeader),
      p.finalIsr.join(',') || '-',
      p.finalHighWatermark === null ? '-' : String(p.finalHighWatermark),
      String(p.sent),
      String(p.acknowledged),
      String(p.lost),
      String(p.duplicated),
      String(p.leaderChanges),
      secs(p.unavailableMs),
      first
        ? `${secs(first.ms)} after ${first.fault}${p.failovers.length > 1 ? ` (+${p.failovers.length - 1})` : ''}`
        : '-',
    ]);
  }
  out.push(table(rows).replace(/^/gm, '  '));
  if (result.lost.length > 0) {
    out.push('');
    out.push(`lost acknowledged records (${result.lost.length}), by cause:`);
    for (const cause of result.lossCauses.slice(0, 10))
      out.push(`  ${cause.count} on p${cause.partition}: ${cause.text}`);
    if (result.lossCauses.length > 10)
      out.push(`  ... and ${result.lossCauses.length - 10} more causes (see the JSON report)`);
    out.push('');
    out.push(`lost acknowledged records (${result.lost.length}):`);
    for (const l of result.lost.slice(0, maxLost))
      out.push(`  ${l.value} key ${l.key} seq ${l.seq} p${l.partition}: ${l.explanation.text}`);
    if (result.lost.length > maxLost)
      out.push(`  ... and ${result.lost.length - maxLost} more (see the JSON report)`);
  }
  const other: string[] = [];
  for (const d of result.duplicates.slice(0, 5))
    other.push(
      `duplicated ${d.value} (key ${d.key}) p${d.partition} at offsets ${d.offsets.join(', ')}`,
    );
  for (const r of result.reordered.slice(0, 5))
    other.push(
      `reordered key ${r.key} p${r.partition}: seq ${r.seq} at offset ${r.offset} after seq ${r.afterSeq} at offset ${r.afterOffset}`,
    );
  for (const p of result.phantoms.slice(0, 5))
    other.push(`phantom ${p.value} p${p.partition} offset ${p.offset}: ${p.reason}`);
  for (const d of result.divergences.slice(0, 5))
    other.push(
      `diverged p${d.partition} offset ${d.offset}: ${d.replicas.map((r) => `broker ${r.brokerId} ${r.value ?? 'nothing'}${r.leaderEpoch === null ? '' : `@${r.leaderEpoch}`}`).join(' vs ')}`,
    );
  for (const i of result.inconsistentOffsets.slice(0, 5))
    other.push(
      `inconsistent offset p${i.partition} ${i.offset}: ${i.source === 'ack' ? 'acknowledged' : `consumed by ${i.member}`} as ${i.expected}, the final log holds ${i.found ?? 'nothing'}`,
    );
  for (const r of result.commitRegressions.slice(0, 5))
    other.push(
      `commit went back p${r.partition}: ${r.previousOffset} -> ${r.offset} at ${secs(r.t)} (${r.member})`,
    );
  for (const l of result.consumerObservedLoss.slice(0, 5))
    other.push(
      `consumed then lost ${l.value} p${l.partition} offset ${l.offset} at ${secs(l.t)} (${l.member})`,
    );
  if (other.length > 0) {
    out.push('');
    out.push('other anomalies (first five of each):');
    for (const o of other) out.push(`  ${o}`);
  }
  out.push('');
  const noLoss = promisesNoLoss(result.config);
  out.push(
    result.ok
      ? `verdict: OK, every expectation of this configuration held (${noLoss.applies ? `${noLoss.because} promise no acknowledged loss` : noLoss.because})`
      : `verdict: VIOLATED, ${result.violations.length} expectation(s) of this configuration failed`,
  );
  for (const e of result.expectations) {
    const mark = !e.applies ? (e.held ? ' ' : '~') : e.held ? '✓' : '✗';
    out.push(
      `  ${mark} ${e.id}: ${e.description}${e.count ? ` (found ${e.count})` : ''}${e.applies ? '' : `, not promised: ${e.because}`}`,
    );
  }
  for (const w of result.warnings) out.push(`  warning: ${w}`);
  return out.join('\n') + '\n';
}
