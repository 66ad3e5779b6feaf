#!/usr/bin/env node
// Prints the functions that allocated the most in a sampling heap profile (.heapprofile,
// from scripts/profile-on-signal.js with KZOO_PROFILE=alloc), with their file:line.
//   node scripts/heapprofile-top.js FILE.heapprofile [N=25]
'use strict';
const fs = require('node:fs');
const [file, n = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/heapprofile-top.js FILE.heapprofile [N]\n');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const bytes = new Map();
let total = 0;
const stack = [prof.head];
while (stack.length > 0) {
  const node = stack.pop();
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
  if (node.selfSize > 0) bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const c of node.children) stack.push(c);
}
console.log(`# ${file}: ${(total / 1e6).toFixed(1)} MB sampled`);
for (const [k, b] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, Number(n)))
  console.log(
    `${((100 * b) / total).toFixed(1).padStart(5)}%  ${(b / 1e6).toFixed(2).padStart(8)} MB  ${k}`,
  );
