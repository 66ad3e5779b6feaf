/**
 * `kzoo ui [--port 8080] [--zk ...] [--bind 127.0.0.1]`: the live web view of a cluster
 * (@kzoo/ui), in the foreground until Ctrl-C. State from ZooKeeper watches and the
 * brokers; with the cluster file of `kzoo cluster up` for the same ZooKeeper, fault
 * buttons (kill, pause, resume, restart, each confirmed) act on its broker processes and
 * per-replica log end offsets come from the brokers' /metrics. Bound to loopback unless
 * `--bind` says otherwise; off loopback the fault buttons stay off unless
 * `--allow-remote-faults`.
 */
import type { Argv, CommandModule } from 'yargs';
import { UiServer, type FaultHandler, type UiServer as UiServerType } from '@kzoo/ui';
import { clusterFilePath, readClusterFile, waitForPidExit } from '../cluster-file';
import { run, withZk, type ZkArgs } from '../common';
import { signalMember, startClusterMember } from './broker';

interface UiArgs extends ZkArgs {
  port: number;
  bind: string;
  'allow-remote-faults': boolean;
  'poll-ms': number;
}

/** Fault buttons for the brokers of the cluster file, when it describes the cluster on `zk`. */
export function clusterFileFaults(zk: string): FaultHandler | undefined {
  let c;
  try {
    c = readClusterFile();
  } catch {
    return undefined;
  }
  if (!c || c.zk !== zk) return undefined;
  return async (action, id) => {
    switch (action) {
      case 'kill': {
        const b = signalMember(id, 'SIGKILL');
        await waitForPidExit(b.pid, 10000);
        return `broker ${id} killed (SIGKILL, pid ${b.pid})`;
      }
      case 'pause':
        return `broker ${id} paused (SIGSTOP, pid ${signalMember(id, 'SIGSTOP').pid})`;
      case 'resume':
        return `broker ${id} resumed (SIGCONT, pid ${signalMember(id, 'SIGCONT').pid})`;
      case 'restart': {
        try {
          const b = signalMember(id, 'SIGKILL');
          await waitForPidExit(b.pid, 10000);
        } catch {
          // not running: just start it
        }
        return startClusterMember(id);
      }
      default:
        throw new Error(
          `${action} needs per-link proxies, which \`kzoo cluster up\` does not start`,
        );
    }
  };
}

/** Metrics endpoints of the cluster file's brokers (`cluster up` gives each one). */
function clusterFileMetrics(zk: string): ((id: number) => string | undefined) | undefined {
  let c;
  try {
    c = readClusterFile();
  } catch {
    return undefined;
  }
  if (!c || c.zk !== zk) return undefined;
  return (id) => {
    const port = readClusterFile()?.brokers.find((b) => b.id === id)?.metricsPort;
    return port ? `http://127.0.0.1:${port}` : undefined;
  };
}

/** The cluster file's broker log files, for their state.change lines. */
function clusterFileLogs(zk: string): (() => { brokerId: number; file: string }[]) | undefined {
  let c;
  try {
    c = readClusterFile();
  } catch {
    return undefined;
  }
  if (!c || c.zk !== zk) return undefined;
  return () => (readClusterFile()?.brokers ?? []).map((b) => ({ brokerId: b.id, file: b.log }));
}

export async function startUi(opts: {
  zk: string;
  port: number;
  bind: string;
  allowRemoteFaults?: boolean;
  pollMs?: number;
}): Promise<UiServerType> {
  return UiServer.start({
    zk: opts.zk,
    port: opts.port,
    host: opts.bind,
    faults: clusterFileFaults(opts.zk),
    allowRemoteFaults: opts.allowRemoteFaults,
    metricsUrl: clusterFileMetrics(opts.zk),
    stateChangeLogs: clusterFileLogs(opts.zk),
    pollIntervalMs: opts.pollMs,
  });
}

/** Serves until SIGINT/SIGTERM, then closes the UI (the cluster keeps running). */
export async function serveUntilSignal(ui: UiServerType): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await ui.close();
}

export const uiCommand: CommandModule<object, UiArgs> = {
  command: 'ui',
  describe: 'Serve the live web view of the cluster (brokers, controller, ISR, groups, events)',
  builder: (y: Argv) =>
    withZk(y)
      .option('port', { type: 'number', default: 8080, describe: 'HTTP port (0: a free one)' })
      .option('bind', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'Address to listen on (anything but loopback exposes the cluster view)',
      })
      .option('allow-remote-faults', {
        type: 'boolean',
        default: false,
        describe: 'Keep the fault buttons when bound off loopback',
      })
      .option('poll-ms', {
        type: 'number',
        default: 1000,
        describe: 'How often groups, lag and offsets are read from the brokers',
      })
      .example('$0 cluster up --brokers 3 && $0 ui', 'the local cluster, with fault buttons')
      .example(
        '$0 ui --zk 127.0.0.1:2181/kzoo --port 9000',
        'any cluster, read only',
      ) as Argv<UiArgs>,
  handler: (args) =>
    run(async () => {
      const ui = await startUi({
        zk: args.zk,
        port: args.port,
        bind: args.bind,
        allowRemoteFaults: args['allow-remote-faults'],
        pollMs: args['poll-ms'],
      });
      const faults = ui.faultsEnabled
        ? `fault buttons on (cluster file ${clusterFilePath()})`
        : 'no fault buttons (not a cluster of `kzoo cluster up` on this ZooKeeper, or bound off loopback)';
      process.stdout.write(`kzoo ui at ${ui.url} (zk ${args.zk}); ${faults}; Ctrl-C stops it\n`);
      await serveUntilSignal(ui);
    }),
};
