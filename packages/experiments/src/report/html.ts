/** The self-contained HTML report (skeleton: summary and verdict; the timeline follows). */
import type { CheckResult } from '../checker/types';
import type { History } from '../history';
import { renderTerminal } from './terminal';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderHtml(result: CheckResult, history: History): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kzoo experiment ${escapeHtml(result.scenario)}</title></head>
<body><pre>${escapeHtml(renderTerminal(result, history))}</pre></body></html>
`;
}
