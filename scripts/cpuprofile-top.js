#!/usr/bin/env node
// Prints the top self-time functions of a `node --cpu-prof` profile (.cpuprofile), with
// their file:line, so a bench's cost can be named in a commit message.
//   node scripts/cpuprofile-top.js FILE.cpuprofile [N=25] [--from-fn NAME] [--ms MS]
// --from-fn: only the samples from the first one whose stack holds function NAME (e.g.
// registerControllerAndIncrementControllerEpoch: a new controller's failover), for --ms
// milliseconds (default 10000) — one step of a long-lived broker's profile.
'use strict';
const fs = require('node:fs');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const fromFn = opt('--from-fn');
const windowMs = Number(opt('--ms') ?? 10000);
const [file, n = '25'] = args;
if (!file) {
  process.stderr.write(
    'usage: node scripts/cpuprofile-top.js FILE.cpuprofile [N] [--from-fn NAME] [--ms MS]\n',
  );
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map();
for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const onStack = (id, name) => {
  for (let cur = id; cur !== undefined; cur = parent.get(cur))
    if (byId.get(cur).callFrame.functionName === name) return true;
  return false;
};
const self = new Map();
const dt = prof.timeDeltas;
let t = 0;
let start;
for (let i = 0; i < prof.samples.length; i++) {
  t += dt[i] ?? 0;
  if (fromFn !== undefined) {
    if (start === undefined && onStack(prof.samples[i], fromFn)) start = t;
    if (start === undefined) continue;
    if (t - start > windowMs * 1000) break;
  }
  const node = byId.get(prof.samples[i]);
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
}
if (fromFn !== undefined && start === undefined) {
  console.log(`# ${file}: no sample has ${fromFn} on its stack`);
  process.exit(0);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(
  `# ${file}: ${(total / 1e6).toFixed(2)} s sampled` +
    (fromFn !== undefined ? ` from the first sample in ${fromFn}, ${windowMs} ms` : ''),
);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(
    `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`,
  );
