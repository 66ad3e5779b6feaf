// `kzoo experiment run --ui`'s fault buttons on an experiment's cluster (broker processes,
// every link through its own proxy): a broker cut off from ZooKeeper by the button loses its
// registration while its process lives, and the heal button brings it back; the process
// faults work too; an action the cluster does not offer is refused, naming those it does.
// The page, in headless Chromium, draws the offered buttons: all eight for a live broker,
// restart and heal for a dead one; when its server goes away it shows "disconnected",
// and it reconnects by itself to a server started again on the same port.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { setLogLevel } from '@kzoo/common';
import { ExperimentCluster } from '@kzoo/experiments';
import { freePorts, waitFor } from '@kzoo/testkit';
import { onCleanup, testZkServers } from '@kzoo/testkit/jest';
import { LINK_FAULTS, PROCESS_FAULTS, UiServer } from '@kzoo/ui';
import { experimentFaults } from '../src/commands/experiment';

jest.setTimeout(240_000);
beforeAll(() => setLogLevel('error'));

async function fault(url: string, action: string, id: number) {
  const res = await fetch(`${url}/api/fault/${action}/${id}`, {
    method: 'POST',
    headers: { 'x-kzoo-ui': '1' },
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string; error?: string } };
}

describe('cli > experiment run --ui: fault buttons on the experiment cluster', () => {
  it('link faults cut one broker off ZooKeeper and heal it; process faults act; the page draws them and reconnects; others are refused', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-exp-ui-'));
    onCleanup(() => fs.rmSync(workDir, { recursive: true, force: true }));
    const cluster = await ExperimentCluster.start({
      brokers: 3,
      zookeeperNodes: 1,
      zk: testZkServers(),
      sessionTimeoutMs: 3000,
      brokerConfig: {},
      workDir,
      network: true,
    });
    onCleanup(() => cluster.close());
    const [port] = await freePorts(1);
    const startUi = () =>
      UiServer.start({
        zk: cluster.zkConnect,
        port,
        faults: experimentFaults(cluster),
        faultActions: [...PROCESS_FAULTS, ...LINK_FAULTS],
      });
    let ui = await startUi();
    onCleanup(() => ui.close());
    const state = async () =>
      (await (await fetch(`${ui.url}/api/state`)).json()) as {
        faults: boolean;
        faultActions: string[];
        brokers: { id: number; alive: boolean }[];
      };
    const registered = async () => new Set(await cluster.zkClient.getSortedBrokerList());
    await waitFor('three brokers registered', async () => (await registered()).size === 3);

    // The page is told which buttons to draw.
    expect((await state()).faultActions).toEqual([
      'kill',
      'pause',
      'resume',
      'restart',
      'isolate-zookeeper',
      'isolate-brokers',
      'isolate-clients',
      'heal',
    ]);

    // Cut off from ZooKeeper: the session expires, the registration goes, the process lives.
    const cut = await fault(ui.url, 'isolate-zookeeper', 2);
    expect(cut).toEqual({
      status: 200,
      body: { ok: true, outcome: 'broker 2 cut off from the zookeeper' },
    });
    await waitFor('broker 2 unregistered', async () => !(await registered()).has(2), {
      timeoutMs: 60_000,
    });
    expect(process.kill(cluster.broker(2).pid!, 0)).toBe(true);
    await waitFor('the page shows broker 2 dead', async () =>
      (await state()).brokers.some((b) => b.id === 2 && !b.alive),
    );

    // Heal: it registers again.
    expect((await fault(ui.url, 'heal', 2)).body.outcome).toBe('broker 2: its links healed');
    await waitFor('broker 2 registered again', async () => (await registered()).has(2), {
      timeoutMs: 60_000,
    });

    // A process fault on the same cluster.
    const pid = cluster.broker(3).pid!;
    expect((await fault(ui.url, 'kill', 3)).body.outcome).toBe('broker 3 killed (SIGKILL)');
    expect(() => process.kill(pid, 0)).toThrow();

    // The page draws the buttons offered: all for a live broker, restart and heal for a dead one.
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    onCleanup(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(ui.url);
    const buttons = async (id: number) => {
      const all = page.locator(`[data-testid="broker-${id}"] button`);
      const out: (string | null)[] = [];
      for (let i = 0; i < (await all.count()); i++)
        out.push(await all.nth(i).getAttribute('data-fault'));
      return out;
    };
    await waitFor('broker 3 drawn dead', async () =>
      (await page.getAttribute('[data-testid="broker-3"]', 'data-alive')) === 'false'
        ? true
        : undefined,
    );
    expect(await buttons(1)).toEqual([...PROCESS_FAULTS, ...LINK_FAULTS]);
    expect(await buttons(3)).toEqual(['restart', 'heal']);

    // The feed has the button presses.
    const events = (await (await fetch(`${ui.url}/api/events`)).json()) as { text: string }[];
    expect(events.some((e) => e.text.includes('broker 2 cut off from the zookeeper'))).toBe(true);

    // The server goes away and comes back on the same port: the page reconnects by itself.
    const conn = () => page.textContent('#conn');
    expect(await conn()).toBe('live');
    await ui.close();
    await waitFor('the page shows disconnected', async () =>
      (await conn()) === 'disconnected' ? true : undefined,
    );
    ui = await startUi();
    await waitFor(
      'the page live again',
      async () => ((await conn()) === 'live' ? true : undefined),
      { timeoutMs: 30_000 },
    );
    await waitFor('the new snapshot drawn', async () =>
      (await buttons(1)).length === PROCESS_FAULTS.length + LINK_FAULTS.length ? true : undefined,
    );
    // Only the expected failed connections while the server was down.
    expect(problems.filter((p) => !/WebSocket connection .* failed/.test(p))).toEqual([]);

    // The other routes: the znode browser, the page's scripts, and what is not a route.
    const get = async (p: string) => {
      const r = await fetch(`${ui.url}${p}`);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    const ids = await get('/api/znode?path=%2Fbrokers%2Fids');
    expect(ids.status).toBe(200);
    expect((JSON.parse(ids.text) as { children: string[] }).children).toContain('1');
    expect((await get('/api/znode?path=brokers')).status).toBe(400);
    expect((await get('/api/znode?path=%2Fbrokers%2F..%2Fcontroller')).status).toBe(400);
    const script = await get('/app/page/main.js');
    expect([script.status, script.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await get('/app/%2E%2E/%2E%2E/package.json')).status).toBe(404);
    expect((await get('/nowhere')).status).toBe(404);
    expect((await fetch(`${ui.url}/api/state`, { method: 'POST' })).status).toBe(404);

    // Unknown actions and brokers are refused with the reason.
    const unknown = await fault(ui.url, 'explode', 1);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('isolate-zookeeper');
    const nobody = await fault(ui.url, 'pause', 9);
    expect(nobody.status).toBe(409);
    expect(nobody.body.error).toContain('no broker 9');
  });
});
