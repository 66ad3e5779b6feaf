/** Small formatting helpers shared by the terminal, matrix and HTML reports. */
import type { ExperimentConfig } from '../history';

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function acksName(acks: ExperimentConfig['acks']): string {
  return acks === -1 ? 'all' : String(acks);
}

/** The configuration in Kafka's names, on one line. */
export function configLine(c: ExperimentConfig): string {
  return [
    `acks=${acksName(c.acks)}`,
    `min.insync.replicas=${c.minInsyncReplicas}`,
    `unclean.leader.election.enable=${c.uncleanLeaderElection}`,
    `enable.idempotence=${c.idempotence}`,
    `retries=${c.retries}`,
    `isr-path=${c.isrPath}`,
    `replication.factor=${c.replicationFactor}`,
    `partitions=${c.partitions}`,
    `brokers=${c.brokers}`,
    `zookeeper=${c.zookeeperNodes}`,
  ].join(' ');
}

/** Left-aligned columns separated by two spaces; numbers right-aligned. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = widths.map((_, i) =>
    rows.slice(1).every((r) => /^-?[\d.]+( s)?$|^-$/.test(r[i] ?? '')),
  );
  return rows
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
