#!/usr/bin/env node
// Builds the README performance table from the output of `bash scripts/bench.sh log` and
// `deploy` (and `scale`, if present) — see scripts/bench-readme.sh.
//   node scripts/bench-readme.js BENCH_OUTPUT [--write README.md]
'use strict';
const fs = require('node:fs');
const { readBenchOutput } = require('./bench-output');
const [file, flag, readme] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/bench-readme.js BENCH_OUTPUT [--write README.md]\n');
  process.exit(2);
}
const out = readBenchOutput(file);
const grab = (re) => {
  const m = re.exec(out);
  return m ? m.slice(1) : null;
};
const need = (re, what) => {
  const m = grab(re);
  if (!m) {
    process.stderr.write(`bench-readme: no ${what} in ${file}\n`);
    process.exit(1);
  }
  return m;
};
const machine = need(/^# machine: (.*)$/m, 'machine line (deploy section)')[0];
const rows = [];
const goal = (name) => {
  const m = grab(new RegExp(`^GOAL ${name}.*?: (met|NOT met) \\((.*)\\)$`, 'm'));
  return m ? (m[0] === 'met' ? 'met' : '**NOT met**') : '—';
};
const logW = grab(/^raw sequential write\s*: (\d+) MB\/s/m);
const logA = grab(/^log append\s*: (\d+) MB\/s\s+([\d.]+) M records\/s/m);
const logAR = grab(/^append \/ raw write\s*: ([\d.]+)/m);
const logR = grab(/^log sequential read\s*: (\d+) MB\/s/m);
const rawR = grab(/^raw sequential read\s*: (\d+) MB\/s/m);
const logRR = grab(/^read \/ raw read\s*: ([\d.]+)/m);
if (logA && logW && logAR)
  rows.push([
    'log append, one partition (`log`)',
    `${logA[0]} MB/s, ${logA[1]} M records/s`,
    `raw sequential write ${logW[0]} MB/s (${logAR[0]}×)`,
    `≥ 0.8× raw — ${Number(logAR[0]) >= 0.8 ? 'met' : '**NOT met**'}`,
  ]);
if (logR && rawR && logRR)
  rows.push([
    'log sequential read, page cache (`log`)',
    `${logR[0]} MB/s`,
    `raw read ${rawR[0]} MB/s (${logRR[0]}×)`,
    `≥ 0.9× raw — ${Number(logRR[0]) >= 0.9 ? 'met' : '**NOT met**'}`,
  ]);
const lim = need(
  /^SUMMARY limits loopback (\d+) MB\/s write (\d+) MB\/s read (\d+) MB\/s/m,
  'limits',
);
const newData = grab(/^SUMMARY limits .* new-data write (\d+) MB\/s/m);
const p1 = need(
  /^SUMMARY produce-1 (\d+) rec\/s ([\d.]+) MB\/s p50 (\d+) p99 (\d+) p99\.9 (\d+) ms/m,
  'produce-1',
);
const c1 = need(
  /^SUMMARY consume-1 (\d+) rec\/s \(fetch only (\d+)\) ([\d.]+) MB\/s/m,
  'consume-1',
);
const p3 = need(
  /^SUMMARY produce-rf3-all (\d+) rec\/s ([\d.]+) MB\/s p50 (\d+) p99 (\d+) p99\.9 (\d+) ms/m,
  'produce-rf3-all',
);
// Runs before the bench had it have no such line.
const p3k = grab(
  /^SUMMARY produce-rf3-all-b64k (\d+) rec\/s ([\d.]+) MB\/s p50 (\d+) p99 (\d+) p99\.9 (\d+) ms \(([^)]*)\)/m,
);
// `median R of N rounds: R1 (three / one), ...` (runs before the bench had rounds: none)
const ratioRounds = grab(/^SUMMARY rf3-b64k-ratio median ([\d.]+) of (\d+) rounds: (.*)$/m);
const p3a1 = grab(
  /^SUMMARY produce-rf3-acks1 (\d+) rec\/s ([\d.]+) MB\/s p50 (\d+) p99 (\d+) p99\.9 (\d+) ms/m,
);
/**
 * What a record cost in CPU in the brokers and the perf tool, and the records/s the cores
 * allow at that cost (a run as fast as it goes) or the cores' busy share (a run at a set rate).
 */
const cpu = (name, atRate = false) => {
  const m = grab(
    new RegExp(
      `^SUMMARY cpu ${name} brokers ([\\d.]+) tool ([\\d.]+) us/record ceiling (\\d+) rec/s on (\\d+) cores, run at (\\d+) rec/s`,
      'm',
    ),
  );
  if (!m) return '';
  // the brokers' kernel share (runs before the bench printed it have none)
  const kernel = grab(
    new RegExp(`^SUMMARY cpu ${name} .*; brokers in the kernel ([\\d.]+) us/record`, 'm'),
  );
  const cost = `CPU brokers ${m[0]}${kernel ? ` (${kernel[0]} in the kernel)` : ''} + tool ${m[1]} µs/record`;
  return atRate
    ? `${cost}: the ${m[3]} cores ${((100 * m[4]) / m[2]).toFixed(0)} % busy at this rate`
    : `${cost}: the ${m[3]} cores allow ${k(m[2])}/s`;
};
// `p50 A p99 B p99.9 C ms[; steady state p50 D p99 E p99.9 F ms (after S s)]`
const latencyRe = (name) =>
  new RegExp(
    `^SUMMARY ${name} p50 ([\\d.]+) p99 ([\\d.]+) p99\\.9 ([\\d.]+) ms` +
      `(?:; steady state p50 ([\\d.]+) p99 ([\\d.]+) p99\\.9 ([\\d.]+) ms \\(after ([\\d.]+) s\\))?`,
    'm',
  );
const l1 = need(latencyRe('latency-50%-acks1'), 'latency acks=1');
const l3 = need(latencyRe('latency-50%-rf3-all'), 'latency rf3');
/** The steady state first (what the goal is judged on), then the whole run with its start. */
const latencyCell = (l) =>
  l[3] !== undefined
    ? `steady state (after the first ${l[6]} s) p50 ${l[3]} / p99 ${l[4]} / p99.9 ${l[5]} ms; ` +
      `whole run p50 ${l[0]} / p99 ${l[1]} / p99.9 ${l[2]} ms`
    : `p50 ${l[0]} / p99 ${l[1]} / p99.9 ${l[2]} ms`;
// The per-message floor (runs before it was measured have no such line).
const rt = grab(/^SUMMARY roundtrip 100B ([\d.]+) us wall ([\d.]+) us cpu/m);
const sc = grab(/^SUMMARY roundtrip .*; syscall ([\d.]+) us/m);
const floor = rt
  ? `round trip between 2 processes ${rt[0]} µs, ${rt[1]} µs CPU` +
    (sc ? `; a system call ${sc[0]} µs` : '')
  : '';
// What one request costs end to end, one in flight (runs before it was measured have none).
const rb = grab(
  /^SUMMARY request-budget apiversions-1 ([\d.]+) us cpu [\d.]+ us wall; produce-acks1-1 ([\d.]+) us cpu [\d.]+ us wall; fetch-1 ([\d.]+) us cpu [\d.]+ us wall; produce-all-rf3 ([\d.]+) us cpu [\d.]+ us wall \(brokers ([\d.]+) us, leader first ([\d. ]+)\); (\d+) records/m,
);
const budget = rb
  ? `one request at a time, CPU of all processes: ApiVersions ${rb[0]} µs, ` +
    `an acks=1 produce of ${rb[6]} records ${rb[1]} µs, an acks=all produce on RF=3 ${rb[3]} µs ` +
    `(leader / followers ${rb[5].trim().split(' ').join(' / ')})`
  : '';
const js = grab(
  /^SUMMARY jetstream R1 publish (\d+) consume (\d+); R3 publish (\d+) consume (\d+)/m,
);
const k = (n) =>
  Number(n) >= 1e6 ? `${(Number(n) / 1e6).toFixed(2)} M` : `${(Number(n) / 1e3).toFixed(0)} k`;
rows.push([
  '`kzoo perf produce` → 1 broker process, acks=1 (`deploy`)',
  `${k(p1[0])} records/s (${p1[1]} MB/s), p50 ${p1[2]} / p99 ${p1[3]} / p99.9 ${p1[4]} ms`,
  [
    cpu('produce-1'),
    `loopback ${lim[0]} MB/s, raw write ${lim[1]} MB/s`,
    js ? `JetStream R1 ${k(js[0])}/s (${(p1[0] / js[0]).toFixed(1)}×)` : '',
  ]
    .filter(Boolean)
    .join('; '),
  `≥ 1 M — ${goal('produce 1 broker')}` +
    (js ? `; ≥ 10× JetStream — ${goal('publish >= 10x')}` : ''),
]);
rows.push([
  '`kzoo perf consume` ← 1 broker process (`deploy`)',
  `${k(c1[1])} records/s fetching (${k(c1[0])} with the group join)`,
  [
    cpu('consume-1'),
    `loopback ${lim[0]} MB/s`,
    js ? `JetStream R1 ${k(js[1])}/s (${(c1[1] / js[1]).toFixed(1)}×)` : '',
  ]
    .filter(Boolean)
    .join('; '),
  `≥ 1.5 M — ${goal('consume >= 1,500,000')}` +
    (js ? `; ≥ 3× JetStream — ${goal('consume >= 3x')}` : ''),
]);
rows.push([
  '`kzoo perf produce` → 3 broker processes, RF=3, acks=all (`deploy`)',
  `${k(p3[0])} records/s (${(p3[0] / p1[0]).toFixed(2)}× of acks=1), p50 ${p3[2]} / p99 ${p3[3]} / p99.9 ${p3[4]} ms`,
  [
    cpu('produce-rf3-all'),
    newData ? `raw write of new data ${newData[0]} MB/s (3 copies of each record)` : '',
    floor,
    js ? `JetStream R3 ${k(js[2])}/s (${(p3[0] / js[2]).toFixed(1)}×)` : '',
  ]
    .filter(Boolean)
    .join('; ') || '—',
  (p3k
    ? '— (≥ 0.5× is judged on the next row, as Kafka measured it)'
    : `≥ 0.5× — ${goal('RF=3 acks=all >= 0.5x')}`) +
    (js ? `; ≥ 10× JetStream R3 — ${goal('RF=3 acks=all >= 10x')}` : ''),
]);
if (p3k)
  rows.push([
    `\`kzoo perf produce\` → 3 broker processes, RF=3, acks=all, ${p3k[5]} (Kafka's published acks=all run) (\`deploy\`)`,
    `${k(p3k[0])} records/s (${(p3k[0] / p1[0]).toFixed(2)}× of acks=1), p50 ${p3k[2]} / p99 ${p3k[3]} / p99.9 ${p3k[4]} ms` +
      (ratioRounds
        ? `; RF=3 / 1 broker in ${ratioRounds[1]} rounds of both, alternating: median ${ratioRounds[0]}× (${ratioRounds[2]})`
        : ''),
    [
      cpu('produce-rf3-all-b64k'),
      newData ? `raw write of new data ${newData[0]} MB/s (3 copies of each record)` : '',
    ]
      .filter(Boolean)
      .join('; ') || '—',
    `≥ 0.5× (Kafka: 421,823 / 821,557) — ${goal('RF=3 acks=all >= 0.5x')}`,
  ]);
if (p3a1)
  rows.push([
    '`kzoo perf produce` → 3 broker processes, RF=3, acks=1 (`deploy`)',
    `${k(p3a1[0])} records/s (${(p3a1[0] / p1[0]).toFixed(2)}× of 1 broker), p50 ${p3a1[2]} / p99 ${p3a1[3]} / p99.9 ${p3a1[4]} ms`,
    cpu('produce-rf3-acks1') || '—',
    '— (what replication costs without waiting for it)',
  ]);
rows.push([
  'end-to-end latency at 50 % load, acks=1 (`deploy`)',
  latencyCell(l1),
  cpu('latency-50%-acks1', true) || '—',
  '—',
]);
rows.push([
  'end-to-end latency at 50 % load, RF=3 acks=all (`deploy`)',
  latencyCell(l3),
  [cpu('latency-50%-rf3-all', true), floor, budget].filter(Boolean).join('; ') || '—',
  `≤ 3 / 10 / 25 ms — ${goal('latency at 50 % load')}`,
]);
const head = [
  'what (`bash scripts/bench.sh <section>`)',
  'kzoo',
  'physical limit / peer, same run',
  'goal (issue 16)',
];
const line = (cells) => `| ${cells.join(' | ')} |`;
const lines = [
  `Measured by \`bash scripts/bench-readme.sh\` (${new Date().toISOString().slice(0, 10)}): ${machine}.`,
  '',
  line(head),
  line(head.map(() => '---')),
  ...rows.map(line),
];
const scaleTable = out.match(/^\| partitions \|.*\n\|[- |]+\|\n(?:\|.*\|\n?)+/m);
if (scaleTable)
  lines.push(
    '',
    'Controller at scale (`bash scripts/bench.sh scale`):',
    '',
    scaleTable[0].trimEnd(),
  );
const block = lines.join('\n');
if (flag === '--write') {
  const path = readme ?? 'README.md';
  const text = fs.readFileSync(path, 'utf8');
  const start = '<!-- bench-table:start -->';
  const end = '<!-- bench-table:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {
    process.stderr.write(
      `bench-readme: ${path} has no ${start} ... ${end} block; add it where the table goes\n`,
    );
    process.exit(1);
  }
  fs.writeFileSync(path, text.slice(0, i + start.length) + '\n' + block + '\n' + text.slice(j));
} else {
  process.stdout.write(block + '\n');
}
