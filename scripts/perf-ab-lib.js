// What the perf A/B scripts (perf-ab.js, perf-ab-rf3.js, perf-ab-consume.js) share: running
// `kzoo` of a checkout under /usr/bin/time, a process's CPU from /proc, and medians.
'use strict';
const { nodeProcessEnv } = require('../packages/common/dist');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const haveTime = fs.existsSync('/usr/bin/time');

// This checkout's testkit (the roots measured may predate its exitOnSignals): SIGINT,
// SIGTERM and SIGHUP end a script through process.exit, whose hooks SIGKILL the ZooKeeper,
// brokers and perf tools and remove the dirs given to removeDirAtExit.
const { exitOnSignals, removeDirAtExit, trackChild } = require('../packages/testkit/dist');

/**
 * Runs `kzoo ARGS` of the checkout `root` with node `flags`; resolves with its stdout, its
 * CPU seconds and minor faults (NaN without /usr/bin/time), rejects with the end of stderr.
 */
function runKzoo(root, flags, args, label = args.slice(0, 2).join(' ')) {
  return new Promise((resolve, reject) => {
    const node = [...flags, path.join(root, 'packages/cli/dist/bin.js'), ...args];
    const [cmd, argv] = haveTime
      ? ['/usr/bin/time', ['-f', 'CPU %U %S faults %R', process.execPath, ...node]]
      : [process.execPath, node];
    const c = spawn(cmd, argv, {
      env: nodeProcessEnv({ ...process.env, KZOO_LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(c);
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited ${code}: ${err.slice(-2000)}`));
      const m = /CPU ([\d.]+) ([\d.]+) faults (\d+)/.exec(err);
      resolve({ out, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, faults: m ? Number(m[3]) : NaN });
    });
  });
}

/** CPU seconds (utime + stime) of a running process, from /proc (clock ticks of 1/100 s). */
function cpuOf(pid) {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Seconds a process was runnable without a CPU (/proc/<pid>/schedstat), NaN where absent. */
function waitOf(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return NaN;
  }
}

/**
 * The order of the checkouts in round `r` of `n`: rotated each round. A run leaves work behind
 * for the next one (the kernel writes its hundreds of MB of log back while the next runs): in
 * two A/Bs with a fixed order, whichever checkout ran second took about 16 % more broker CPU.
 */
const roundOrder = (r, n) => Array.from({ length: n }, (_, k) => (k + r) % n);

const median = (a) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] : NaN);

/** Removes `name value` from `args` and returns value, or `dflt` when absent (what is left are the roots). */
function takeOption(args, name, dflt) {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

/** `kzoo perf produce` arguments: `records` of 100 bytes to `topic`, unthrottled, with `props`. */
function perfProduceArgs(topic, records, bootstrap, props = []) {
  return [
    'perf',
    'produce',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    '100',
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${bootstrap}`,
    ...props,
  ];
}

module.exports = {
  runKzoo,
  cpuOf,
  waitOf,
  median,
  roundOrder,
  takeOption,
  perfProduceArgs,
  exitOnSignals,
  removeDirAtExit,
};
