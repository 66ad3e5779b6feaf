#!/usr/bin/env node
// A `node --cpu-prof` profile (.cpuprofile) as a timeline: per time bucket, the share of idle,
// of the garbage collector, and of samples with each named function on the stack, to see
// the phases of a step (when a broker applied the LeaderAndIsr, when it closed its logs).
//   node scripts/cpuprofile-timeline.js FILE.cpuprofile [BUCKET_MS=500] [FN1,FN2,...] [--from S]
// --from: print only the buckets from S seconds after the profile's start.
'use strict';
const fs = require('node:fs');
const args = process.argv.slice(2);
const fromIdx = args.indexOf('--from');
const from = fromIdx >= 0 ? Number(args.splice(fromIdx, 2)[1]) : 0;
const [
  file,
  bucketMs = '500',
  fns = 'becomeLeaderOrFollower,handleUpdateMetadata,controlledShutdown,closeAsync,fetchMessages',
] = args;
if (!file) {
  process.stderr.write(
    'usage: node scripts/cpuprofile-timeline.js FILE.cpuprofile [BUCKET_MS] [FN1,FN2,...] [--from S]\n',
  );
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const names = fns.split(',');
const stacks = new Map();
const onStack = (id) => {
  let s = stacks.get(id);
  if (!s) {
    s = new Set();
    for (let c = id; c !== undefined; c = parent.get(c)) s.add(byId.get(c).callFrame.functionName);
    stacks.set(id, s);
  }
  return s;
};
const bucket = Number(bucketMs) * 1000;
const rows = new Map();
let t = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  t += dt;
  const k = Math.floor(t / bucket);
  let r = rows.get(k);
  if (!r) rows.set(k, (r = { total: 0, idle: 0, gc: 0, fn: names.map(() => 0) }));
  r.total += dt;
  const s = onStack(prof.samples[i]);
  if (s.has('(idle)')) r.idle += dt;
  if (s.has('(garbage collector)')) r.gc += dt;
  names.forEach((f, j) => {
    if (s.has(f)) r.fn[j] += dt;
  });
}
const w = Math.max(6, ...names.map((n) => Math.min(n.length, 14)));
console.log(
  `${'t (s)'.padStart(7)} ${'idle'.padStart(4)} ${'gc'.padStart(4)} ` +
    names.map((n) => n.slice(0, 14).padStart(w)).join(' '),
);
for (const [k, r] of [...rows].sort((a, b) => a[0] - b[0])) {
  const sec = (k * bucket) / 1e6;
  if (sec < from) continue;
  const pct = (x) => `${r.total ? Math.round((100 * x) / r.total) : 0}`;
  console.log(
    `${sec.toFixed(2).padStart(7)} ${pct(r.idle).padStart(4)} ${pct(r.gc).padStart(4)} ` +
      r.fn.map((x) => pct(x).padStart(w)).join(' '),
  );
}
