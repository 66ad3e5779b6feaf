#!/usr/bin/env node
/**
 * Builds crc32c.node beside this file, kzoo's CRC-32C addon (see crc32c.c), with the
 * machine's C compiler and the running Node's headers. Without them (or on a CPU other
 * than x86-64) it says so and exits 0: kzoo then uses @node-rs/crc32, 3-12x slower on
 * 16 KiB batches. A compiler that is there but fails is an error, except with --install.
 * Skipped when the addon is newer than its source.
 *
 * Run by scripts/bootstrap.sh and the Dockerfile, and as @kzoo/records' npm `install`
 * script (`--install`), so a project that installs the packed packages gets it too.
 *
 *   node packages/records/native/build.js [--force] [--install]
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = __dirname;
const src = path.join(dir, 'crc32c.c');
const out = path.join(dir, 'crc32c.node');
const say = (m) => process.stderr.write(`[build-native] ${m}\n`);

function findHeaders() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidates = [
    path.join(prefix, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    '/usr/include/nodejs/src',
  ];
  return candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')));
}

function findCompiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) return cc;
  }
  return undefined;
}

function main() {
  const force = process.argv.includes('--force');
  const install = process.argv.includes('--install');
  if (!fs.existsSync(src)) {
    // an image that kept the build and dropped the source
    if (!fs.existsSync(out)) say(`no ${src}: CRC-32C uses @node-rs/crc32`);
    return;
  }
  if (!force && fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) return;
  if (process.arch !== 'x64') {
    say(`${process.arch}: no SSE 4.2; CRC-32C uses @node-rs/crc32`);
    return;
  }
  const headers = findHeaders();
  const cc = findCompiler();
  if (!headers || !cc) {
    say(
      `${!cc ? 'no C compiler (cc, gcc, clang)' : 'no Node headers (node_api.h)'}: ` +
        'CRC-32C uses @node-rs/crc32, about 3x slower; install gcc to build the faster one',
    );
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [
    '-O3',
    '-fPIC',
    '-shared',
    '-std=c11',
    '-Wall',
    '-Werror',
    '-DNODE_GYP_MODULE_NAME=crc32c',
    `-I${headers}`,
    '-o',
    tmp,
    src,
  ];
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    fs.rmSync(tmp, { force: true });
    say(`${cc} ${args.join(' ')} failed (exit ${r.status})`);
    if (install) {
      say('CRC-32C uses @node-rs/crc32 (an install does not fail for it)');
      return;
    }
    process.exit(1);
  }
  fs.renameSync(tmp, out);
  say(`built ${path.relative(process.cwd(), out) || out} with ${cc}`);
}

// run as a script (bootstrap, npm install); required (the records test), it only exports
if (require.main === module) main();
else module.exports = { findHeaders, findCompiler };
