/**
 * What the client commands (topic, produce, consume) share: `--bootstrap-server`
 * (env KZOO_BOOTSTRAP_SERVER), `--command-config k=v` client overrides, and error
 * handling: one line `kzoo: <KAFKA_ERROR_NAME>: detail` on stderr and exit code 1.
 */
import type { Argv } from 'yargs';

export const DEFAULT_BOOTSTRAP = process.env.KZOO_BOOTSTRAP_SERVER ?? '127.0.0.1:9092';

export interface BootstrapArgs {
  'bootstrap-server': string;
}

export function withBootstrap<T>(y: Argv<T>): Argv<T & BootstrapArgs> {
  return y.option('bootstrap-server', {
    type: 'string',
    default: DEFAULT_BOOTSTRAP,
    describe: 'Broker(s) to connect to, HOST:PORT[,HOST:PORT...] (env KZOO_BOOTSTRAP_SERVER)',
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
