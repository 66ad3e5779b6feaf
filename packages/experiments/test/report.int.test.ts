/**
 * The HTML report in a real browser: Debian's headless Chromium driven by playwright-core
 * opens the page from a file, with every network request refused, and the test reads the
 * drawn timeline back from the DOM. Set KZOO_UPDATE_SCREENSHOT=1 to refresh
 * docs/experiment-report.png from the same page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { makeTempDir, removeDir } from '@kzoo/testkit';
import { check, renderHtml, type CheckResult } from '../src';
import type { History } from '../src/history';
import { uncleanFailoverHistory } from './fixtures/unclean-failover';

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

describe('experiments > report > HTML in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let history: History;
  let result: CheckResult;
  let file: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: run scripts/bootstrap.sh (it installs Debian's chromium)`,
      );
    dir = makeTempDir('kzoo-report-');
    history = uncleanFailoverHistory();
    result = check(history);
    file = path.join(dir, 'report.html');
    fs.writeFileSync(file, renderHtml(result, history));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) removeDir(dir);
  });

  it('renders without console errors or network requests, and the timeline shows the faults, the leader changes and the loss', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });

    // the verdict and the counts on top
    expect(await page.textContent('#verdict')).toBe('OK');
    expect(await page.textContent('#summary')).toContain(
      `${result.counts.lost} acknowledged records lost, as this configuration allows`,
    );

    // the faults: chips with their targets, and bands behind the lanes
    const faults = await page.$$eval('#timeline [data-kind="fault"]', (els) =>
      els.map((e) => `${e.getAttribute('data-fault-kind')} ${e.getAttribute('data-target')}`),
    );
    expect(faults).toEqual(['pause broker 2', 'pause broker 3', 'kill broker 1']);
    expect(await page.locator('#timeline [data-kind="fault-band"]').count()).toBe(3);

    // t-0: broker 1 leads, then broker 2 after an unclean election that follows the kill
    const leaders = await page.$$eval(
      '#timeline [data-kind="leader-segment"][data-partition="0"]',
      (els) => els.map((e) => `${e.getAttribute('data-leader')}@${e.getAttribute('data-epoch')}`),
    );
    expect(leaders).toEqual(['1@0', '2@1']);
    const election = page.locator(
      '#timeline [data-kind="election"][data-partition="0"][data-unclean="true"]',
    );
    expect(await election.count()).toBe(1);
    const kill = page.locator('#timeline [data-kind="fault"][data-target="broker 1"] rect');
    const killBox = await kill.boundingBox();
    const electionBox = await election.boundingBox();
    expect(killBox && electionBox).toBeTruthy();
    // drawn to scale: the election sits right of the kill's start, inside its band
    expect(electionBox!.x).toBeGreaterThan(killBox!.x);
    expect(electionBox!.x).toBeLessThan(killBox!.x + killBox!.width);
    // and the controller moved from broker 1 to broker 2
    const controllers = await page.$$eval('#timeline [data-kind="controller"]', (els) =>
      els.map((e) => e.getAttribute('data-broker')),
    );
    expect(controllers).toEqual(['1', '2']);

    // the checker's account of the run the fixture simulates
    expect(result.lost[0].explanation.text).toBe(
      'acknowledged by broker 1 as leader at epoch 0 (offset 68); broker 2 was elected leader at epoch 1 ' +
        'while not in the ISR [1] (unclean, controller epoch 2); broker 1 truncated to offset 68 on rejoining ' +
        '(after the fault "kill broker 1 (leader of t-0)" at 9.0 s)',
    );
    expect(
      result.partitions.map((p) => p.failovers.map((f) => [f.toLeader, f.ms, f.unclean])),
    ).toEqual([
      [[2, 4300, true]],
      [
        [1, 4300, false],
        [3, 4300, true],
      ],
    ]);

    // each lost record is marked where it was acknowledged, with its explanation on hover;
    // the truncation that dropped them is marked on the same lane
    const lostP0 = result.lost.filter((l) => l.partition === 0);
    const ticks = page.locator('#timeline [data-kind="lost-ack"][data-partition="0"]');
    expect(await ticks.count()).toBe(lostP0.length);
    expect(await ticks.first().locator('title').textContent()).toContain(
      lostP0[0].explanation.text,
    );
    const trunc = page.locator('#timeline [data-kind="truncation"][data-partition="0"]');
    expect(await trunc.getAttribute('data-broker')).toBe('1');
    expect(await trunc.getAttribute('class')).toContain('dropped');
    expect(await trunc.locator('title').textContent()).toContain(
      `dropped ${lostP0.length} acknowledged record(s)`,
    );

    // the hover cursor reads the time under the mouse
    const svg = await page.locator('#timeline').boundingBox();
    await page.mouse.move(electionBox!.x + electionBox!.width / 2, svg!.y + 40);
    const label = await page.textContent('#cursor-label');
    expect(Number(label!.replace(' s', ''))).toBeCloseTo(13.3, 0);

    // the tables below
    expect(await page.locator('h2', { hasText: 'Lost acknowledged records' }).count()).toBe(1);
    expect(
      await page.locator('[data-expectation="no-acknowledged-loss"]').getAttribute('data-applies'),
    ).toBe('false');

    if (process.env.KZOO_UPDATE_SCREENSHOT === '1') {
      await page.mouse.move(0, 0);
      await page.setViewportSize({ width: 1280, height: 1040 });
      await page.screenshot({
        path: path.resolve(__dirname, '../../../docs/experiment-report.png'),
      });
    } else {
      await page.screenshot({ path: path.join(dir, 'report.png') });
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
