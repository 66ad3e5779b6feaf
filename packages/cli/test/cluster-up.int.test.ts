// `kzoo cluster up` when things go wrong, as real processes: a broker that dies at start
// ends the wait at once and rolls back; SIGINT during `up` rolls back; `cluster down` with
// nothing up is a note and exit 0. Needs `npx tsc -b` first.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  cliBinPath,
  portIsFree,
  makeTempDir,
  removeDir,
  runCli,
  trackChild,
  waitFor,
} from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { kzooNodeArgs } from '@kzoo/common';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every pid `up` wrote to the cluster file or the ZooKeeper log (the java server). */
function pidsOf(dir: string): number[] {
  const pids: number[] = [];
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    for (const b of c.brokers) pids.push(b.pid);
    if (c.zookeeper) pids.push(c.zookeeper.pid);
  } catch {
    /* no file (yet) */
  }
  try {
    const m = /\(pid ([\d,]+)/.exec(fs.readFileSync(path.join(dir, 'zookeeper.log'), 'utf8'));
    for (const p of m ? m[1].split(',') : []) if (Number(p) > 1) pids.push(Number(p));
  } catch {
    /* no log */
  }
  return pids;
}

function tempCluster() {
  const dir = makeTempDir('kzoo-up-');
  const seen = new Set<number>();
  onCleanup(() => {
    for (const p of [...seen, ...pidsOf(dir)]) if (alive(p)) process.kill(p, 'SIGKILL');
    removeDir(dir);
  });
  const env = { KZOO_CLUSTER_FILE: path.join(dir, 'cluster.json'), KZOO_LOG_LEVEL: 'warn' };
  return { dir, env, seen };
}

describe('cli > cluster up failing (processes)', () => {
  it('a broker that dies at start ends the wait at once with its last log lines, rolls back, and the next up works', async () => {
    const { dir, env, seen } = tempCluster();
    const t0 = Date.now();
    const bad = await runCli(
      ['cluster', 'up', '--brokers', '2', '--override', 'log.retention.ms=banana'],
      { env, timeoutMs: 90000 },
    );
    const took = Date.now() - t0;
    for (const p of pidsOf(dir)) seen.add(p);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broker \d exited before the cluster was ready/);
    // the broker's own last words, from its log
    expect(bad.stderr).toMatch(/Invalid value banana for configuration log\.retention\.ms/);
    expect(bad.stderr).toMatch(/stopped what `cluster up` started/);
    expect(took).toBeLessThan(30000); // not the 60 s --timeout-ms
    expect(fs.existsSync(path.join(dir, 'cluster.json'))).toBe(false);
    await waitFor('everything up started is gone', () => [...seen].every((p) => !alive(p)), {
      timeoutMs: 15000,
    });

    const good = await runCli(['cluster', 'up', '--brokers', '1', '--session-timeout-ms', '2000'], {
      env,
      timeoutMs: 90000,
    });
    for (const p of pidsOf(dir)) seen.add(p);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const down = await runCli(['cluster', 'down'], { env, timeoutMs: 60000 });
    expect(down.code).toBe(0);
  }, 180000);

  it('SIGINT during cluster up stops what it started and exits 130', async () => {
    const { dir, env, seen } = tempCluster();
    const child = spawn(
      process.execPath,
      [cliBinPath(), 'cluster', 'up', '--brokers', '2', '--session-timeout-ms', '2000'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    // once a broker is starting (in the cluster file), interrupt
    await waitFor(
      'a broker in the cluster file',
      () => {
        try {
          const c = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
          return c.brokers.length > 0;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30000, intervalMs: 20 },
    );
    for (const p of pidsOf(dir)) seen.add(p);
    const t0 = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(30000); // not the 60 s --timeout-ms
    for (const p of pidsOf(dir)) seen.add(p);
    expect(stderr).toMatch(/interrupted: stopped what `cluster up` started/);
    expect(fs.existsSync(path.join(dir, 'cluster.json'))).toBe(false);
    await waitFor('every process gone', () => [...seen].every((p) => !alive(p)), {
      timeoutMs: 15000,
    });
  }, 120000);

  it('cluster down with nothing up exits 0 with a note', async () => {
    const { env } = tempCluster();
    const r = await runCli(['cluster', 'down'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /no cluster is up \(no cluster file at .*cluster\.json\); nothing to stop/,
    );
  });

  it('a stale cluster file whose pid now belongs to another process: kill and down refuse to signal it, saying so', async () => {
    const { dir, env } = tempCluster();
    // an unrelated process holding the pid the file names (as after a reboot)
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    trackChild(other);
    onCleanup(() => void other.kill('SIGKILL'));
    const pid = other.pid!;
    const file = path.join(dir, 'cluster.json');
    const broker = {
      id: 1,
      pid,
      port: 1,
      dataDir: path.join(dir, 'broker-1'),
      log: path.join(dir, 'broker-1.log'),
      startTime: '1', // long before this sleep started
      cmdline: `${process.execPath} ${cliBinPath()} broker start --id 1`,
    };
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        zk: '127.0.0.1:1',
        sessionTimeoutMs: 6000,
        overrides: [],
        brokers: [broker],
        createdAt: new Date().toISOString(),
      }),
    );
    for (const cmd of ['kill', 'pause', 'stop']) {
      const r = await runCli(['broker', cmd, '--id', '1'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `broker 1 is not running: pid ${pid} is now another process .*sleep 120.*; not signalling it`,
        ),
      );
    }
    // only the command line differs (same start time): refused too
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    broker.startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    c.brokers = [broker];
    fs.writeFileSync(file, JSON.stringify(c));
    const k = await runCli(['broker', 'kill', '--id', '1'], { env });
    expect(k.stderr).toMatch(/is now another process \(sleep 120\)/);
    const down = await runCli(['cluster', 'down', '--timeout-ms', '2000'], { env });
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(
      `broker 1 (pid ${pid}): not signalled: pid ${pid} is now another process`,
    );
    expect(alive(pid)).toBe(true);
    expect(other.exitCode).toBeNull();
  }, 60000);

  it('cluster up --port BASE: brokers on BASE, BASE+1, Kafka listeners on BASE+10000, ...; a busy one is refused', async () => {
    const { dir, env, seen } = tempCluster();
    // a base whose four ports are free now
    let base = 0;
    for (let i = 0; i < 50 && base === 0; i++) {
      const b = 20000 + Math.floor(Math.random() * 30000);
      const free = await Promise.all([b, b + 1, b + 10000, b + 10001].map((p) => portIsFree(p)));
      if (free.every(Boolean)) base = b;
    }
    expect(base).toBeGreaterThan(0);
    const up = await runCli(
      ['cluster', 'up', '--brokers', '2', '--port', String(base), '--session-timeout-ms', '2000'],
      { env, timeoutMs: 90000 },
    );
    for (const p of pidsOf(dir)) seen.add(p);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`bootstrap servers 127.0.0.1:${base},127.0.0.1:${base + 1}\n`);
    expect(up.stdout).toContain(
      `kafka bootstrap servers 127.0.0.1:${base + 10000},127.0.0.1:${base + 10001}`,
    );
    // each broker runs with kzoo's broker node flags (process-env.ts), as its command line shows
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    for (const b of file.brokers as Array<{ pid: number }>) {
      const argv = fs.readFileSync(`/proc/${b.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 1 + kzooNodeArgs().length)).toEqual(kzooNodeArgs());
      expect(argv).toContain('--single-threaded-gc');
    }
    const status = await runCli(['cluster', 'status', '--json'], { env });
    expect(
      JSON.parse(status.stdout).brokers.map((b: { endpoints: string[] }) => b.endpoints),
    ).toEqual([
      [`PLAINTEXT://127.0.0.1:${base}`, `KAFKA://127.0.0.1:${base + 10000}`],
      [`PLAINTEXT://127.0.0.1:${base + 1}`, `KAFKA://127.0.0.1:${base + 10001}`],
    ]);
    // a second cluster on the same ports: refused before anything starts
    const other = tempCluster();
    const busy = await runCli(['cluster', 'up', '--brokers', '1', '--port', String(base)], {
      env: other.env,
    });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(`kzoo: ports ${base}, ${base + 10000} already in use\n`);
    expect(fs.existsSync(path.join(other.dir, 'cluster.json'))).toBe(false);
    const bad = await runCli(['cluster', 'up', '--port', '65000'], { env: other.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be an integer from 1 to/);
    const down = await runCli(['cluster', 'down'], { env, timeoutMs: 60000 });
    expect(down.code).toBe(0);
  }, 150000);
});
