/**
 * The live view end to end (compiled JS: run `npx tsc -b` first): three broker
 * processes, the UI server in this process, the page in Debian's headless Chromium
 * (playwright-core) with every request to another origin refused. A partition leader is
 * SIGKILLed: the page must show the new leader, the shrunk ISR and the election event
 * within 2 s of the controller's write of the state znode (measured from the znode's
 * mtime, read back from ZooKeeper). A produce moves the consumer group's lag on the
 * page. No console errors. KZOO_UI_SCREENSHOTS=<dir> also saves the page healthy and
 * during the failover (scripts/ui-screenshots.sh).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Admin, Producer } from '@kzoo/client';
import { freePorts, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { UiServer } from '../src';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = process.env.KZOO_UI_SCREENSHOTS;

function randomName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

describe('ui > live view in headless Chromium', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: run scripts/bootstrap.sh (it installs Debian's chromium)`,
      );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a failover (new leader, shrunk ISR, election event) within 2 s of the state znode write, and group lag after a produce', async () => {
    const cluster = await TestCluster.start({ brokers: [], sessionTimeoutMs: 4000 });
    const metricsPorts = await freePorts(3);
    await Promise.all(
      [1, 2, 3].map((id) =>
        cluster.startBroker(id, {
          'kzoo.metrics.port': metricsPorts[id - 1],
          'replica.fetch.wait.max.ms': 100,
        }),
      ),
    );
    const controller = (await cluster.waitForController()).brokerId;
    await cluster.waitForMetadata();
    // The partition's leader is not the controller, so killing it moves one thing only.
    const leader = [1, 2, 3].find((id) => id !== controller)!;
    const followers = [1, 2, 3].filter((id) => id !== leader);
    const topic = randomName('ui');
    const group = randomName('ui-group');
    const bootstrap = cluster.nativeBootstrap().join(',');
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());

    const ui = await UiServer.start({
      zk: cluster.zk,
      port: 0,
      pollIntervalMs: 300,
      metricsUrl: (id) =>
        id >= 1 && id <= 3 ? `http://127.0.0.1:${metricsPorts[id - 1]}` : undefined,
    });
    onCleanup(() => ui.close());

    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    onCleanup(() => page.close());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.route('**/*', (route) =>
      route.request().url().startsWith(ui.url)
        ? route.continue()
        : route.abort().then(() => problems.push(`request elsewhere: ${route.request().url()}`)),
    );
    await page.goto(ui.url);
    // The topic is created with the page open: its creation and first leader are events.
    await admin.createTopics([{ topic, replicaAssignment: { 0: [leader, ...followers] } }]);

    const row = page.locator(`[data-testid="partition-${topic}-0"]`);
    const isrOf = async () =>
      ((await row.getAttribute('data-isr')) ?? '').split(',').sort().join(',');
    await waitFor(
      'the page to show the partition led by its first replica with a full ISR',
      async () =>
        (await row.count()) === 1 &&
        (await row.getAttribute('data-leader')) === String(leader) &&
        (await isrOf()) === '1,2,3',
      { timeoutMs: 20000, intervalMs: 50 },
    );
    await waitFor(
      'the page to show the controller from /controller',
      async () =>
        (await page.locator('[data-testid="controller"] b').textContent()) === String(controller),
      { timeoutMs: 10000, intervalMs: 50 },
    );

    // Consumer group lag: offsets committed at 0, then 5 records, then 3 more.
    await admin.alterConsumerGroupOffsets(group, [{ topic, partition: 0, offset: 0 }]);
    const producer = new Producer({ 'bootstrap.servers': bootstrap, acks: -1 });
    onCleanup(() => producer.close({ timeoutMs: 1000 }));
    const lagCell = page.locator(`[data-testid="group-${group}-${topic}-0"]`);
    const lag = async () =>
      (await lagCell.count()) === 1 ? await lagCell.getAttribute('data-lag') : null;
    await producer.send(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ value: `a${i}` })),
    );
    await waitFor('the page to show lag 5', async () => (await lag()) === '5', {
      timeoutMs: 15000,
      intervalMs: 50,
    });
    await producer.send(
      topic,
      Array.from({ length: 3 }, (_, i) => ({ value: `b${i}` })),
    );
    await waitFor(
      'the lag on the page to grow to 8 after the produce',
      async () => (await lag()) === '8',
      {
        timeoutMs: 15000,
        intervalMs: 50,
      },
    );
    await waitFor(
      "the page to show each replica's log end offset 8",
      async () => (await row.innerText()).includes(`${leader}:8`),
      { timeoutMs: 15000, intervalMs: 100 },
    );
    await shot(page, 'ui-healthy.png');

    // SIGKILL the leader. The controller elects a follower once the session expires and
    // writes the state znode; the page must show it within 2 s of that write.
    await cluster.broker(leader).kill('SIGKILL');
    const seen = await waitFor(
      'the page to show a new leader',
      async () => {
        const l = await row.getAttribute('data-leader');
        return l !== null && l !== String(leader) && l !== '-1'
          ? { at: Date.now(), leader: Number(l) }
          : undefined;
      },
      { timeoutMs: 30000, intervalMs: 20 },
    );
    expect(followers).toContain(seen.leader);
    const state = await cluster.zkClient.getTopicPartitionStateAndStat({ topic, partition: 0 });
    expect(state?.state.leader).toBe(seen.leader);
    const mtime = state!.stat.mtime;
    // The ISR the page shows is the shrunk one, and the election is in the feed.
    await waitFor(
      'the shrunk ISR and the election event on the page',
      async () =>
        (await isrOf()) === followers.join(',') &&
        (await page
          .locator(`#events li[data-kind="election"][data-election="clean"][data-topic="${topic}"]`)
          .count()) === 1,
      { timeoutMs: 2000, intervalMs: 20 },
    );
    const shownWithinMs = Date.now() - mtime;
    // The state znode is written once for the election (leader and ISR together); the
    // page showed all of it within 2 s of the write (ZooKeeper's clock is this machine's).
    expect(seen.at - mtime).toBeLessThan(2000);
    expect(shownWithinMs).toBeLessThan(2000 + 100);
    // The znode browser: down to the partition's state znode, its JSON decoded.
    for (const z of [
      '/brokers',
      '/brokers/topics',
      `/brokers/topics/${topic}`,
      `/brokers/topics/${topic}/partitions`,
      `/brokers/topics/${topic}/partitions/0`,
      `/brokers/topics/${topic}/partitions/0/state`,
    ]) {
      const node = page.locator(`[data-znode="${z}"]`);
      await waitFor(`${z} in the znode tree`, async () => (await node.count()) === 1, {
        timeoutMs: 5000,
        intervalMs: 20,
      });
      await node.click();
    }
    await waitFor(
      'the decoded state znode',
      async () => {
        const text = (await page.locator('#zdata').textContent()) ?? '';
        return text.includes(`"leader": ${seen.leader}`) && text.includes('"isr": [');
      },
      { timeoutMs: 5000, intervalMs: 20 },
    );
    await shot(page, 'ui-failover.png');
    const health = await row.getAttribute('data-health');
    expect(health).toBe('under-replicated');
    expect(await page.locator(`[data-testid="broker-${leader}"]`).getAttribute('data-alive')).toBe(
      'false',
    );
    expect(problems).toEqual([]);
    console.log(
      `ui e2e: new leader on the page ${seen.at - mtime} ms after the state znode's mtime`,
    );
  });
});
