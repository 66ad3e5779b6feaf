/**
 * The table of `kzoo experiment matrix`: one row per configuration (acks, min.insync,
 * unclean, idempotence), one column per scenario, each cell the lost and duplicated
 * acknowledged records summed over that cell's runs.
 */
import type { CheckResult } from '../checker/types';
import type { ExperimentConfig } from '../history';
import { acksName, table } from './format';

export type MatrixConfig = Pick<
  ExperimentConfig,
  'acks' | 'minInsyncReplicas' | 'uncleanLeaderElection' | 'idempotence'
>;

export interface MatrixRow {
  scenario: string;
  config: MatrixConfig;
  runs: number;
  acknowledged: number;
  lost: number;
  duplicated: number;
  /** Runs whose verdict was not ok. */
  violatedRuns: number;
}

export interface MatrixOptions {
  /** A Markdown table (for the README) instead of aligned columns. */
  markdown?: boolean;
}

function configKey(c: MatrixConfig): string {
  return `${c.acks}|${c.minInsyncReplicas}|${c.uncleanLeaderElection}|${c.idempotence}`;
}

/** Sums checked runs into one row per (configuration, scenario). */
export function matrixRows(results: CheckResult[]): MatrixRow[] {
  const rows = new Map<string, MatrixRow>();
  for (const r of results) {
    const config: MatrixConfig = {
      acks: r.config.acks,
      minInsyncReplicas: r.config.minInsyncReplicas,
      uncleanLeaderElection: r.config.uncleanLeaderElection,
      idempotence: r.config.idempotence,
    };
    const k = `${configKey(config)}|${r.scenario}`;
    const row = rows.get(k) ?? {
      scenario: r.scenario,
      config,
      runs: 0,
      acknowledged: 0,
      lost: 0,
      duplicated: 0,
      violatedRuns: 0,
    };
    row.runs++;
    row.acknowledged += r.counts.acknowledged;
    row.lost += r.counts.lost;
    row.duplicated += r.counts.duplicated;
    if (!r.ok) row.violatedRuns++;
    rows.set(k, row);
  }
  return [...rows.values()];
}

const ACKS_ORDER: Record<string, number> = { '0': 0, '1': 1, '-1': 2 };

export function renderMatrix(rows: MatrixRow[], options: MatrixOptions = {}): string {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const configs = new Map<string, MatrixConfig>();
  for (const r of rows) configs.set(configKey(r.config), r.config);
  const ordered = [...configs.values()].sort(
    (a, b) =>
      ACKS_ORDER[String(a.acks)] - ACKS_ORDER[String(b.acks)] ||
      a.minInsyncReplicas - b.minInsyncReplicas ||
      Number(a.uncleanLeaderElection) - Number(b.uncleanLeaderElection) ||
      Number(a.idempotence) - Number(b.idempotence),
  );
  const header = ['acks', 'min.insync', 'unclean', 'idempotence', ...scenarios];
  const body = ordered.map((c) => [
    acksName(c.acks),
    String(c.minInsyncReplicas),
    c.uncleanLeaderElection ? 'on' : 'off',
    c.idempotence ? 'on' : 'off',
    ...scenarios.map((s) => {
      const cell = rows.find((r) => r.scenario === s && configKey(r.config) === configKey(c));
      if (!cell) return '';
      return `${cell.lost}/${cell.duplicated}${cell.violatedRuns > 0 ? ' ✗' : ''}`;
    }),
  ]);
  const runs = [...new Set(rows.map((r) => r.runs))];
  const legend =
    `cells: lost/duplicated acknowledged records, summed over ${runs.length === 1 ? `${runs[0]} run(s)` : 'the runs'} per cell; ` +
    '✗: the configuration broke one of its own expectations';
  if (options.markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return (
      [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n') +
      `\n\n${legend}\n`
    );
  }
  return `${table([header, ...body])}\n${legend}\n`;
}
