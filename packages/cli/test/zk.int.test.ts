// `kzoo zk start` in the foreground, and the read commands' errors. Needs `npx tsc -b` first.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaZkClient } from '@kzoo/zk';
import { cliBinPath, freePort, makeTempDir, removeDir, runCli, waitFor } from '@kzoo/testkit';
import { connectTestSession, onCleanup, testZkServers, zkConnectForTest } from '@kzoo/testkit/jest';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cli > kzoo zk', () => {
  it('zk start runs ZooKeeper in the foreground until SIGTERM, keeping its data dir', async () => {
    const port = await freePort();
    const dir = makeTempDir('kzoo-cli-zk-');
    onCleanup(() => removeDir(dir));
    const child = spawn(
      process.execPath,
      [
        cliBinPath(),
        'zk',
        'start',
        '--port',
        String(port),
        '--data-dir',
        dir,
        '--tick-time',
        '500',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KZOO_ZK_LOG_LEVEL: 'warn' },
      },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    onCleanup(async () => {
      // SIGTERM first: the CLI stops its ZooKeeper child (a SIGKILL would orphan it)
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const m = await waitFor(
      'the connect string line',
      () => /zookeeper running at (\S+) \(pid (\d+)/.exec(out) ?? undefined,
      {
        timeoutMs: 15000,
      },
    );
    expect(m[1]).toBe(`127.0.0.1:${port}`);
    const javaPid = Number(m[2]);

    const status = await runCli(['cluster', 'status', '--zk', `127.0.0.1:${port}`, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ clusterId: null, controller: null, brokers: [] });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(alive(javaPid)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'version-2'))).toBe(true);
  });

  it('zk get / zk tree on a missing node exit 1 naming the path', async () => {
    const zk = testZkServers() + '/kzoo-cli-missing';
    const get = await runCli(['zk', 'get', '/nope', '--zk', testZkServers()]);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('kzoo: NoNode: /nope');
    const tree = await runCli(['zk', 'tree', '/brokers', '--zk', zk]);
    expect(tree.code).toBe(1);
    expect(tree.stderr).toContain('NoNode: /brokers');
  });

  it('zk tree and zk get --json: the subtree (with --data) and one znode with its Stat', async () => {
    const connect = zkConnectForTest();
    const zk = new KafkaZkClient(await connectTestSession({ connectString: connect }));
    await zk.setOrCreateEntityConfigs('topics', 'orders', { 'retention.ms': '1000' });
    await zk.setOrCreateEntityConfigs('brokers', '<default>', {});
    const tree = await runCli(['zk', 'tree', '/config', '--data', '--json', '--zk', connect]);
    expect(tree.code).toBe(0);
    expect(JSON.parse(tree.stdout)).toEqual([
      { path: '/config', data: null },
      ...['brokers', 'topics'].flatMap((t) => [
        { path: `/config/${t}`, data: null },
        t === 'topics'
          ? {
              path: '/config/topics/orders',
              data: '{"version":1,"config":{"retention.ms":"1000"}}',
            }
          : { path: '/config/brokers/<default>', data: '{"version":1,"config":{}}' },
      ]),
    ]);
    const plain = await runCli(['zk', 'tree', '/config', '--json', '--zk', connect]);
    expect(JSON.parse(plain.stdout)[2]).toEqual({ path: '/config/brokers/<default>' });
    const get = await runCli(['zk', 'get', '/config/topics/orders', '--json', '--zk', connect]);
    expect(get.code).toBe(0);
    const got = JSON.parse(get.stdout);
    expect(got).toMatchObject({
      path: '/config/topics/orders',
      data: '{"version":1,"config":{"retention.ms":"1000"}}',
      stat: { version: 0, numChildren: 0, ephemeralOwner: null, dataLength: 46 },
    });
    expect(got.stat.ctime).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('every command has --help with an example', async () => {
    for (const cmd of [
      ['zk', 'start'],
      ['zk', 'tree'],
      ['zk', 'get'],
      ['broker', 'start'],
      ['cluster', 'status'],
      [],
    ]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
    const bad = await runCli(['nonsense']);
    expect(bad.code).not.toBe(0);
  });

  it('zk start on a port another ZooKeeper serves fails without saying "running"', async () => {
    const busy = testZkServers().split(',')[0]; // the run's ZooKeeper
    const port = busy.slice(busy.lastIndexOf(':') + 1);
    const r = await runCli(['zk', 'start', '--port', port], {
      env: { KZOO_ZK_LOG_LEVEL: 'warn' },
      timeoutMs: 60000,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/running/);
    expect(r.stderr).toMatch(new RegExp(`kzoo: 127\\.0\\.0\\.1:${port} is already in use`));
  });

  it('the ZooKeeper log lines carry wall-clock timestamps, not milliseconds since start', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [cliBinPath(), 'zk', 'start', '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KZOO_ZK_LOG_LEVEL: 'info' },
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    onCleanup(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor('zookeeper running', () => /zookeeper running at/.test(stdout), {
      timeoutMs: 30000,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stderr.split('\n').filter((l) => / INFO /.test(l));
    expect(lines.length).toBeGreaterThan(0);
    const year = new Date().getUTCFullYear();
    for (const l of lines)
      expect(l).toMatch(new RegExp(`^${year}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}`));
  }, 60000);

  it('SIGTERM while zk start is still starting leaves no ZooKeeper JVM behind', async () => {
    /** pids whose command line names `dir` (the JVM reads `dir`/zoo.cfg). */
    const holders = (dir: string) =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
          } catch {
            return false;
          }
        })
        .map(Number);
    for (const delayMs of [500, 900, 1300]) {
      const dir = makeTempDir('kzoo-cli-zk-early-');
      onCleanup(() => {
        for (const p of holders(dir)) process.kill(p, 'SIGKILL');
        removeDir(dir);
      });
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [cliBinPath(), 'zk', 'start', '--port', String(port), '--data-dir', dir],
        { stdio: 'ignore', env: { ...process.env, KZOO_ZK_LOG_LEVEL: 'warn' } },
      );
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGTERM');
      await exited;
      await waitFor(
        `no process left on ${dir} (SIGTERM after ${delayMs} ms)`,
        () => holders(dir).length === 0,
        {
          timeoutMs: 15000,
        },
      );
    }
  }, 90000);
});
