// Preload for broker processes: where an acks=all commit spends its time. Wraps (in the
// compiled packages beside this script) ReplicaManager.appendRecords (produce until answered,
// per acks), fetchMessages (answered at once / parked, follower or consumer), the
// ReplicaFetcherThread's fetch round trip and its gap to the next fetch, Log.append /
// appendAsFollower / read, and LogManager's periodic checkpoint and flush tasks (synchronous
// on the event loop), with perf_hooks.monitorEventLoopDelay. The first SIGUSR2 starts a
// window, the next writes $KZOO_TRACE_DIR/trace-<pid>-<n>.txt (n, p50, p90, p99, max in ms).
//   env: { NODE_OPTIONS: '--require /path/to/scripts/replication-trace.js', KZOO_TRACE_DIR: dir }
// A diagnostic, not a bench: under load the figures include scheduling delays.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');

const pkg = (p) => require(path.resolve(__dirname, '..', 'packages', p));
const { ReplicaManager } = pkg('broker/dist/server/ReplicaManager.js');
const { ReplicaFetcherThread } = pkg('broker/dist/server/ReplicaFetcherThread.js');
const { LogManager } = pkg('log/dist/LogManager.js');
const { Log } = pkg('log/dist/Log.js');

let samples = new Map();
let active = false;
let windows = 0;
const rec = (k, ms) => {
  if (!active) return;
  let a = samples.get(k);
  if (!a) samples.set(k, (a = []));
  a.push(ms);
};
const eld = monitorEventLoopDelay({ resolution: 1 });
const isPromise = (r) => r !== null && typeof r === 'object' && typeof r.then === 'function';

const append = ReplicaManager.prototype.appendRecords;
ReplicaManager.prototype.appendRecords = function (acks, ...rest) {
  const t0 = performance.now();
  const r = append.call(this, acks, ...rest);
  if (isPromise(r)) void r.then(() => rec(`produce acks=${acks} (parked)`, performance.now() - t0));
  else rec(`produce acks=${acks} (at once)`, performance.now() - t0);
  return r;
};
const fetch = ReplicaManager.prototype.fetchMessages;
ReplicaManager.prototype.fetchMessages = function (req) {
  const t0 = performance.now();
  const r = fetch.call(this, req);
  const who = req.replicaId >= 0 ? 'follower' : 'consumer';
  if (isPromise(r)) void r.then(() => rec(`fetch ${who} (parked)`, performance.now() - t0));
  else rec(`fetch ${who} (at once)`, performance.now() - t0);
  return r;
};
const lastAnswer = new WeakMap();
const fetcherFetch = ReplicaFetcherThread.prototype.fetch;
ReplicaFetcherThread.prototype.fetch = function (list) {
  const t0 = performance.now();
  const prev = lastAnswer.get(this);
  if (prev !== undefined) rec('fetcher: answer -> next fetch', t0 - prev);
  return fetcherFetch.call(this, list).then((v) => {
    const t = performance.now();
    rec('fetcher: fetch round trip', t - t0);
    lastAnswer.set(this, t);
    return v;
  });
};
const timeSync = (proto, name, label) => {
  const f = proto[name];
  if (typeof f !== 'function') return;
  proto[name] = function (...a) {
    const t0 = performance.now();
    try {
      return f.apply(this, a);
    } finally {
      rec(label, performance.now() - t0);
    }
  };
};
for (const m of ['append', 'appendAsFollower', 'read']) timeSync(Log.prototype, m, `Log.${m}`);
for (const m of [
  'checkpointHighWatermarks',
  'checkpointRecoveryPoints',
  'checkpointLogStartOffsets',
  'flushDirtyLogs',
])
  timeSync(LogManager.prototype, m, `LogManager.${m}`);

process.on('SIGUSR2', () => {
  if (!active) {
    samples = new Map();
    eld.reset();
    eld.enable();
    active = true;
    return;
  }
  active = false;
  eld.disable();
  const lines = [];
  for (const [k, a] of [...samples].sort()) {
    a.sort((x, y) => x - y);
    const q = (p) => a[Math.min(a.length - 1, Math.floor(p * a.length))].toFixed(2);
    lines.push(
      `${k.padEnd(34)} n=${a.length} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${q(1)}`,
    );
  }
  const ms = (ns) => (ns / 1e6).toFixed(2);
  lines.push(
    `${'event-loop delay'.padEnd(34)} p50=${ms(eld.percentile(50))} p99=${ms(eld.percentile(99))} max=${ms(eld.max)}`,
  );
  const dir = process.env.KZOO_TRACE_DIR || '.';
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `trace-${process.pid}-${++windows}.txt`),
    lines.join('\n') + '\n',
  );
});
