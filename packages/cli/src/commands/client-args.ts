/**
 * What the client commands (topic, produce, consume) share: `--bootstrap-server`
 * (env KZOO_BOOTSTRAP_SERVER), `--command-config k=v` client overrides, and error
 * handling: one line `kzoo: <KAFKA_ERROR_NAME>: detail` on stderr and exit code 1.
 */
import type { Argv } from 'yargs';
import { setLogLevel } from '@kzoo/common';
import { bootstrapOf, readClusterFile } from '../cluster-file';
import { USAGE_EXIT_CODE, UsageError } from '../common';

export const DEFAULT_BOOTSTRAP = process.env.KZOO_BOOTSTRAP_SERVER ?? '127.0.0.1:9092';

/** $KZOO_BOOTSTRAP_SERVER, else the brokers of the cluster file (`kzoo cluster up`), else 127.0.0.1:9092. */
export function defaultBootstrap(): string {
  if (process.env.KZOO_BOOTSTRAP_SERVER) return process.env.KZOO_BOOTSTRAP_SERVER;
  try {
    const c = readClusterFile();
    return c && c.brokers.length > 0 ? bootstrapOf(c) : DEFAULT_BOOTSTRAP;
  } catch {
    return DEFAULT_BOOTSTRAP;
  }
}

export interface BootstrapArgs {
  'bootstrap-server': string;
  verbose: boolean;
}

/**
 * `--bootstrap-server`, and `--verbose`: client commands are quiet as Kafka's console
 * tools are (WARN and above) unless `--verbose` or KZOO_LOG_LEVEL says otherwise.
 */
export function withBootstrap<T>(y: Argv<T>): Argv<T & BootstrapArgs> {
  return y
    .option('bootstrap-server', {
      type: 'string',
      default: defaultBootstrap(),
      describe:
        'Broker(s) to connect to, HOST:PORT[,HOST:PORT...] (env KZOO_BOOTSTRAP_SERVER; default the cluster file’s)',
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'Log client activity (INFO); default only warnings and errors',
    })
    .middleware((argv) => {
      if (argv.verbose) {
        if (process.env.KZOO_LOG_LEVEL !== 'debug') setLogLevel('info');
      } else if (!process.env.KZOO_LOG_LEVEL) setLogLevel('warn');
    }) as unknown as Argv<T & BootstrapArgs>;
}

/** Parses repeated `k=v` options into an object; throws naming the bad entry. */
export function parseKeyValues(
  list: string[] | undefined,
  option: string,
  trimValues = true,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--${option} expects key=value, got ${JSON.stringify(kv)}`);
    const v = kv.slice(i + 1);
    out[kv.slice(0, i).trim()] = trimValues ? v.trim() : v;
  }
  return out;
}

/** Prints `kzoo: <message>` on stderr and exits 1 (2 for a UsageError). */
export function failClient(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kzoo: ${msg}\n`);
  process.exit(err instanceof UsageError ? USAGE_EXIT_CODE : 1);
}

export function runClient(fn: () => Promise<void>): Promise<void> {
  return fn().catch(failClient);
}

let stdoutClosed = false;
let stdoutWatched = false;
const stdoutClosedWaiters = new Set<() => void>();

/**
 * Once stdout's reader is gone (`kzoo consume T | head -5`), writes fail with EPIPE as an
 * 'error' event on process.stdout; unhandled, that is a stack trace and exit 1. This
 * handles it: stdout counts as closed and writeOut() resolves false from then on.
 */
function watchStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on('error', () => {
    stdoutClosed = true;
    for (const w of stdoutClosedWaiters) w();
    stdoutClosedWaiters.clear();
  });
}

/** Writes to stdout, waiting when the pipe is full; resolves false once stdout is closed (EPIPE). */
export function writeOut(text: string): Promise<boolean> {
  watchStdout();
  return new Promise((resolve) => {
    if (stdoutClosed || process.stdout.destroyed) return resolve(false);
    const closed = () => resolve(false);
    stdoutClosedWaiters.add(closed);
    const done = (v: boolean) => {
      stdoutClosedWaiters.delete(closed);
      resolve(v);
    };
    const ok = process.stdout.write(text, (err) => {
      if (err) done(false);
      else if (ok) done(true);
    });
    if (!ok) process.stdout.once('drain', () => done(!stdoutClosed));
  });
}
