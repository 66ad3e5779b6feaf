/**
 * What the client commands (topic, produce, consume) share: `--bootstrap-server`
 * (env KZOO_BOOTSTRAP_SERVER), `--command-config k=v` client overrides, and error
 * handling: one line `kzoo: <KAFKA_ERROR_NAME>: detail` on stderr and exit code 1.
 */
import type { Argv } from 'yargs';
import { bootstrapOf, readClusterFile } from '../cluster-file';

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
}

export function withBootstrap<T>(y: Argv<T>): Argv<T & BootstrapArgs> {
  return y.option('bootstrap-server', {
    type: 'string',
    default: defaultBootstrap(),
    describe:
      'Broker(s) to connect to, HOST:PORT[,HOST:PORT...] (env KZOO_BOOTSTRAP_SERVER; default the cluster file’s)',
  }) as Argv<T & BootstrapArgs>;
}

/** Parses repeated `k=v` options into an object; throws naming the bad entry. */
export function parseKeyValues(list: string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--${option} expects key=value, got ${JSON.stringify(kv)}`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return out;
}

/** Prints `kzoo: <message>` on stderr and exits 1. */
export function failClient(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kzoo: ${msg}\n`);
  process.exit(1);
}

export function runClient(fn: () => Promise<void>): Promise<void> {
  return fn().catch(failClient);
}

/** Writes to stdout, waiting when the pipe is full; resolves false once stdout is closed (EPIPE). */
export function writeOut(text: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (process.stdout.destroyed) return resolve(false);
    const ok = process.stdout.write(text, (err) => {
      if (err) resolve(false);
      else if (ok) resolve(true);
    });
    if (!ok) process.stdout.once('drain', () => resolve(true));
  });
}
