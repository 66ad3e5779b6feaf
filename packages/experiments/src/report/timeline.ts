/**
 * The SVG timeline of the HTML report: fault bands, the controller, broker liveness,
 * each partition's leader and ISR over time with elections, unavailability, lost records
 * (where acknowledged) and truncations (where dropped), then throughput and errors.
 * Every mark has a hover title and a `data-kind` (so tests can query the drawing).
 */
import { endOf } from '../checker/availability';
import { partitionStates } from '../checker/final-log';
import type { CheckResult, PartitionStateEvent, TruncationEvent } from '../checker/types';
import type { ClusterEvent, FaultEvent, History } from '../history';
import { secs } from './format';

export const LOSS_COLOR = '#d62728';
const BROKER_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#9c755f',
  '#bab0ac',
  '#ff9da7',
];

export function brokerColor(id: number): string {
  const i = id >= 1 ? id - 1 : id;
  return BROKER_COLORS[((i % BROKER_COLORS.length) + BROKER_COLORS.length) % BROKER_COLORS.length];
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Brokers the history names, in id order. */
export function brokersOf(history: History): number[] {
  const set = new Set<number>();
  for (let b = 1; b <= history.meta.config.brokers; b++) set.add(b);
  for (const e of history.cluster) {
    if ('brokerId' in e) set.add(e.brokerId);
    if (e.type === 'partition-state') {
      if (e.leader >= 0) set.add(e.leader);
      for (const b of e.isr) set.add(b);
    }
  }
  for (const r of history.finalReads) set.add(r.brokerId);
  return [...set].sort((a, b) => a - b);
}

/** A fault from its start to its matching end (same kind, role and target), or to the heal. */
export interface FaultSpan {
  start: FaultEvent;
  end: number;
  open: boolean;
}

export function faultSpans(history: History, end: number): FaultSpan[] {
  const sorted = [...history.faults].sort((a, b) => a.t - b.t);
  const used = new Set<FaultEvent>();
  const spans: FaultSpan[] = [];
  for (const f of sorted) {
    if (f.phase !== 'start' || f.kind === 'heal' || f.target === 'none') continue;
    const match = sorted.find(
      (e) =>
        !used.has(e) &&
        e.phase === 'end' &&
        e.t >= f.t &&
        e.kind === f.kind &&
        e.target === f.target &&
        e.role === f.role,
    );
    if (match) used.add(match);
    const heal = sorted.find((e) => e.kind === 'heal' && e.t >= f.t);
    const until = match?.t ?? heal?.t ?? history.healedAt ?? end;
    spans.push({ start: f, end: Math.max(until, f.t), open: !match });
  }
  return spans;
}

function niceStep(end: number): number {
  const steps = [500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000];
  return steps.find((s) => end / s <= 14) ?? 1800000;
}

interface Ctx {
  out: string[];
  x: (t: number) => number;
  left: number;
  right: number;
}

function rect(
  c: Ctx,
  x0: number,
  x1: number,
  y: number,
  h: number,
  attrs: string,
  title?: string,
): void {
  const w = Math.max(x1 - x0, 1);
  c.out.push(
    `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" ${attrs}>${title ? `<title>${esc(title)}</title>` : ''}</rect>`,
  );
}

function label(c: Ctx, y: number, text: string, cls = 'lane-label'): void {
  c.out.push(
    `<text x="${c.left - 8}" y="${y}" class="${cls}" text-anchor="end">${esc(text)}</text>`,
  );
}

/** Text inside a segment, only when it fits. */
function inner(c: Ctx, x0: number, x1: number, y: number, text: string, cls = 'seg-text'): void {
  if (x1 - x0 < text.length * 6.2 + 6) return;
  c.out.push(`<text x="${(x0 + 4).toFixed(1)}" y="${y}" class="${cls}">${esc(text)}</text>`);
}

function sameTruncation(a: TruncationEvent | undefined, b: TruncationEvent): boolean {
  return (
    a !== undefined &&
    a.t === b.t &&
    a.brokerId === b.brokerId &&
    a.fromOffset === b.fromOffset &&
    a.toOffset === b.toOffset
  );
}

export interface TimelineOptions {
  width?: number;
}

export function renderTimeline(
  result: CheckResult,
  history: History,
  options: TimelineOptions = {},
): string {
  const width = options.width ?? 1180;
  const left = 150;
  const right = width - 24;
  const end = Math.max(endOf(history), 1000);
  const x = (t: number) => left + (Math.min(Math.max(t, 0), end) / end) * (right - left);
  const c: Ctx = { out: [], x, left, right };
  const bands: string[] = [];
  const states = partitionStates(history);
  const brokers = brokersOf(history);
  const spans = faultSpans(history, end);
  const topic = history.meta.topic;
  let y = 28;

  // faults: chips in rows that do not overlap, and bands drawn behind everything
  const rowsEnd: number[] = [];
  const faultRows = spans.map((s) => {
    const text = `${s.start.kind} ${s.start.target}`;
    const x0 = x(s.start.t);
    const x1 = Math.max(x(s.end), x0 + text.length * 6.2 + 8);
    let row = rowsEnd.findIndex((e) => e <= x0);
    if (row < 0) row = rowsEnd.push(0) - 1;
    rowsEnd[row] = x1 + 4;
    return row;
  });
  const faultTop = y;
  const nFaultRows = Math.max(rowsEnd.length, 1);
  label(c, y + 13, 'faults', 'lane-label group');
  spans.forEach((s, i) => {
    const fy = faultTop + faultRows[i] * 20;
    const title = `${s.start.kind} ${s.start.target} (${s.start.role}) from ${secs(s.start.t)} to ${s.open ? `${secs(s.end)} (no end recorded)` : secs(s.end)}${s.start.detail ? `\n${s.start.detail}` : ''}`;
    c.out.push(
      `<g data-kind="fault" data-fault-kind="${esc(s.start.kind)}" data-target="${esc(s.start.target)}">`,
    );
    rect(c, x(s.start.t), x(s.end), fy, 17, 'class="fault-chip" rx="3"', title);
    c.out.push(
      `<text x="${(x(s.start.t) + 4).toFixed(1)}" y="${fy + 12.5}" class="fault-text">${esc(`${s.start.kind} ${s.start.target}`)}</text></g>`,
    );
  });
  y = faultTop + nFaultRows * 20 + 8;
  const bandsTop = faultTop;

  // controller
  const controllers = history.cluster
    .filter((e): e is Extract<ClusterEvent, { type: 'controller' }> => e.type === 'controller')
    .sort((a, b) => a.t - b.t);
  label(c, y + 13, 'controller');
  controllers.forEach((e, i) => {
    const until = i + 1 < controllers.length ? controllers[i + 1].t : end;
    const title = `controller: broker ${e.brokerId}, controller epoch ${e.controllerEpoch}, from ${secs(e.t)}`;
    c.out.push(`<g data-kind="controller" data-broker="${e.brokerId}">`);
    rect(c, x(e.t), x(until), y + 2, 16, `fill="${brokerColor(e.brokerId)}" class="seg"`, title);
    inner(c, x(e.t), x(until), y + 14, `broker ${e.brokerId} · epoch ${e.controllerEpoch}`);
    c.out.push('</g>');
    if (i > 0)
      c.out.push(
        `<path d="M${x(e.t).toFixed(1)},${y} v20" class="change-tick" data-kind="controller-change"><title>${esc(title)}</title></path>`,
      );
  });
  y += 26;

  // brokers: registered in ZooKeeper or not
  const regEvents = history.cluster
    .filter(
      (e): e is Extract<ClusterEvent, { type: 'broker-registered' | 'broker-deregistered' }> =>
        e.type === 'broker-registered' || e.type === 'broker-deregistered',
    )
    .sort((a, b) => a.t - b.t);
  for (const b of brokers) {
    label(c, y + 9, `broker ${b}`);
    const mine = regEvents.filter((e) => e.brokerId === b);
    let upSince: number | null =
      mine.length > 0 && mine[0].type === 'broker-deregistered' ? 0 : null;
    let downSince: number | null = null;
    const seg = (from: number, to: number, up: boolean) => {
      const title = `broker ${b} ${up ? 'registered' : 'not registered'} from ${secs(from)} to ${secs(to)}`;
      if (up)
        rect(
          c,
          x(from),
          x(to),
          y + 2,
          10,
          `fill="${brokerColor(b)}" class="seg" data-kind="broker-up" data-broker="${b}"`,
          title,
        );
      else
        rect(
          c,
          x(from),
          x(to),
          y + 2,
          10,
          `class="down" data-kind="broker-down" data-broker="${b}"`,
          title,
        );
    };
    for (const e of mine) {
      if (e.type === 'broker-registered' && upSince === null) {
        if (downSince !== null) seg(downSince, e.t, false);
        downSince = null;
        upSince = e.t;
      } else if (e.type === 'broker-deregistered' && upSince !== null) {
        seg(upSince, e.t, true);
        upSince = null;
        downSince = e.t;
      }
    }
    if (upSince !== null) seg(upSince, end, true);
    if (downSince !== null) seg(downSince, end, false);
    y += 14;
  }
  y += 10;

  // broker log lines the runner kept (state changes, errors)
  const logs = history.cluster
    .filter((e): e is Extract<ClusterEvent, { type: 'log' }> => e.type === 'log')
    .sort((a, b) => a.t - b.t);
  if (logs.length > 0) {
    label(c, y + 9, `broker logs (${logs.length})`, 'lane-label small');
    for (const e of logs) {
      const cls = e.level === 'error' || e.level === 'fatal' ? 'log-mark error' : 'log-mark';
      c.out.push(
        `<circle cx="${x(e.t).toFixed(1)}" cy="${y + 6}" r="3.2" fill="${brokerColor(e.brokerId)}" class="${cls}" data-kind="log" data-broker="${e.brokerId}"><title>${esc(`${secs(e.t)} broker ${e.brokerId} ${e.level}: ${e.message}`)}</title></circle>`,
      );
    }
    y += 16;
  }
  y += 4;

  // partitions
  const sendsById = new Map(history.sends.map((s) => [s.id, s]));
  const lostByPartition = new Map<number, CheckResult['lost']>();
  for (const l of result.lost) {
    const list = lostByPartition.get(l.partition) ?? [];
    list.push(l);
    lostByPartition.set(l.partition, list);
  }
  for (const summary of result.partitions) {
    const p = summary.partition;
    const mine = states.filter((s) => s.partition === p);
    c.out.push(`<g data-kind="partition" data-partition="${p}">`);
    c.out.push(
      `<line x1="8" x2="${right}" y1="${y - 4}" y2="${y - 4}" class="sep"/>`,
      `<text x="12" y="${y + 10}" class="part-label">${esc(`${topic}-${p}`)}<tspan class="part-sum" dx="10">${esc(
        `${summary.acknowledged} acknowledged · ${summary.lost} lost · ${summary.leaderChanges} leader change${summary.leaderChanges === 1 ? '' : 's'} · unavailable ${secs(summary.unavailableMs)}${summary.failovers.length ? ` · fault → new leader ${summary.failovers.map((f) => secs(f.ms)).join(', ')}` : ''}`,
      )}</tspan></text>`,
    );
    y += 16;
    label(c, y + 14, 'leader');
    // one segment per leader and epoch (ISR changes show in the strips below)
    mine.forEach((s: PartitionStateEvent, i) => {
      const prevState = i > 0 ? mine[i - 1] : undefined;
      if (prevState && prevState.leader === s.leader && prevState.leaderEpoch === s.leaderEpoch)
        return;
      let j = i + 1;
      while (
        j < mine.length &&
        mine[j].leader === s.leader &&
        mine[j].leaderEpoch === s.leaderEpoch
      )
        j++;
      const until = j < mine.length ? mine[j].t : end;
      const title = `${topic}-${p} from ${secs(s.t)} to ${secs(until)}: ${s.leader >= 0 ? `leader broker ${s.leader}` : 'no leader'}, leader epoch ${s.leaderEpoch}, controller epoch ${s.controllerEpoch}; ISR ${mine
        .slice(i, j)
        .map((x) => `[${x.isr.join(',')}] from ${secs(x.t)}`)
        .join(', ')}`;
      if (s.leader >= 0) {
        rect(
          c,
          x(s.t),
          x(until),
          y + 2,
          18,
          `fill="${brokerColor(s.leader)}" class="seg" data-kind="leader-segment" data-partition="${p}" data-leader="${s.leader}" data-epoch="${s.leaderEpoch}"`,
          title,
        );
        inner(c, x(s.t), x(until), y + 15, `broker ${s.leader} · epoch ${s.leaderEpoch}`);
      } else {
        rect(
          c,
          x(s.t),
          x(until),
          y + 2,
          18,
          `class="no-leader" data-kind="no-leader" data-partition="${p}"`,
          title,
        );
        inner(c, x(s.t), x(until), y + 15, 'no leader', 'seg-text dark');
      }
    });
    mine.forEach((s: PartitionStateEvent, i) => {
      const prev = i > 0 ? mine[i - 1] : undefined;
      // a new leader (an epoch bump with the same leader, as on an ISR change by the
      // controller, is only a segment boundary)
      if (prev && s.leader >= 0 && s.leader !== prev.leader) {
        const cx = x(s.t);
        const how = s.unclean ? 'unclean' : 'clean';
        const t = `${how} election at ${secs(s.t)}: broker ${s.leader} leads ${topic}-${p} at epoch ${s.leaderEpoch} (previous ISR [${prev.isr.join(',')}], controller epoch ${s.controllerEpoch})`;
        if (s.unclean)
          c.out.push(
            `<path d="M${cx.toFixed(1)},${y - 3} l6,10 h-12 z" class="unclean" data-kind="election" data-unclean="true" data-partition="${p}" data-leader="${s.leader}"><title>${esc(t)}</title></path>`,
          );
        else
          c.out.push(
            `<path d="M${cx.toFixed(1)},${y - 2} l5,5 l-5,5 l-5,-5 z" class="clean" data-kind="election" data-unclean="false" data-partition="${p}" data-leader="${s.leader}"><title>${esc(t)}</title></path>`,
          );
      }
    });
    y += 24;
    // ISR membership per broker
    for (const b of brokers) {
      label(c, y + 7, `ISR ${b}`, 'lane-label tiny');
      mine.forEach((s, i) => {
        if (!s.isr.includes(b)) return;
        const until = i + 1 < mine.length ? mine[i + 1].t : end;
        rect(
          c,
          x(s.t),
          x(until),
          y + 2,
          6,
          `fill="${brokerColor(b)}" class="isr" data-kind="isr" data-partition="${p}" data-broker="${b}"`,
          `broker ${b} in the ISR of ${topic}-${p} from ${secs(s.t)} to ${secs(until)}`,
        );
      });
      y += 10;
    }
    y += 2;
    // unavailability
    label(c, y + 7, 'unavailable', 'lane-label small');
    for (const w of summary.unavailability) {
      rect(
        c,
        x(w.start),
        x(w.end),
        y + 2,
        6,
        `class="unavail ${w.kind}" data-kind="unavailable" data-window="${w.kind}" data-partition="${p}"`,
        `${topic}-${p} unavailable (${w.kind === 'no-ack' ? 'sends attempted, none acknowledged' : 'no live leader'}) from ${secs(w.start)} to ${secs(w.end)}${w.open ? ' (still open at the end)' : ''}: ${secs(w.end - w.start)}`,
      );
    }
    y += 10;
    // lost records: a tick where each was acknowledged, a cross where it was dropped
    const lost = lostByPartition.get(p) ?? [];
    const dups = result.duplicates.filter((d) => d.partition === p);
    label(
      c,
      y + 9,
      `lost (${lost.length})${dups.length ? ` dup (${dups.length})` : ''}`,
      lost.length || dups.length ? 'lane-label small loss' : 'lane-label small',
    );
    // duplicates: a diamond where the send that was written twice was acknowledged
    for (const d of dups) {
      const send = sendsById.get(Number(d.value.slice(1)));
      if (!send) continue;
      const dx = x(send.tDone ?? send.tSend);
      c.out.push(
        `<path d="M${dx.toFixed(1)},${y + 1} l5,6 l-5,6 l-5,-6 z" class="dup" data-kind="duplicate" data-partition="${p}"><title>${esc(`${d.value} (key ${d.key}, seq ${send.seq}) duplicated at offsets ${d.offsets.join(', ')}; sent at ${secs(send.tSend)}, ${send.outcome === 'ok' ? `acknowledged at ${secs(send.tDone ?? send.tSend)} (offset ${send.offset})` : send.outcome}`)}</title></path>`,
      );
    }
    for (const l of lost) {
      const lx = x(l.tDone);
      c.out.push(
        `<line x1="${lx.toFixed(1)}" x2="${lx.toFixed(1)}" y1="${y + 1}" y2="${y + 13}" class="lost-tick" data-kind="lost-ack" data-partition="${p}"><title>${esc(`${l.value} (key ${l.key}, seq ${l.seq}) acknowledged at ${secs(l.tDone)}, offset ${l.offset}: ${l.explanation.text}`)}</title></line>`,
      );
    }
    const truncs = history.cluster.filter(
      (e): e is TruncationEvent => e.type === 'truncation' && e.partition === p,
    );
    for (const tr of truncs) {
      const dropped = lost.filter((l) => sameTruncation(l.explanation.truncation, tr));
      const tx = x(tr.t);
      const cls = dropped.length > 0 ? 'trunc dropped' : 'trunc';
      if (dropped.length > 0) {
        const lastAck = Math.max(...dropped.map((l) => x(l.tDone)));
        c.out.push(
          `<path d="M${lastAck.toFixed(1)},${y + 7} L${tx.toFixed(1)},${y + 7}" class="loss-link"/>`,
        );
      }
      c.out.push(
        `<path d="M${(tx - 5).toFixed(1)},${y + 2} l10,10 m0,-10 l-10,10" class="${cls}" data-kind="truncation" data-partition="${p}" data-broker="${tr.brokerId}"><title>${esc(`broker ${tr.brokerId} truncated ${topic}-${p} from offset ${tr.fromOffset} to ${tr.toOffset} at ${secs(tr.t)}${tr.leaderEpoch !== undefined ? ` (leader epoch ${tr.leaderEpoch})` : ''}${dropped.length ? `: dropped ${dropped.length} acknowledged record(s)` : ''}`)}</title></path>`,
      );
    }
    y += 18;
    c.out.push('</g>');
    y += 10;
  }

  // throughput and errors, per second
  const chartTop = y + 6;
  const chartH = 110;
  const samples = [...history.samples].sort((a, b) => a.t - b.t);
  const maxV = Math.max(1, ...samples.map((s) => Math.max(s.sent, s.acked, s.consumed, s.failed)));
  const yv = (v: number) => chartTop + chartH - (v / maxV) * chartH;
  label(c, chartTop + 12, 'records/s', 'lane-label group');
  label(c, chartTop + 26, `max ${maxV}`, 'lane-label small');
  c.out.push(
    `<line x1="${left}" x2="${right}" y1="${chartTop + chartH}" y2="${chartTop + chartH}" class="axis"/>`,
    `<line x1="${left}" x2="${right}" y1="${chartTop}" y2="${chartTop}" class="grid"/>`,
  );
  const step = samples.length > 1 ? samples[1].t - samples[0].t : 1000;
  const bw = Math.max(((right - left) * step) / end - 2, 1);
  c.out.push('<g data-kind="throughput">');
  for (const s of samples) {
    if (s.failed > 0)
      rect(
        c,
        x(s.t) + 1,
        x(s.t) + 1 + bw,
        yv(s.failed),
        chartTop + chartH - yv(s.failed),
        'class="failed-bar" data-kind="failed"',
      );
  }
  const line = (key: 'sent' | 'acked' | 'consumed', cls: string) => {
    if (samples.length === 0) return;
    const pts = samples
      .map((s) => `${x(s.t + step / 2).toFixed(1)},${yv(s[key]).toFixed(1)}`)
      .join(' ');
    c.out.push(`<polyline points="${pts}" class="${cls}" data-kind="${key}"/>`);
  };
  line('sent', 'l-sent');
  line('acked', 'l-acked');
  line('consumed', 'l-consumed');
  for (const s of samples) {
    rect(
      c,
      x(s.t),
      x(s.t + step),
      chartTop,
      chartH,
      'class="hover-col"',
      `${secs(s.t)}–${secs(s.t + step)}: sent ${s.sent}, acknowledged ${s.acked}, failed ${s.failed}, consumed ${s.consumed}`,
    );
  }
  c.out.push('</g>');
  y = chartTop + chartH + 6;

  // the time axis, at the top and the bottom
  const tickStep = niceStep(end);
  const axis: string[] = [];
  for (let t = 0; t <= end; t += tickStep) {
    const tx = x(t).toFixed(1);
    axis.push(
      `<line x1="${tx}" x2="${tx}" y1="22" y2="${y}" class="grid"/>`,
      `<text x="${tx}" y="16" class="tick" text-anchor="middle">${t / 1000}s</text>`,
      `<text x="${tx}" y="${y + 14}" class="tick" text-anchor="middle">${t / 1000}s</text>`,
    );
  }
  // fault bands, the heal and the end of the run
  for (const s of spans)
    bands.push(
      `<rect x="${x(s.start.t).toFixed(1)}" y="${bandsTop}" width="${Math.max(x(s.end) - x(s.start.t), 1).toFixed(1)}" height="${y - bandsTop}" class="fault-band" data-kind="fault-band"/>`,
    );
  const marks: string[] = [];
  const heal = history.faults.find((f) => f.kind === 'heal');
  if (heal)
    marks.push(
      `<line x1="${x(heal.t).toFixed(1)}" x2="${x(heal.t).toFixed(1)}" y1="22" y2="${y}" class="heal" data-kind="heal"><title>${esc(`heal everything at ${secs(heal.t)}`)}</title></line>`,
    );
  if (history.healedAt !== undefined)
    marks.push(
      `<line x1="${x(history.healedAt).toFixed(1)}" x2="${x(history.healedAt).toFixed(1)}" y1="22" y2="${y}" class="healed" data-kind="healed"><title>${esc(`healed (every broker back, every ISR full) at ${secs(history.healedAt)}`)}</title></line>`,
    );
  const height = y + 22;
  return [
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline of the run" data-end="${end}" data-left="${left}" data-right="${right}">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3e3"/><line x1="0" y1="0" x2="0" y2="6" stroke="#d62728" stroke-width="2"/></pattern>',
    '<pattern id="down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f1f1"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/></pattern></defs>',
    ...axis,
    ...bands,
    ...marks,
    ...c.out,
    `<line id="cursor" x1="0" x2="0" y1="22" y2="${y}" class="cursor" visibility="hidden"/>`,
    `<text id="cursor-label" x="0" y="${y + 14}" class="cursor-label" visibility="hidden"></text>`,
    '</svg>',
  ].join('\n');
}
