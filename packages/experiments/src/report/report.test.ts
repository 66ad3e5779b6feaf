import { check } from '../checker/check';
import { history, ok, read, state } from '../checker/testing.test-helpers';
import type { ClusterEvent, History } from '../history';
import { renderHtml } from './html';
import { REPORT_FORMAT, renderJson } from './json';
import { matrixRows, renderMatrix } from './matrix';
import { renderTerminal } from './terminal';
import { faultSpans } from './timeline';

const v = (id: number) => `v${id}`;

/** acks=1: broker 1 acknowledges v1, broker 2 takes over cleanly, broker 1 truncates it. */
function lossy(): History {
  const trunc: ClusterEvent = {
    t: 900,
    type: 'truncation',
    brokerId: 1,
    partition: 0,
    fromOffset: 2,
    toOffset: 1,
  };
  return history({
    config: { acks: 1, minInsyncReplicas: 1, partitions: 2 },
    sends: [ok(0, 0), ok(1, 1), ok(2, 0, { partition: 1, leader: 2 })],
    faults: [
      { t: 100, phase: 'start', kind: 'kill', role: 'leader of t-0', target: 'broker 1' },
      { t: 800, phase: 'end', kind: 'kill', role: 'leader of t-0', target: 'broker 1' },
      { t: 950, phase: 'start', kind: 'heal', role: 'everything', target: 'all' },
    ],
    cluster: [
      { t: 0, type: 'controller', brokerId: 2, controllerEpoch: 1 },
      state(0, 1, 0, [1, 2]),
      state(0, 2, 0, [2, 1], { partition: 1 }),
      state(500, 2, 1, [2]),
      trunc,
    ],
    finalReads: [
      read(1, [v(0)]),
      read(2, [v(0)]),
      read(1, [{ key: 'k', value: v(2) }], { partition: 1 }),
      read(2, [{ key: 'k', value: v(2) }], { partition: 1 }),
    ],
    samples: [{ t: 0, sent: 3, acked: 3, failed: 0, consumed: 0 }],
  });
}

describe('experiments > report', () => {
  describe('renderTerminal', () => {
    it('prints counts, a row per partition, the lost records with their explanation and the verdict', () => {
      const h = lossy();
      const text = renderTerminal(check(h), h);
      expect(text).toContain('sends 3: 3 acknowledged, 0 failed, 0 unknown');
      expect(text).toMatch(/lost 1 {2}consumer-observed loss 0 {2}duplicated 0/);
      expect(text).toMatch(/^ {2}partition +leader +isr/m);
      expect(text).toMatch(
        /^ +0 +2 +2 +1 +2 +2 +1 +0 +1 +.*0\.4 s after kill broker 1 \(leader of t-0\)$/m,
      );
      expect(text).toContain(
        'lost acknowledged records (1), by cause:\n  1 on p0: acknowledged by broker 1 as leader at epoch 0 (offset 1); broker 2 was elected',
      );
      expect(text).toContain(
        'v1 key k seq 1 p0: acknowledged by broker 1 as leader at epoch 0 (offset 1); broker 2 was elected leader at epoch 1 from the ISR [1,2]',
      );
      expect(text).toContain('verdict: OK, every expectation of this configuration held');
      expect(text).toMatch(
        /~ no-acknowledged-loss: .*\(found 1\), not promised: loss is allowed with acks=1/,
      );
    });

    it('caps the lost records it lists', () => {
      const h = history({
        config: { acks: 1 },
        sends: [0, 1, 2, 3, 4].map((i) => ok(i, i)),
        cluster: [state(0, 1, 0, [1])],
        finalReads: [read(1, [])],
      });
      const text = renderTerminal(check(h), h, { maxLost: 2 });
      expect(text.match(/^ {2}v\d+ key/gm)).toHaveLength(2);
      expect(text).toContain('... and 3 more (see the JSON report)');
    });

    it('says VIOLATED and names the violation', () => {
      const h = history({
        sends: [ok(0, 0), ok(1, 1)],
        cluster: [state(0, 1, 0, [1, 2])],
        finalReads: [read(1, [v(0)]), read(2, [v(0)])],
      });
      const text = renderTerminal(check(h), h);
      expect(text).toContain('verdict: VIOLATED, 1 expectation(s) of this configuration failed');
      expect(text).toMatch(/✗ no-acknowledged-loss: .*\(found 1\)$/m);
    });
  });

  describe('renderJson', () => {
    it('has the format tag and the keys in the documented order, and round-trips', () => {
      const h = lossy();
      const r = check(h);
      const json = JSON.parse(renderJson(r)) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual([
        'format',
        'scenario',
        'seed',
        'ok',
        'violations',
        'warnings',
        'config',
        'counts',
        'expectations',
        'partitions',
        'lossCauses',
        'lost',
        'consumerObservedLoss',
        'duplicates',
        'reordered',
        'phantoms',
        'failedButPresent',
        'divergences',
        'inconsistentOffsets',
        'commitRegressions',
      ]);
      expect(json.format).toBe(REPORT_FORMAT);
      const { format: _f, ...rest } = json;
      expect(rest).toEqual(JSON.parse(JSON.stringify(r)));
    });
  });

  describe('renderMatrix', () => {
    const run = (over: Parameters<typeof history>[0], scenario: string) => {
      const h = history(over);
      h.meta.scenario = scenario;
      return check(h);
    };
    const lossyRun = (scenario: string, acks: 1 | -1, unclean = false) =>
      run(
        {
          config: { acks, uncleanLeaderElection: unclean, minInsyncReplicas: acks === 1 ? 1 : 2 },
          sends: [ok(0, 0), ok(1, 1)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        },
        scenario,
      );
    const cleanRun = (scenario: string) =>
      run(
        {
          sends: [ok(0, 0)],
          cluster: [state(0, 1, 0, [1])],
          finalReads: [read(1, [v(0)])],
        },
        scenario,
      );

    it('sums runs per configuration and scenario', () => {
      const rows = matrixRows([
        lossyRun('leader-kill', 1),
        lossyRun('leader-kill', 1),
        cleanRun('leader-kill'),
        lossyRun('leader-pause', -1),
      ]);
      expect(rows).toEqual([
        {
          scenario: 'leader-kill',
          config: {
            acks: 1,
            minInsyncReplicas: 1,
            uncleanLeaderElection: false,
            idempotence: true,
          },
          runs: 2,
          acknowledged: 4,
          lost: 2,
          duplicated: 0,
          violatedRuns: 0,
        },
        {
          scenario: 'leader-kill',
          config: {
            acks: -1,
            minInsyncReplicas: 2,
            uncleanLeaderElection: false,
            idempotence: true,
          },
          runs: 1,
          acknowledged: 1,
          lost: 0,
          duplicated: 0,
          violatedRuns: 0,
        },
        {
          scenario: 'leader-pause',
          config: {
            acks: -1,
            minInsyncReplicas: 2,
            uncleanLeaderElection: false,
            idempotence: true,
          },
          runs: 1,
          acknowledged: 2,
          lost: 1,
          duplicated: 0,
          violatedRuns: 1,
        },
      ]);
    });

    it('prints configurations as rows (acks 0, 1, all) and scenarios as columns', () => {
      const rows = matrixRows([
        lossyRun('leader-pause', -1),
        lossyRun('leader-kill', 1),
        cleanRun('leader-kill'),
        lossyRun('leader-kill', -1, true),
      ]);
      const text = renderMatrix(rows);
      const lines = text.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^acks +min\.insync +unclean +idempotence +leader-pause +leader-kill$/,
      );
      expect(lines[1]).toMatch(/^1 +1 +off +on +1\/0$/);
      expect(lines[2]).toMatch(/^all +2 +off +on +1\/0 ✗ +0\/0$/);
      expect(lines[3]).toMatch(/^all +2 +on +on +1\/0$/);
      expect(lines[4]).toMatch(
        /^cells: lost\/duplicated acknowledged records, summed over 1 run\(s\) per cell/,
      );
    });

    it('prints Markdown for the README', () => {
      const text = renderMatrix(matrixRows([cleanRun('leader-kill')]), { markdown: true });
      expect(text.split('\n').slice(0, 3)).toEqual([
        '| acks | min.insync | unclean | idempotence | leader-kill |',
        '| --- | --- | --- | --- | --- |',
        '| all | 2 | off | on | 0/0 |',
      ]);
    });
  });

  describe('renderHtml', () => {
    it('is one self-contained page: no external scripts, styles, fonts or images', () => {
      const h = lossy();
      const html = renderHtml(check(h), h);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/<link\b|<img\b|@import|@font-face|\bsrc=|url\((?!#)/i);
      // the only URL is the SVG namespace, which browsers never fetch
      expect(html.match(/https?:\/\/[^"'\s)]+/g)).toEqual(['http://www.w3.org/2000/svg']);
    });

    it('draws the fault, the leaders, the election, the loss and the truncation', () => {
      const h = lossy();
      const html = renderHtml(check(h), h);
      expect(html).toContain('data-kind="fault" data-fault-kind="kill" data-target="broker 1"');
      expect(html).toMatch(
        /data-kind="leader-segment" data-partition="0" data-leader="1" data-epoch="0"/,
      );
      expect(html).toMatch(
        /data-kind="leader-segment" data-partition="0" data-leader="2" data-epoch="1"/,
      );
      expect(html).toMatch(
        /data-kind="election" data-unclean="false" data-partition="0" data-leader="2"/,
      );
      expect(html.match(/data-kind="lost-ack" data-partition="0"/g)).toHaveLength(1);
      expect(html).toMatch(
        /class="trunc dropped" data-kind="truncation" data-partition="0" data-broker="1"/,
      );
      expect(html).toContain('data-kind="heal"');
      expect(html).toMatch(
        /<h2>Why acknowledged records were lost<\/h2>\n<table>.*<td class="num"><b style="color:var\(--bad\)">1<\/b><\/td><td>t-0<\/td><td>0\.0 s<\/td><td class="expl">acknowledged by broker 1 as leader at epoch 0 \(offset 1\); broker 2 was elected/s,
      );
      expect(html).toContain('data-kind="controller" data-broker="2"');
    });

    it('marks duplicates and broker log lines', () => {
      const h = history({
        sends: [ok(0, 0), ok(1, 1, { tSend: 100, tDone: 900 })],
        cluster: [
          state(0, 1, 0, [1]),
          { t: 500, type: 'log', brokerId: 1, level: 'error', message: 'fetch failed' },
        ],
        finalReads: [read(1, [v(0), v(1), v(1)])],
      });
      const html = renderHtml(check(h), h);
      expect(html).toMatch(
        /class="dup" data-kind="duplicate" data-partition="0"><title>v1 \(key k, seq 1\) duplicated at offsets 1, 2; sent at 0\.1 s, acknowledged at 0\.9 s \(offset 1\)<\/title>/,
      );
      expect(html).toMatch(
        /class="log-mark error" data-kind="log" data-broker="1"><title>0\.5 s broker 1 error: fetch failed<\/title>/,
      );
      expect(html).toContain('lost (0) dup (1)');
    });

    it('escapes what comes from the history', () => {
      const h = lossy();
      h.meta.scenario = '<script>alert(1)</script>';
      h.faults[0].target = 'broker "1" & <b>';
      const html = renderHtml(check(h), h);
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
      expect(html).not.toContain('broker "1" & <b>');
    });

    it('renders an empty history without failing', () => {
      const h = history({ healedAt: undefined });
      const html = renderHtml(check(h), h);
      expect(html).toContain('id="timeline"');
      expect(html).toContain('VIOLATED');
    });
  });

  describe('faultSpans', () => {
    it('pairs each start with its end by kind, role and target; open ones last until the heal', () => {
      const h = history({
        faults: [
          { t: 10, phase: 'start', kind: 'pause', role: 'r', target: 'broker 1' },
          { t: 20, phase: 'start', kind: 'pause', role: 'r', target: 'broker 2' },
          { t: 30, phase: 'start', kind: 'pause', role: 'x', target: 'none', detail: 'not fired' },
          { t: 40, phase: 'end', kind: 'pause', role: 'r', target: 'broker 2' },
          { t: 90, phase: 'start', kind: 'heal', role: 'everything', target: 'all' },
        ],
      });
      expect(faultSpans(h, 100).map((s) => [s.start.target, s.end, s.open])).toEqual([
        ['broker 1', 90, true],
        ['broker 2', 40, false],
      ]);
    });
  });
});
