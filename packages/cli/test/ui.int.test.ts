// `kzoo ui` on a `kzoo cluster up` cluster, as real processes: fault buttons act on the
// cluster file's brokers (and only with the UI's header), are off when bound off loopback,
// and the brokers serve /metrics on the ports the cluster file records. Needs `npx tsc -b`.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  cliBinPath,
  makeTempDir,
  removeDir,
  runCli,
  SETTLE_TIMEOUT_MS,
  trackChild,
  waitFor,
} from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';

interface ClusterFileJson {
  zk: string;
  zookeeper?: { pid: number };
  brokers: { id: number; pid: number; metricsPort?: number }[];
}

function tempCluster() {
  const dir = makeTempDir('kzoo-ui-');
  const file = path.join(dir, 'cluster.json');
  // info: the brokers' state.change lines (their log files) feed the UI's event list
  const env = { KZOO_CLUSTER_FILE: file, KZOO_LOG_LEVEL: 'info' };
  onCleanup(async () => {
    // cluster down stops the brokers and ZooKeeper's JVM; anything left is SIGKILLed.
    let c: ClusterFileJson | null = null;
    try {
      c = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterFileJson;
    } catch {
      /* no cluster file */
    }
    await runCli(['cluster', 'down', '--timeout-ms', '5000'], { env, timeoutMs: 30000 });
    try {
      if (!c) throw new Error('no cluster file');
      for (const p of [...c.brokers.map((b) => b.pid), c.zookeeper?.pid ?? -1])
        if (p > 1)
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
    } catch {
      /* no cluster file */
    }
    removeDir(dir);
  });
  return { dir, file, env };
}

/** Starts `kzoo ui ...args` and resolves with its URL and its stdout line. */
async function startUi(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; line: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [cliBinPath(), 'ui', '--port', '0', ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  trackChild(child);
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const m = await waitFor(
    'kzoo ui to print its URL',
    async () => {
      if (child.exitCode !== null) throw new Error(`kzoo ui exited ${child.exitCode}: ${err}`);
      return /kzoo ui at (http:\/\/\S+) .*/.exec(out) ?? undefined;
    },
    { timeoutMs: SETTLE_TIMEOUT_MS },
  );
  return { url: m[1], line: m[0] };
}

async function fault(url: string, what: string, header: boolean) {
  const res = await fetch(`${url}/api/fault/${what}`, {
    method: 'POST',
    headers: header ? { 'x-kzoo-ui': '1' } : {},
  });
  return {
    status: res.status,
    body: (await res.json()) as { ok?: boolean; error?: string; outcome?: string },
  };
}

describe('cli > kzoo ui (processes)', () => {
  it('fault buttons act on the cluster file brokers with the UI header only, and are off when bound off loopback', async () => {
    const { file, env } = tempCluster();
    // cluster up starts a ZooKeeper JVM and 2 broker processes: minutes at load 20 on 2 cores
    const up = await runCli(['cluster', 'up', '--brokers', '2', '--session-timeout-ms', '4000'], {
      env,
      timeoutMs: 180000,
    });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const cluster = JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterFileJson;

    // Every broker serves Prometheus metrics on the port the cluster file records.
    for (const b of cluster.brokers) {
      expect(b.metricsPort).toBeGreaterThan(0);
      const text = await (await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`)).text();
      expect(text).toMatch(/^kafka_controller_kafkacontroller_activecontrollercount [01]$/m);
    }

    const ui = await startUi([], env);
    expect(ui.line).toContain('fault buttons on');
    const state = async () =>
      (await (await fetch(`${ui.url}/api/state`)).json()) as {
        faults: boolean;
        brokers: { id: number; alive: boolean }[];
      };
    expect((await state()).faults).toBe(true);
    await waitFor('both brokers alive on the page state', async () =>
      (await state()).brokers.filter((b) => b.alive).length === 2 ? true : undefined,
    );

    // Without the UI's header (a page of another origin): refused, nothing happens.
    const refused = await fault(ui.url, 'kill/2', false);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain('x-kzoo-ui');
    expect(process.kill(cluster.brokers[1].pid, 0)).toBe(true);
    const unknown = await fault(ui.url, 'explode/2', true);
    expect(unknown.status).toBe(400);

    const stateBefore = new Set(
      ((await (await fetch(`${ui.url}/api/events`)).json()) as { kind: string; text: string }[])
        .filter((e) => e.kind === 'state-change')
        .map((e) => e.text),
    );
    const killed = await fault(ui.url, 'kill/2', true);
    expect(killed.status).toBe(200);
    expect(killed.body.outcome).toContain('broker 2 killed');
    expect(() => process.kill(cluster.brokers[1].pid, 0)).toThrow();
    await waitFor(
      'broker 2 dead in the UI once its session expired',
      async () =>
        (await state()).brokers.find((b) => b.id === 2)?.alive === false ? true : undefined,
      { timeoutMs: SETTLE_TIMEOUT_MS },
    );

    // The event feed has the fault and the controller's state-change log lines about it.
    const events = (await (await fetch(`${ui.url}/api/events`)).json()) as {
      kind: string;
      text: string;
    }[];
    expect(events.some((e) => e.kind === 'fault' && e.text.includes('broker 2 killed'))).toBe(true);
    expect(
      events.some((e) => e.kind === 'broker' && e.text.startsWith('broker 2 deregistered')),
    ).toBe(true);
    // Broker 1 logs the change on its state.change namespace (as controller: broker 2
    // deleted; or it became the controller): new state-change events from broker 1.
    await waitFor('a state-change line of broker 1 after the kill in the feed', async () => {
      const now = (await (await fetch(`${ui.url}/api/events`)).json()) as typeof events;
      return now.some(
        (e) =>
          e.kind === 'state-change' && e.text.startsWith('broker 1: ') && !stateBefore.has(e.text),
      )
        ? true
        : undefined;
    });

    // Bound off loopback: no fault buttons, whatever the cluster file says.
    const open = await startUi(['--bind', '0.0.0.0'], env);
    expect(open.line).toContain('no fault buttons');
    const off = await fault(open.url.replace('0.0.0.0', '127.0.0.1'), 'kill/1', true);
    expect(off.status).toBe(403);
    expect(off.body.error).toBe('fault buttons are off for this cluster');
    expect(process.kill(cluster.brokers[0].pid, 0)).toBe(true);
  }, 420000);
});
