// `kzoo cluster up` → topic create → produce → broker kill → topic describe --unavailable →
// broker start → leader-election → cluster down, all as real CLI processes with their own
// embedded ZooKeeper; afterwards nothing they started is left running. Needs `npx tsc -b`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cliBinPath, freePorts, makeTempDir, removeDir, runCli, waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { KafkaZkClient } from '@kzoo/zk';
import { clusterDown, clusterUp } from '../src/commands/cluster-up';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function produce(env: NodeJS.ProcessEnv, topic: string, lines: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [cliBinPath(), 'produce', topic, '--acks', '1'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin!.end(lines.join('\n') + '\n');
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('cli > cluster orchestration (processes)', () => {
  it('cluster up, kill a broker, describe unavailable partitions, restart it, cluster down leaves nothing running', async () => {
    const dir = makeTempDir('kzoo-cluster-up-');
    const file = path.join(dir, 'cluster.json');
    const env = { KZOO_CLUSTER_FILE: file, KZOO_LOG_LEVEL: 'warn' };
    const pidsSeen = new Set<number>();
    onCleanup(() => {
      for (const pid of pidsSeen) if (alive(pid)) process.kill(pid, 'SIGKILL');
      removeDir(dir);
    });
    const kzoo = async (...args: string[]) => {
      const r = await runCli(args, { env, timeoutMs: 90000 });
      if (r.code !== 0)
        throw new Error(`kzoo ${args.join(' ')}: ${r.code}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const recordPids = () => {
      const c = JSON.parse(fs.readFileSync(file, 'utf8'));
      for (const b of c.brokers) pidsSeen.add(b.pid);
      pidsSeen.add(c.zookeeper.pid);
      const m = /\(pid ([\d,]+)/.exec(fs.readFileSync(c.zookeeper.log, 'utf8'));
      for (const p of m ? m[1].split(',') : []) if (Number(p) > 1) pidsSeen.add(Number(p));
      return c;
    };

    const up = await kzoo('cluster', 'up', '--brokers', '3', '--session-timeout-ms', '2000');
    expect(up).toMatch(/bootstrap servers 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/);
    const c = recordPids();
    expect(c.brokers.map((b: { id: number }) => b.id)).toEqual([1, 2, 3]);
    expect([...pidsSeen].every(alive)).toBe(true);
    const status = JSON.parse(await kzoo('cluster', 'status', '--json'));
    expect(status.brokers).toHaveLength(3);
    expect(status.controller).not.toBeNull();

    await kzoo('topic', 'create', 'single', '--partitions', '3', '--replication-factor', '1');
    await kzoo('topic', 'create', 'triple', '--partitions', '1', '--replication-factor', '3');
    expect(
      await produce(
        env,
        'single',
        Array.from({ length: 30 }, (_, i) => `r${i}`),
      ),
    ).toBe(0);
    const single = JSON.parse(await kzoo('topic', 'describe', 'single', '--json'));
    const victim: number = single.partitions[0].leader;
    const ledByVictim = single.partitions
      .filter((p: { leader: number }) => p.leader === victim)
      .map((p: { partition: number }) => p.partition);

    const triple = JSON.parse(await kzoo('topic', 'describe', 'triple', '--json'));
    const controllerBefore = JSON.parse(await kzoo('cluster', 'status', '--json')).controller
      ?.brokerId;
    // Kafka's order: a new controller first takes dead replicas out of every ISR (one epoch bump),
    // then elects a leader for the partitions they led (another). A live controller does both in
    // one election. So triple-0 ends at epoch 2 only when the victim was controller and its leader.
    const tripleEpoch =
      victim === controllerBefore && triple.partitions[0].leader === victim ? 2 : 1;

    await kzoo('broker', 'kill', '--id', String(victim));
    const unavailable = await waitFor(
      'the killed broker’s partitions unavailable',
      async () => {
        const out = await kzoo('topic', 'describe', '--unavailable');
        const parts = [...out.matchAll(/Topic: single\tPartition: (\d+)\tLeader: none/g)].map((m) =>
          Number(m[1]),
        );
        return parts.length === ledByVictim.length ? out : undefined;
      },
      { timeoutMs: 15000, intervalMs: 200 },
    );
    expect(unavailable).not.toMatch(/Topic: triple/);
    expect(await kzoo('cluster', 'status')).toMatch(
      new RegExp(`\\n  ${victim}  not registered \\(pid \\d+: exited\\)`),
    );
    const under = await kzoo('topic', 'describe', '--under-replicated-partitions');
    expect(under).toMatch(
      new RegExp(`Topic: triple\\tPartition: 0\\tLeader: \\d+\\tLeaderEpoch: ${tripleEpoch}\\t`),
    );
    expect(under).not.toMatch(/PartitionCount/);

    await kzoo('broker', 'start', '--id', String(victim));
    recordPids();
    await waitFor(
      'no unavailable partition once it is back',
      async () => (await kzoo('topic', 'describe', '--unavailable')).trim() === '',
      { timeoutMs: 15000, intervalMs: 200 },
    );
    const election = await runCli(['leader-election', '--preferred', '--topic', 'single'], {
      env,
    });
    expect(election.stdout).toMatch(/Valid replica already elected for partition single-0/);

    const down = await kzoo('cluster', 'down');
    expect(down).toMatch(/zookeeper \(pid \d+\): stopped/);
    expect(fs.existsSync(file)).toBe(false);
    await waitFor('every process gone', () => [...pidsSeen].every((p) => !alive(p)), {
      timeoutMs: 10000,
    });
  }, 180000);

  it('cluster up and broker start --id start a process again on new ports when another process took its port', async () => {
    const dir = makeTempDir('kzoo-cluster-up-ports-');
    onCleanup(async () => {
      await clusterDown({ dir, purge: false, 'timeout-ms': 10000 });
      removeDir(dir);
    });
    // The ports that `cluster up` picks for ZooKeeper and broker 2's listener are already
    // taken, as when another process binds one between the pick and the process's start.
    const holder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const taken = (holder.address() as net.AddressInfo).port;
    let picks = 0;
    const pickPorts = async (count: number) => {
      const ports = await freePorts(count);
      if (picks++ === 0) ports[0] = ports[2] = taken; // [zk, broker 1, broker 2, kafka 1, kafka 2]
      return ports;
    };
    const c = await clusterUp(
      {
        brokers: 2,
        dir,
        'session-timeout-ms': 4000,
        override: [],
        'timeout-ms': 60000,
      },
      pickPorts,
    );
    const log2 = fs.readFileSync(path.join(dir, 'broker-2.log'), 'utf8');
    expect(log2).toMatch(new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${taken}`));
    const zkLog = fs.readFileSync(path.join(dir, 'zookeeper.log'), 'utf8');
    expect(zkLog).toMatch(new RegExp(`127\\.0\\.0\\.1:${taken} is already in use`));
    expect(c.zookeeper?.port).not.toBe(taken);
    expect(c.zk).toBe(`127.0.0.1:${c.zookeeper?.port}`);
    expect(c.brokers.map((b) => b.id)).toEqual([1, 2]);
    expect(c.brokers[1].port).not.toBe(taken);
    // the cluster file has the second start, and ZooKeeper the broker on its new port
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    expect(file.brokers[1]).toMatchObject({ pid: c.brokers[1].pid, port: c.brokers[1].port });
    const zkc = await KafkaZkClient.connect({ connectString: c.zk, sessionTimeoutMs: 6000 });
    try {
      expect(await zkc.getSortedBrokerList()).toEqual([1, 2]);
      const b2 = await zkc.getBrokerAndEpoch(2);
      expect(b2?.broker.endpoints).toContainEqual(
        expect.objectContaining({ listenerName: 'PLAINTEXT', port: c.brokers[1].port }),
      );

      // `broker start --id 2` after another process took its port while it was down: it is
      // started again on new ports, as `cluster up` does, and says so.
      const oldPort = c.brokers[1].port;
      process.kill(c.brokers[1].pid, 'SIGKILL');
      await waitFor(
        'broker 2 gone from /brokers/ids',
        async () => !(await zkc.getSortedBrokerList()).includes(2),
        { timeoutMs: 30000, intervalMs: 200 },
      );
      const squatter = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => squatter.listen(oldPort, '127.0.0.1', resolve));
      onCleanup(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
      const clusterJson = path.join(dir, 'cluster.json');
      const env = { KZOO_CLUSTER_FILE: clusterJson, KZOO_LOG_LEVEL: 'warn' };
      // Ports the user chose (`cluster up --port`) are never moved: the start fails, saying why.
      const plain = fs.readFileSync(clusterJson, 'utf8');
      fs.writeFileSync(clusterJson, JSON.stringify({ ...JSON.parse(plain), fixedPorts: true }));
      const refused = await runCli(['broker', 'start', '--id', '2'], { env, timeoutMs: 90000 });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(
        /broker 2 exited; last lines of .*broker-2\.log:\n[^]*EADDRINUSE/,
      );
      const flagged = JSON.parse(fs.readFileSync(clusterJson, 'utf8'));
      expect(flagged.brokers[1].port).toBe(oldPort);
      delete flagged.fixedPorts;
      fs.writeFileSync(clusterJson, JSON.stringify(flagged));
      const r = await runCli(['broker', 'start', '--id', '2'], { env, timeoutMs: 90000 });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/broker 2 started .*; on new ports: its old ones were taken/);
      const moved = JSON.parse(fs.readFileSync(clusterJson, 'utf8')).brokers[1];
      expect(moved.port).not.toBe(oldPort);
      expect((await zkc.getBrokerAndEpoch(2))?.broker.endpoints).toContainEqual(
        expect.objectContaining({ listenerName: 'PLAINTEXT', port: moved.port }),
      );
    } finally {
      await zkc.close();
    }
  }, 180000);
});
