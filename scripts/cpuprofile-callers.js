#!/usr/bin/env node
// Who calls a function in a `node --cpu-prof` profile: its self time by caller chain, to
// tell (say) a socket's writeBuffer from a file's, or msgpackr's copy of a batch from
// another.   node scripts/cpuprofile-callers.js FILE.cpuprofile FUNCTION [DEPTH=4]
'use strict';
const fs = require('node:fs');
const [file, name, depth = '4'] = process.argv.slice(2);
if (!file || !name) {
  process.stderr.write(
    'usage: node scripts/cpuprofile-callers.js FILE.cpuprofile FUNCTION [DEPTH]\n',
  );
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) =>
  `${n.callFrame.functionName || '(anonymous)'}@${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const byChain = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  if (n.callFrame.functionName !== name) continue;
  const chain = [];
  for (let id = parent.get(n.id), d = 0; id !== undefined && d < Number(depth); d++) {
    chain.push(label(byId.get(id)));
    id = parent.get(id);
  }
  const k = chain.join(' < ');
  byChain.set(k, (byChain.get(k) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
for (const [k, us] of [...byChain].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
