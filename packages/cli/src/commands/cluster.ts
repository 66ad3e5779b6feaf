/**
 * `kzoo cluster up|down` (cluster-up.ts) and `kzoo cluster status`: live brokers with their endpoints, the controller and its
 * epoch, read from ZooKeeper (/brokers/ids, /controller, /controller_epoch, /cluster/id).
 */
import * as fs from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { isAlive, readClusterFile } from '../cluster-file';
import { endpointString, KafkaZkClient } from '@kzoo/zk';
import { run, withZk, withZkClient, ZkArgs } from '../common';
import { KAFKA_LISTENER } from './broker';
import { clusterDownCommand, clusterUpCommand } from './cluster-up';

export interface ClusterStatus {
  clusterId: string | null;
  controller: { brokerId: number; epoch: number | null; epochZkVersion: number | null } | null;
  brokers: Array<{
    id: number;
    endpoints: string[];
    rack: string | null;
    /** czxid of /brokers/ids/<id> (KIP-380 broker epoch). */
    brokerEpoch: number;
    registeredAt: number | null;
  }>;
}

export async function clusterStatus(zk: KafkaZkClient): Promise<ClusterStatus> {
  const [clusterId, controller, epoch, brokers] = await Promise.all([
    zk.getClusterId(),
    zk.getControllerRegistration(),
    zk.getControllerEpoch(),
    zk.getAllBrokerAndEpochsInCluster(),
  ]);
  return {
    clusterId,
    controller: controller
      ? {
          brokerId: controller.brokerId,
          epoch: epoch?.epoch ?? null,
          epochZkVersion: epoch?.epochZkVersion ?? null,
        }
      : null,
    brokers: [...brokers.values()].map(({ broker, epoch: brokerEpoch }) => ({
      id: broker.id,
      endpoints: broker.endpoints.map(endpointString),
      rack: broker.rack,
      brokerEpoch,
      registeredAt: broker.timestamp,
    })),
  };
}

export function formatClusterStatus(s: ClusterStatus): string {
  const lines = [`cluster id: ${s.clusterId ?? '(none)'}`];
  lines.push(
    s.controller
      ? `controller: broker ${s.controller.brokerId} (epoch ${s.controller.epoch ?? '?'})`
      : 'controller: none',
  );
  lines.push(`live brokers: ${s.brokers.length}`);
  const kafka = s.brokers.flatMap((b) =>
    b.endpoints
      .filter((e) => e.startsWith(`${KAFKA_LISTENER}://`))
      .map((e) => e.slice(KAFKA_LISTENER.length + 3)),
  );
  if (kafka.length > 0) lines.push(`kafka bootstrap servers: ${kafka.join(',')}`);
  for (const b of s.brokers) {
    const tags = [
      b.rack ? `rack=${b.rack}` : '',
      s.controller?.brokerId === b.id ? 'controller' : '',
    ]
      .filter(Boolean)
      .join(' ');
    lines.push(`  ${b.id}  ${b.endpoints.join(',')}${tags ? '  ' + tags : ''}`);
  }
  return lines.join('\n');
}

type StatusArgs = ZkArgs & { json: boolean };

/** The process state of a pid: running, paused (SIGSTOP) or exited. */
function processState(pid: number): 'running' | 'paused' | 'exited' {
  if (!isAlive(pid)) return 'exited';
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; T = stopped.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'T' ? 'paused' : 'running';
  } catch {
    return 'running';
  }
}

/** The cluster file's brokers and their processes, when the file describes this ZooKeeper. */
function clusterMembers(
  zk: string,
): Array<{ id: number; pid: number; port: number; process: string }> | null {
  let c;
  try {
    c = readClusterFile();
  } catch {
    return null;
  }
  if (!c || c.zk !== zk) return null;
  return c.brokers.map((b) => ({
    id: b.id,
    pid: b.pid,
    port: b.port,
    process: processState(b.pid),
  }));
}

const status: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Live brokers with endpoints, the controller id and epoch',
  builder: (y: Argv) =>
    withZk(y)
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .example(
        '$0 cluster status --zk 127.0.0.1:2181/kzoo --json',
        'cluster state as JSON',
      ) as Argv<StatusArgs>,
  handler: (args) =>
    run(async () => {
      const s = await withZkClient(args, clusterStatus);
      const members = clusterMembers(args.zk);
      if (args.json) {
        process.stdout.write(JSON.stringify(members ? { ...s, members } : s, null, 2) + '\n');
        return;
      }
      let text = formatClusterStatus(s);
      const registered = new Set(s.brokers.map((b) => b.id));
      for (const m of members ?? [])
        if (!registered.has(m.id))
          text += `\n  ${m.id}  not registered (pid ${m.pid}: ${m.process})`;
      process.stdout.write(text + '\n');
    }),
};

export const clusterCommand: CommandModule = {
  command: 'cluster <command>',
  describe: 'Start, inspect and stop a local kzoo cluster',
  builder: (y: Argv) =>
    y
      .command(clusterUpCommand)
      .command(status)
      .command(clusterDownCommand)
      .demandCommand(1, 'name a cluster command: up, status or down'),
  handler: () => undefined,
};
