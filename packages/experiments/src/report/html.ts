/**
 * The HTML report: one self-contained page (inline CSS, SVG and a few lines of JS; no
 * network, no external fonts) with the verdict and counts on top, the timeline, and
 * tables of partitions, lost records with their explanations, other anomalies, faults
 * and cluster events.
 */
import type { CheckResult } from '../checker/types';
import type { History } from '../history';
import { acksName, secs } from './format';
import { brokerColor, brokersOf, esc, faultSpans, LOSS_COLOR, renderTimeline } from './timeline';
import { endOf } from '../checker/availability';
import { promisesNoLoss } from '../checker/expectations';
import { tpKey } from '@kzoo/common';

export { esc as escapeHtml } from './timeline';

export interface HtmlOptions {
  /** At most this many rows per table of records (default 500); the JSON report has them all. */
  maxRows?: number;
}

const CSS = `
:root { --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f7f8fa; --card:#fff; --ok:#1a7f37; --bad:${LOSS_COLOR}; --warn:#b54708; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1240px; margin:0 auto; padding:20px 24px 40px; }
h1 { font-size:22px; margin:0; font-weight:650; }
h2 { font-size:16px; margin:28px 0 10px; font-weight:650; }
header { display:flex; flex-wrap:wrap; align-items:center; gap:12px 16px; }
.badge { font-weight:700; letter-spacing:.04em; padding:4px 12px; border-radius:999px; color:#fff; font-size:13px; }
.badge.ok { background:var(--ok); } .badge.bad { background:var(--bad); }
.meta { color:var(--muted); width:100%; }
.chips { display:flex; flex-wrap:wrap; gap:6px; margin-top:8px; }
.chip { background:#eef2f6; border:1px solid var(--line); border-radius:6px; padding:1px 8px; font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
.chip.risk { background:#fff4e5; border-color:#f5c77e; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(126px,1fr)); gap:8px; margin-top:14px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:6px 10px; }
.card .n { font-size:20px; font-weight:700; font-variant-numeric:tabular-nums; }
.card .l { color:var(--muted); font-size:11.5px; line-height:1.25; }
h3 { font-size:14px; margin:16px 0 6px; }
.summary { margin-top:10px; font-size:15px; }
.summary .violation { color:var(--bad); }
.card.bad { border-color:#f3b4b4; background:#fff5f5; } .card.bad .n { color:var(--bad); }
.card.note .n { color:var(--warn); }
.verdict { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 14px; margin-top:14px; }
.verdict ul { list-style:none; margin:6px 0 0; padding:0; }
.verdict li { padding:2px 0; }
.mark { display:inline-block; width:1.4em; font-weight:700; }
.mark.held { color:var(--ok); } .mark.violated { color:var(--bad); } .mark.allowed { color:var(--warn); } .mark.quiet { color:var(--muted); }
.why { color:var(--muted); }
.warning { color:var(--warn); }
.panel { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px; overflow-x:auto; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; font-size:12px; color:var(--muted); margin:0 0 8px 4px; align-items:center; }
.legend svg { vertical-align:middle; margin-right:4px; }
table { border-collapse:collapse; width:100%; background:var(--card); border:1px solid var(--line); border-radius:10px; overflow:hidden; }
th, td { text-align:left; padding:5px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f2f4f7; font-weight:600; font-size:12px; color:#344054; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
tr:last-child td { border-bottom:none; }
td.expl { max-width:760px; }
.more { color:var(--muted); margin-top:6px; }
code { font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; white-space:nowrap; }
td:first-child { white-space:nowrap; }
footer { color:var(--muted); font-size:12px; margin-top:30px; }
/* timeline */
#timeline { display:block; font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; }
#timeline .lane-label { fill:#475467; font-size:11px; }
#timeline .lane-label.group { font-weight:650; fill:#1d2330; }
#timeline .lane-label.small { font-size:10px; fill:#667085; }
#timeline .lane-label.tiny { font-size:9px; fill:#98a2b3; }
#timeline .lane-label.loss { fill:${LOSS_COLOR}; font-weight:650; }
#timeline .part-label { font-weight:700; font-size:12px; fill:#1d2330; }
#timeline .part-sum { font-weight:400; font-size:11px; fill:#667085; }
#timeline .tick { fill:#667085; font-size:10px; }
#timeline .grid { stroke:#eef0f3; stroke-width:1; }
#timeline .axis { stroke:#c5cad3; }
#timeline .sep { stroke:#e4e7ec; }
#timeline .seg { stroke:#fff; stroke-width:.5; opacity:.9; }
#timeline .seg:hover, #timeline .isr:hover { opacity:1; stroke:#1d2330; stroke-width:1; }
#timeline .seg-text { fill:#fff; font-size:10.5px; pointer-events:none; font-weight:600; }
#timeline .seg-text.dark { fill:#7a1d1d; }
#timeline .no-leader { fill:url(#hatch); }
#timeline .down { fill:url(#down); }
#timeline .isr { opacity:.75; }
#timeline .fault-band { fill:#f59e0b; opacity:.10; pointer-events:none; }
#timeline .fault-chip { fill:#fde7c2; stroke:#e6a23c; }
#timeline .fault-text { fill:#7a4a00; font-size:10.5px; font-weight:600; pointer-events:none; }
#timeline .change-tick { stroke:#1d2330; stroke-width:1.5; }
#timeline .clean { fill:#fff; stroke:#1d2330; stroke-width:1.2; }
#timeline .unclean { fill:${LOSS_COLOR}; stroke:#7a1d1d; stroke-width:1; }
#timeline .unavail.no-ack { fill:#f79009; }
#timeline .unavail.no-leader { fill:${LOSS_COLOR}; }
#timeline .lost-tick { stroke:${LOSS_COLOR}; stroke-width:1.4; }
#timeline .lost-tick:hover { stroke-width:3; }
#timeline .trunc { stroke:#475467; stroke-width:2.2; fill:none; }
#timeline .trunc.dropped { stroke:${LOSS_COLOR}; stroke-width:2.6; }
#timeline .loss-link { stroke:${LOSS_COLOR}; stroke-dasharray:3 3; stroke-width:1; fill:none; }
#timeline .dup { fill:#f79009; stroke:#7a4a00; stroke-width:1; }
#timeline .log-mark { stroke:#fff; stroke-width:1; opacity:.85; }
#timeline .log-mark.error { stroke:${LOSS_COLOR}; stroke-width:2; }
#timeline .failed-bar { fill:${LOSS_COLOR}; opacity:.55; }
#timeline .l-sent { fill:none; stroke:#98a2b3; stroke-width:1.5; }
#timeline .l-acked { fill:none; stroke:#2e6fba; stroke-width:2; }
#timeline .l-consumed { fill:none; stroke:#3a9a4a; stroke-width:1.5; stroke-dasharray:4 3; }
#timeline .hover-col { fill:transparent; }
#timeline .hover-col:hover { fill:rgba(46,111,186,.06); }
#timeline .heal { stroke:#3a9a4a; stroke-width:1.5; stroke-dasharray:6 3; }
#timeline .healed { stroke:#1a7f37; stroke-width:2; }
#timeline .cursor { stroke:#1d2330; stroke-width:.8; stroke-dasharray:2 2; pointer-events:none; }
#timeline .cursor-label { fill:#1d2330; font-size:10.5px; font-weight:600; pointer-events:none; }
`;

// Moves a dashed cursor line with the mouse and shows the time under it.
const SCRIPT = `
(function () {
  var svg = document.getElementById('timeline');
  if (!svg) return;
  var cursor = document.getElementById('cursor');
  var label = document.getElementById('cursor-label');
  var end = Number(svg.getAttribute('data-end'));
  var left = Number(svg.getAttribute('data-left'));
  var right = Number(svg.getAttribute('data-right'));
  svg.addEventListener('mousemove', function (ev) {
    var m = svg.getScreenCTM();
    if (!m) return;
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    var p = pt.matrixTransform(m.inverse());
    if (p.x < left || p.x > right) { cursor.setAttribute('visibility', 'hidden'); label.setAttribute('visibility', 'hidden'); return; }
    var t = ((p.x - left) / (right - left)) * end;
    cursor.setAttribute('x1', p.x); cursor.setAttribute('x2', p.x);
    label.setAttribute('x', p.x + 4);
    label.textContent = (t / 1000).toFixed(2) + ' s';
    cursor.setAttribute('visibility', 'visible'); label.setAttribute('visibility', 'visible');
  });
  svg.addEventListener('mouseleave', function () {
    cursor.setAttribute('visibility', 'hidden'); label.setAttribute('visibility', 'hidden');
  });
})();
`;

function card(n: number | string, l: string, cls = ''): string {
  return `<div class="card ${cls}" data-card="${esc(l)}"><div class="n">${esc(String(n))}</div><div class="l">${esc(l)}</div></div>`;
}

function swatch(inner: string): string {
  return `<svg width="22" height="12" viewBox="0 0 22 12">${inner}</svg>`;
}

function legend(history: History): string {
  const items = brokersOf(history).map(
    (b) =>
      `<span>${swatch(`<rect width="22" height="12" rx="2" fill="${brokerColor(b)}"/>`)}broker ${b}</span>`,
  );
  items.push(
    `<span>${swatch('<rect width="22" height="12" fill="#fde7c2" stroke="#e6a23c"/>')}fault (band: while it lasts)</span>`,
    `<span>${swatch('<path d="M11,1 l5,5 l-5,5 l-5,-5 z" fill="#fff" stroke="#1d2330"/>')}clean election</span>`,
    `<span>${swatch(`<path d="M11,1 l6,10 h-12 z" fill="${LOSS_COLOR}"/>`)}unclean election</span>`,
    `<span>${swatch(`<rect width="22" height="12" fill="#fbe3e3"/><path d="M0,12 L12,0 M10,12 L22,0" stroke="${LOSS_COLOR}" stroke-width="2"/>`)}no leader</span>`,
    `<span>${swatch('<rect y="3" width="22" height="6" fill="#f79009"/>')}unavailable: no acks</span>`,
    `<span>${swatch(`<path d="M11,0 v12" stroke="${LOSS_COLOR}" stroke-width="2"/>`)}lost record, where acknowledged</span>`,
    `<span>${swatch(`<path d="M6,1 l10,10 m0,-10 l-10,10" stroke="${LOSS_COLOR}" stroke-width="2.4"/>`)}truncation that dropped it</span>`,
    `<span>${swatch('<path d="M11,0 l5,6 l-5,6 l-5,-6 z" fill="#f79009" stroke="#7a4a00"/>')}duplicated record</span>`,
    `<span>${swatch('<circle cx="11" cy="6" r="3.5" fill="#98a2b3"/>')}broker log line</span>`,
    `<span>${swatch('<path d="M0,6 h22" stroke="#2e6fba" stroke-width="2"/>')}acknowledged/s</span>`,
    `<span>${swatch('<path d="M0,6 h22" stroke="#98a2b3" stroke-width="1.5"/>')}sent/s</span>`,
    `<span>${swatch('<path d="M0,6 h22" stroke="#3a9a4a" stroke-width="1.5" stroke-dasharray="4 3"/>')}consumed/s</span>`,
    `<span>${swatch(`<rect x="4" y="2" width="14" height="10" fill="${LOSS_COLOR}" opacity=".55"/>`)}failed/s</span>`,
    `<span>${swatch('<path d="M11,0 v12" stroke="#1a7f37" stroke-width="2"/>')}healed</span>`,
  );
  return `<div class="legend">${items.join('')}</div>`;
}

function rowsOrNone<T>(
  items: T[],
  max: number,
  head: string[],
  row: (x: T) => string[],
  numeric: number[] = [],
): string {
  if (items.length === 0) return '<p class="why">none</p>';
  const th = head
    .map((h, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`)
    .join('');
  const trs = items
    .slice(0, max)
    .map(
      (x) =>
        `<tr>${row(x)
          .map(
            (c, i) =>
              `<td${numeric.includes(i) ? ' class="num"' : i === head.length - 1 && head[i] === 'why' ? ' class="expl"' : ''}>${c}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  const more =
    items.length > max
      ? `<p class="more">... and ${items.length - max} more in the JSON report</p>`
      : '';
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>${more}`;
}

export function renderHtml(
  result: CheckResult,
  history: History,
  options: HtmlOptions = {},
): string {
  const max = options.maxRows ?? 500;
  const cfg = result.config;
  const c = result.counts;
  const topic = history.meta.topic;
  const end = endOf(history);
  const chips = [
    [`acks=${acksName(cfg.acks)}`, cfg.acks !== -1],
    [`min.insync.replicas=${cfg.minInsyncReplicas}`, cfg.minInsyncReplicas < 2],
    [`unclean.leader.election.enable=${cfg.uncleanLeaderElection}`, cfg.uncleanLeaderElection],
    [`enable.idempotence=${cfg.idempotence}`, !cfg.idempotence],
    [`retries=${cfg.retries}`, false],
    [`ISR path: ${cfg.isrPath}`, false],
    [`replication.factor=${cfg.replicationFactor}`, cfg.replicationFactor < 2],
    [`partitions=${cfg.partitions}`, false],
    [`brokers=${cfg.brokers}`, false],
    [`ZooKeeper nodes=${cfg.zookeeperNodes}`, false],
    [`zookeeper.session.timeout.ms=${cfg.sessionTimeoutMs}`, false],
  ] as const;
  const maxUnavail = Math.max(0, ...result.partitions.map((p) => p.unavailableMs));
  const failoverMs = result.partitions.flatMap((p) => p.failovers.map((f) => f.ms));
  const cards = [
    card(c.acknowledged, `acknowledged of ${c.sends} sent`),
    card(c.lost, 'acknowledged but lost', c.lost ? 'bad' : ''),
    card(c.consumerObservedLoss, 'consumed, then lost', c.consumerObservedLoss ? 'bad' : ''),
    card(c.duplicated, 'duplicated', c.duplicated ? 'bad' : ''),
    card(c.reordered, 'reordered (per key)', c.reordered ? 'bad' : ''),
    card(c.phantoms, 'never sent (phantoms)', c.phantoms ? 'bad' : ''),
    card(c.divergences, 'diverged offsets (ISR)', c.divergences ? 'bad' : ''),
    card(c.failed, 'failed sends', c.failed ? 'note' : ''),
    card(c.unknown, 'unknown outcome', c.unknown ? 'note' : ''),
    card(c.failedButPresent, 'failed, yet written', c.failedButPresent ? 'note' : ''),
    card(secs(maxUnavail), 'longest partition outage', maxUnavail ? 'note' : ''),
    card(failoverMs.length ? secs(Math.max(...failoverMs)) : '-', 'slowest fault → new leader'),
  ].join('');
  const expectations = result.expectations
    .map((e) => {
      const [cls, mark] = e.applies
        ? e.held
          ? ['held', '✓']
          : ['violated', '✗']
        : e.held
          ? ['quiet', '·']
          : ['allowed', '~'];
      return `<li data-expectation="${e.id}" data-held="${e.held}" data-applies="${e.applies}"><span class="mark ${cls}">${mark}</span><b>${esc(e.id)}</b>: ${esc(e.description)}${e.count ? ` — found <b>${e.count}</b>` : ''} <span class="why">(${e.applies ? 'promised: ' : 'not promised: '}${esc(e.because)})</span></li>`;
    })
    .join('\n');
  const warnings = result.warnings
    .map((w) => `<li class="warning">warning: ${esc(w)}</li>`)
    .join('');

  const partitions = rowsOrNone(
    result.partitions,
    max,
    [
      'partition',
      'final leader',
      'final ISR',
      'high watermark',
      'sent',
      'acked',
      'failed',
      'unknown',
      'lost',
      'dup',
      'leader changes',
      'unavailable',
      'fault → new leader',
    ],
    (p) => [
      esc(tpKey(topic, p.partition)),
      p.finalLeader === null ? 'none' : String(p.finalLeader),
      esc(`[${p.finalIsr.join(',')}]`),
      p.finalHighWatermark === null ? '-' : String(p.finalHighWatermark),
      String(p.sent),
      String(p.acknowledged),
      String(p.failed),
      String(p.unknown),
      p.lost ? `<b style="color:var(--bad)">${p.lost}</b>` : '0',
      String(p.duplicated),
      String(p.leaderChanges),
      `${secs(p.unavailableMs)}${p.unavailability.length ? ` <span class="why">(${p.unavailability.length} window${p.unavailability.length > 1 ? 's' : ''})</span>` : ''}`,
      p.failovers.length
        ? p.failovers
            .map(
              (f) =>
                `${secs(f.ms)} <span class="why">after ${esc(f.fault)}: ${f.fromLeader} → ${f.toLeader}${f.unclean ? ' (unclean)' : ''}</span>`,
            )
            .join('<br>')
        : '-',
    ],
    [3, 4, 5, 6, 7, 8, 9, 10],
  );
  const causes = rowsOrNone(
    result.lossCauses,
    max,
    ['records', 'partition', 'acknowledged', 'why'],
    (g) => [
      `<b style="color:var(--bad)">${g.count}</b>`,
      esc(tpKey(topic, g.partition)),
      g.firstAckT === g.lastAckT ? secs(g.firstAckT) : `${secs(g.firstAckT)} – ${secs(g.lastAckT)}`,
      esc(g.text),
    ],
    [0],
  );
  const lost = rowsOrNone(
    result.lost,
    max,
    ['value', 'key', 'seq', 'partition', 'offset', 'acked at', 'consumed', 'why'],
    (l) => [
      `<code>${esc(l.value)}</code>`,
      `<code>${esc(l.key)}</code>`,
      String(l.seq),
      String(l.partition),
      String(l.offset),
      secs(l.tDone),
      l.consumed ? 'yes' : 'no',
      esc(l.explanation.text),
    ],
    [2, 3, 4],
  );
  const other: string[] = [];
  const section = (title: string, body: string, n: number) =>
    n > 0 ? other.push(`<h3>${esc(title)} (${n})</h3>${body}`) : undefined;
  section(
    'Consumed, then absent from the final log',
    rowsOrNone(
      result.consumerObservedLoss,
      max,
      ['value', 'partition', 'offset', 'consumed at', 'by', 'send outcome'],
      (l) => [
        `<code>${esc(l.value)}</code>`,
        String(l.partition),
        String(l.offset),
        secs(l.t),
        esc(l.member),
        esc(l.outcome ?? 'never sent'),
      ],
    ),
    result.consumerObservedLoss.length,
  );
  section(
    'Duplicated',
    rowsOrNone(result.duplicates, max, ['value', 'key', 'partition', 'offsets'], (d) => [
      `<code>${esc(d.value)}</code>`,
      `<code>${esc(d.key)}</code>`,
      String(d.partition),
      d.offsets.join(', '),
    ]),
    result.duplicates.length,
  );
  section(
    'Reordered within a key',
    rowsOrNone(
      result.reordered,
      max,
      ['key', 'partition', 'seq', 'at offset', 'after seq', 'at offset'],
      (r) => [
        `<code>${esc(r.key)}</code>`,
        String(r.partition),
        String(r.seq),
        String(r.offset),
        String(r.afterSeq),
        String(r.afterOffset),
      ],
    ),
    result.reordered.length,
  );
  section(
    'Never sent (phantoms)',
    rowsOrNone(
      result.phantoms,
      max,
      ['value', 'key', 'partition', 'offset', 'seen on', 'why'],
      (p) => [
        `<code>${esc(p.value)}</code>`,
        `<code>${esc(p.key)}</code>`,
        String(p.partition),
        String(p.offset),
        esc('brokerId' in p.where ? `broker ${p.where.brokerId}` : p.where.member),
        esc(p.reason),
      ],
    ),
    result.phantoms.length,
  );
  section(
    'Replicas of the final ISR that diverge below the high watermark',
    rowsOrNone(result.divergences, max, ['partition', 'offset', 'replicas'], (d) => [
      String(d.partition),
      String(d.offset),
      esc(
        d.replicas
          .map(
            (r) =>
              `broker ${r.brokerId}: ${r.value ?? 'nothing'}${r.leaderEpoch === null ? '' : ` (epoch ${r.leaderEpoch})`}`,
          )
          .join('; '),
      ),
    ]),
    result.divergences.length,
  );
  section(
    'Offsets acknowledged or consumed with another value than the final log holds',
    rowsOrNone(
      result.inconsistentOffsets,
      max,
      ['partition', 'offset', 'seen', 'as', 'final log holds'],
      (i) => [
        String(i.partition),
        String(i.offset),
        esc(i.source === 'ack' ? 'acknowledged' : `consumed by ${i.member ?? ''}`),
        `<code>${esc(i.expected)}</code>`,
        i.found === null ? 'nothing' : `<code>${esc(i.found)}</code>`,
      ],
    ),
    result.inconsistentOffsets.length,
  );
  section(
    'Committed offsets that went backwards',
    rowsOrNone(result.commitRegressions, max, ['partition', 'at', 'member', 'from', 'to'], (r) => [
      String(r.partition),
      secs(r.t),
      esc(r.member),
      String(r.previousOffset),
      String(r.offset),
    ]),
    result.commitRegressions.length,
  );
  section(
    'Failed sends whose value is in the log',
    rowsOrNone(
      result.failedButPresent,
      max,
      ['value', 'key', 'partition', 'offset', 'error'],
      (f) => [
        `<code>v${f.id}</code>`,
        `<code>${esc(f.key)}</code>`,
        String(f.partition),
        String(f.offset),
        esc(f.error ?? ''),
      ],
    ),
    result.failedButPresent.length,
  );

  const faults = rowsOrNone(
    faultSpans(history, end),
    max,
    ['from', 'to', 'fault', 'role', 'target', 'detail'],
    (s) => [
      secs(s.start.t),
      s.open ? `${secs(s.end)} <span class="why">(no end recorded)</span>` : secs(s.end),
      esc(s.start.kind),
      esc(s.start.role),
      esc(s.start.target),
      esc(s.start.detail ?? ''),
    ],
  );
  const notable = [...history.cluster]
    .filter((e) => e.type !== 'broker-registered' || e.t > 0)
    .sort((a, b) => a.t - b.t);
  const events = rowsOrNone(notable, max, ['at', 'event'], (e) => {
    let text: string;
    switch (e.type) {
      case 'partition-state':
        text = `${topic}-${e.partition}: leader ${e.leader}, epoch ${e.leaderEpoch}, ISR [${e.isr.join(',')}], controller epoch ${e.controllerEpoch}${e.unclean ? ' — unclean' : ''}`;
        break;
      case 'controller':
        text = `controller: broker ${e.brokerId} (controller epoch ${e.controllerEpoch})`;
        break;
      case 'broker-registered':
      case 'broker-deregistered':
        text = `broker ${e.brokerId} ${e.type === 'broker-registered' ? 'registered' : 'deregistered'}`;
        break;
      case 'truncation':
        text = `broker ${e.brokerId} truncated ${topic}-${e.partition} from ${e.fromOffset} to ${e.toOffset}${e.leaderEpoch !== undefined ? ` (leader epoch ${e.leaderEpoch})` : ''}`;
        break;
      case 'log':
        text = `broker ${e.brokerId} ${e.level}: ${e.message}`;
        break;
    }
    return [secs(e.t), esc(text)];
  });

  const verdict = result.ok
    ? 'every expectation of this configuration held'
    : `${result.violations.length} expectation${result.violations.length > 1 ? 's' : ''} of this configuration failed`;
  const noLoss = promisesNoLoss(cfg);
  const summary: string[] = [];
  if (c.lost > 0)
    summary.push(
      noLoss.applies
        ? `<b class="violation">${c.lost} acknowledged record${c.lost > 1 ? 's' : ''} lost</b> although ${esc(noLoss.because)} promises none.`
        : `<b>${c.lost} acknowledged record${c.lost > 1 ? 's' : ''} lost</b>, as this configuration allows (${esc(noLoss.because.replace(/^loss is allowed with /, ''))}).`,
    );
  else
    summary.push(
      `No acknowledged record lost${noLoss.applies ? ` (${esc(noLoss.because)} promises none)` : ` (though ${esc(noLoss.because)})`}.`,
    );
  for (const v of result.violations) summary.push(`<span class="violation">✗ ${esc(v)}</span>`);
  for (const cause of result.lossCauses.slice(0, 3))
    summary.push(
      `<b>${cause.count}</b> on <code>${esc(tpKey(topic, cause.partition))}</code>: ${esc(cause.text)}.`,
    );
  if (result.lossCauses.length > 3)
    summary.push(`... and ${result.lossCauses.length - 3} more causes, below.`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kzoo experiment ${esc(result.scenario)} (seed ${result.seed}): ${result.ok ? 'OK' : 'VIOLATED'}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>kzoo experiment · ${esc(result.scenario)}</h1>
<span class="badge ${result.ok ? 'ok' : 'bad'}" id="verdict" data-ok="${result.ok}">${result.ok ? 'OK' : 'VIOLATED'}</span>
<span>${esc(verdict)}</span>
<div class="meta">seed ${result.seed} · topic <code>${esc(topic)}</code> · group <code>${esc(history.meta.group)}</code> · fault phase ${secs(history.meta.durationMs)} · started ${Number.isFinite(history.meta.startedAt) ? esc(new Date(history.meta.startedAt).toISOString()) : 'at an unknown time'} · kzoo ${esc(history.meta.version)}</div>
<div class="chips">${chips.map(([t, risk]) => `<span class="chip${risk ? ' risk' : ''}">${esc(t)}</span>`).join('')}</div>
</header>
<section class="summary" id="summary">${summary.map((x) => `<div>${x}</div>`).join('\n')}</section>
<section class="cards">${cards}</section>
<h2>Timeline</h2>
<div class="panel">
${legend(history)}
${renderTimeline(result, history)}
</div>
<section class="verdict"><b>Expectations of this configuration</b>
<ul>
${expectations}
${warnings}
</ul>
</section>
<h2>Partitions</h2>
${partitions}
<h2>Why acknowledged records were lost</h2>
${causes}
<h2>Lost acknowledged records (${result.lost.length})</h2>
${lost}
${other.length ? `<h2>Other anomalies</h2>\n${other.join('\n')}` : ''}
<h2>Faults</h2>
${faults}
<h2>Cluster events</h2>
${events}
<footer>Checked by kzoo's experiment checker. Definitions of lost, duplicated, reordered and diverged records and the verdict rules: packages/experiments/README.md. All times are seconds since the start of the run.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
