#!/usr/bin/env node
// A/B of the broker's SystemTimer (the purgatories' expiry) between built checkouts: CPU
// nanoseconds per schedule + cancel, the life of a parked fetch or produce that completes
// before its deadline (about 64 parked at once), in interleaved rounds; prints the medians.
//   node scripts/timer-ab.js ROOT_A ROOT_B [--rounds 7] [--ops 200000]
'use strict';
const path = require('node:path');
const { takeOption } = require('./perf-ab-lib');
const args = process.argv.slice(2);
const opt = (k, d) => takeOption(args, k, d);
const rounds = Number(opt('--rounds', '7'));
const ops = Number(opt('--ops', '200000'));
const roots = args.map((r) => path.resolve(r));
const timers = roots.map(
  (r) => require(path.join(r, 'packages/broker/dist/server/Timer.js')).SystemTimer,
);
function round(SystemTimer) {
  const t = new SystemTimer();
  const now = Date.now();
  const c0 = process.cpuUsage();
  const parked = [];
  for (let i = 0; i < ops; i++) {
    parked.push(t.schedule(now + 500 + (i & 7), () => {}));
    if (parked.length > 64) parked.shift().cancel();
  }
  for (const h of parked) h.cancel();
  const c = process.cpuUsage(c0);
  t.shutdown();
  return ((c.user + c.system) * 1000) / ops;
}
const res = timers.map(() => []);
for (let r = 0; r < rounds; r++) timers.forEach((T, i) => res[i].push(round(T)));
res.forEach((a, i) => {
  a.sort((x, y) => x - y);
  console.log(
    `${roots[i]}: ${a[a.length >> 1].toFixed(0)} ns per schedule + cancel (median of ${rounds}; all ${a.map((x) => x.toFixed(0)).join(' ')})`,
  );
});
