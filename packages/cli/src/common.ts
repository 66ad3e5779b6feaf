/**
 * What the command groups share: the `--zk` option, opening a read-only KafkaZkClient,
 * and turning errors into one clear line on stderr plus a non-zero exit.
 */
import type { Argv } from 'yargs';
import { KafkaZkClient } from '@kzoo/zk';
import { readClusterFile } from './cluster-file';

export const DEFAULT_ZK = process.env.KZOO_ZK ?? '127.0.0.1:2181';

/** --zk's default: $KZOO_ZK, else the cluster file's (`kzoo cluster up`), else 127.0.0.1:2181. */
export function defaultZk(): string {
  if (process.env.KZOO_ZK) return process.env.KZOO_ZK;
  try {
    return readClusterFile()?.zk ?? DEFAULT_ZK;
  } catch {
    return DEFAULT_ZK;
  }
}

export interface ZkArgs {
  zk: string;
  'zk-timeout-ms': number;
}

export function withZk<T>(y: Argv<T>): Argv<T & ZkArgs> {
  return y
    .option('zk', {
      type: 'string',
      default: defaultZk(),
      describe:
        'ZooKeeper connect string host:port[,host:port...][/chroot] (env KZOO_ZK; default the cluster file’s)',
    })
    .option('zk-timeout-ms', {
      type: 'number',
      default: 10000,
      describe: 'How long to wait for a ZooKeeper session',
    }) as Argv<T & ZkArgs>;
}

/** A KafkaZkClient for inspection: it does not create a missing chroot. */
export async function openZk(args: ZkArgs): Promise<KafkaZkClient> {
  return KafkaZkClient.connect({
    connectString: args.zk,
    sessionTimeoutMs: Math.max(args['zk-timeout-ms'], 4000),
    connectionTimeoutMs: args['zk-timeout-ms'],
    createChroot: false,
  });
}

export async function withZkClient<R>(
  args: ZkArgs,
  fn: (zk: KafkaZkClient) => Promise<R>,
): Promise<R> {
  const zk = await openZk(args);
  try {
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

/** Bad command-line input (as opposed to a failure): exit code 2, as Kafka's tools and getopt. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit code for usage errors (unknown option, missing or invalid argument). */
export const USAGE_EXIT_CODE = 2;

/** Prints `kzoo: <message>` and exits 1 (2 for a UsageError). */
export function fail(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`kzoo: ${msg}\n`);
  process.exit(err instanceof UsageError ? USAGE_EXIT_CODE : 1);
}

/**
 * The topic as a positional (`kzoo consume T`) or, as Kafka's tools take it, `--topic T`.
 * `required`: a usage error when neither is given.
 */
export function withTopic<T>(y: Argv<T>, required = true): Argv<T & { topic?: string }> {
  return y
    .positional('topic', { type: 'string', describe: 'Topic name (or --topic)' })
    .option('topic', { type: 'string', describe: 'Topic name, as Kafka’s tools take it' })
    .check((a) => {
      if (Array.isArray(a.topic)) throw new Error('give the topic once: positional or --topic');
      if (required && (a.topic === undefined || a.topic === ''))
        throw new Error('Missing required argument: topic');
      return true;
    }) as Argv<T & { topic?: string }>;
}

/** Runs a command handler; any error becomes one line on stderr and exit code 1. */
export function run(fn: () => Promise<void>): Promise<void> {
  return fn().catch(fail);
}
