#!/usr/bin/env node
/**
 * Draws the scale bench's table (the `| partitions | create ...` lines that
 * `node packages/cli/dist/bench/scale.js` prints at its end) as a small SVG line chart:
 * seconds against partitions for each operation, so growth with the partition count shows
 * at a glance (a straight line through the origin is a flat cost per partition).
 *   node scripts/scale-plot.js BENCH_OUTPUT [--out docs/scale.svg]
 */
'use strict';
const fs = require('node:fs');
const { readBenchOutput } = require('./bench-output');

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : 'docs/scale.svg';
if (args.length !== 1) {
  process.stderr.write('usage: node scripts/scale-plot.js BENCH_OUTPUT [--out FILE.svg]\n');
  process.exit(2);
}
const text = readBenchOutput(args[0]);
const machine = (text.match(/^# machine: (.*)$/m) || [])[1] || '';

// | 10000 | 17.36 s (1736 µs) | 8.47 s | 8.71 s | 2.43 s / 2.42 s | 7.15 s | RSS ... |
const rows = [];
for (const line of text.split('\n')) {
  const c = line.split('|').map((x) => x.trim());
  if (c.length < 8 || !/^\d+$/.test(c[1])) continue;
  const sec = (s) => Number((s.match(/([\d.]+) s/) || [])[1]);
  const [moved, exit] = c[5].split('/').map(sec);
  rows.push({
    partitions: Number(c[1]),
    create: sec(c[2]),
    failover: sec(c[3]),
    restart: sec(c[4]),
    moved,
    exit,
    kill: sec(c[6]),
  });
}
if (rows.length < 2) {
  process.stderr.write(`scale-plot: no scale table with 2 or more sizes in ${args[0]}\n`);
  process.exit(1);
}
rows.sort((a, b) => a.partitions - b.partitions);

const series = [
  ['create', 'topic creation', '#1f77b4'],
  ['failover', 'controller SIGKILL → all led', '#d62728'],
  ['kill', 'broker SIGKILL → all led', '#ff7f0e'],
  ['moved', 'controlled shutdown: leaders moved', '#2ca02c'],
  ['exit', 'controlled shutdown: SIGTERM → exit', '#9467bd'],
  ['restart', 'restart → every ISR full', '#8c564b'],
];
const W = 680;
const H = 360;
const L = 56;
const R = 250;
const T = 30;
const B = 44;
const maxX = rows[rows.length - 1].partitions;
const maxY = Math.max(...rows.flatMap((r) => series.map(([k]) => r[k]).filter(Number.isFinite)));
const stepY = maxY > 40 ? 10 : maxY > 20 ? 5 : 2;
const topY = Math.ceil(maxY / stepY) * stepY;
const x = (v) => L + ((W - L - R) * v) / maxX;
const y = (v) => H - B - ((H - T - B) * v) / topY;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const parts = [];
parts.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  `<rect width="${W}" height="${H}" fill="#fff"/>`,
  `<text x="${L}" y="18" font-size="13">kzoo controller at scale: seconds per operation (3 brokers, RF=3)</text>`,
);
for (let v = 0; v <= topY; v += stepY) {
  parts.push(
    `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
    `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`,
  );
}
for (const r of rows) {
  parts.push(
    `<line x1="${x(r.partitions)}" x2="${x(r.partitions)}" y1="${T}" y2="${H - B}" stroke="#f0f0f0"/>`,
    `<text x="${x(r.partitions)}" y="${H - B + 16}" text-anchor="middle">${r.partitions.toLocaleString('en-US')}</text>`,
  );
}
parts.push(
  `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`,
  `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`,
  `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">partitions</text>`,
  `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">seconds</text>`,
);
series.forEach(([k, label, color], i) => {
  const pts = rows.filter((r) => Number.isFinite(r[k])).map((r) => `${x(r.partitions)},${y(r[k])}`);
  parts.push(
    `<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
    ...pts.map((p) => {
      const [cx, cy] = p.split(',');
      return `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"/>`;
    }),
  );
  const ly = T + 10 + i * 18;
  parts.push(
    `<line x1="${W - R + 14}" x2="${W - R + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    `<text x="${W - R + 40}" y="${ly + 4}">${esc(label)}</text>`,
  );
});
if (machine)
  parts.push(
    `<text x="${W - R + 14}" y="${H - B - 4}" font-size="9" fill="#666">${esc(machine.slice(0, 48))}</text>`,
  );
parts.push('</svg>');
fs.writeFileSync(out, parts.join('\n') + '\n');
process.stderr.write(`scale-plot: ${rows.length} sizes → ${out}\n`);
