/**
 * Real Kafka tools for tests against a broker's Kafka-protocol listener: kcat
 * (librdkafka; the Debian package `kcat`, installed by scripts/bootstrap.sh).
 */
import { spawn, spawnSync } from 'node:child_process';
import { trackChild } from './util';

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let kcatChecked = false;

/** Throws a clear error when kcat is not installed. */
export function requireKcat(): void {
  if (kcatChecked) return;
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error('kcat is missing: run `bash scripts/bootstrap.sh` (Debian package kcat)');
  kcatChecked = true;
}

/**
 * Runs `kcat <args>` to completion with `input` on stdin; killed (SIGKILL) after
 * `timeoutMs`, which the result's signal shows.
 */
export function runKcat(
  args: string[],
  opts: { input?: string | Buffer; timeoutMs?: number } = {},
): Promise<ToolResult> {
  requireKcat();
  const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.on('error', () => undefined); // kcat may exit before reading everything
  child.stdin!.end(opts.input ?? '');
  const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}
