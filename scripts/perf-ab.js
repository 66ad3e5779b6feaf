#!/usr/bin/env node
// A/B of `kzoo perf produce` and `kzoo perf consume` between built checkouts, rounds
// interleaved (A B A B ...), on one ZooKeeper with one broker process per checkout (each
// on its own chroot, started from that checkout). Prints each run with the load average,
// the CPU seconds of the perf process (/usr/bin/time) and of the broker (/proc) during it,
// then medians, including CPU seconds per 1M records: on a loaded machine the CPU per
// record moves far less than records/s.
//   node scripts/perf-ab.js --roots /tmp/base,/work/wt/x [--rounds 3] [--records 2000000]
//        [--partitions 4] [--mode both|produce|consume] [--prof DIR] [--broker-prof DIR]
//        [--props "linger.ms=5 batch.size=65536"]
// A root may carry node flags for its perf processes: "/work/wt/x#--max-semi-space-size=64",
// and after a second '#' for its broker (through NODE_OPTIONS): "/work/wt/x##--max-semi-space-size=64".
// --prof writes the perf processes' CPU profiles, --broker-prof the brokers' (through
// scripts/cpu-prof-preload.js); summarise with scripts/cpuprofile-top.js.
'use strict';
const {
  runKzoo,
  cpuOf,
  median,
  roundOrder,
  perfProduceArgs,
  exitOnSignals,
  removeDirAtExit,
} = require('./perf-ab-lib');
const { setTimeout: sleep } = require('node:timers/promises');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const specs = opt('--roots', '').split(',').filter(Boolean);
if (specs.length === 0) {
  process.stderr.write('usage: node scripts/perf-ab.js --roots A,B [options] (see the header)\n');
  process.exit(2);
}
const roots = specs.map((s) => path.resolve(s.split('#')[0]));
const rootFlags = specs.map((s) => (s.split('#')[1] ?? '').split(' ').filter(Boolean));
const brokerFlags = specs.map((s) => (s.split('#')[2] ?? '').trim());
const rounds = Number(opt('--rounds', '3'));
const records = Number(opt('--records', '2000000'));
const partitions = Number(opt('--partitions', '4'));
const mode = opt('--mode', 'both');
const prof = opt('--prof', '');
const brokerProf = opt('--broker-prof', '');
const extraProps = opt('--props', '').split(' ').filter(Boolean);
const load = () => os.loadavg()[0].toFixed(1);

/** Runs `kzoo ARGS` of a root (with --prof, a CPU profile per run). */
function kzoo(i, a, label) {
  const flags = [...rootFlags[i]];
  if (prof) flags.push('--cpu-prof', `--cpu-prof-dir=${path.join(prof, label)}`);
  return runKzoo(roots[i], flags, a, label);
}

async function createTopic(i, bootstrap, topic) {
  const { Admin } = require(path.join(roots[i], 'packages/client/dist'));
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
    for (;;) {
      const [d] = await admin.describeTopics([topic]).catch(() => [undefined]);
      if (d && d.partitions.length === partitions && d.partitions.every((p) => p.leader >= 0))
        return;
      await sleep(100);
    }
  } finally {
    await admin.close();
  }
}

exitOnSignals('perf-ab');
(async () => {
  const tk0 = require(path.join(roots[0], 'packages/testkit/dist'));
  const zk = await tk0.startZooKeeper();
  const brokers = [];
  const dirs = [];
  const res = roots.map(() => ({ p: [], p99: [], pc: [], pb: [], c: [], cf: [], cc: [], cb: [] }));
  try {
    for (let i = 0; i < roots.length; i++) {
      const tk = require(path.join(roots[i], 'packages/testkit/dist'));
      const env = { KZOO_LOG_LEVEL: 'warn' };
      const nodeOptions = [brokerFlags[i]];
      if (brokerProf) {
        nodeOptions.push(`--require ${path.join(__dirname, 'cpu-prof-preload.js')}`);
        env.KZOO_PROF_DIR = path.join(brokerProf, `broker${i}`);
      }
      if (nodeOptions.some(Boolean)) env.NODE_OPTIONS = nodeOptions.filter(Boolean).join(' ');
      const dataDir = removeDirAtExit(tk.makeTempDir(`perf-ab-${i}-`));
      dirs.push(dataDir);
      brokers.push(
        await tk.startBrokerProcess({
          id: 1,
          dataDir,
          zk: `${zk.connectString}/perf-ab-${i}`,
          sessionTimeoutMs: 10000,
          cleanup: false,
          env,
          extraConfig: { 'controlled.shutdown.enable': false },
          startTimeoutMs: 60000,
        }),
      );
    }
    for (let r = 0; r < rounds; r++) {
      for (const i of roundOrder(r, roots.length)) {
        const bs = `127.0.0.1:${brokers[i].port}`;
        const topic = `perf-ab-${r}-${i}`;
        await createTopic(i, bs, topic);
        const pid = brokers[i].child.pid;
        let b0 = cpuOf(pid);
        const l0 = load();
        const p = await kzoo(
          i,
          perfProduceArgs(topic, records, bs, ['acks=1', ...extraProps]),
          `produce${i}`,
        );
        const pb = cpuOf(pid) - b0;
        const line = p.out.trim().split('\n').pop();
        const m = /records sent, ([\d.]+) records\/sec .* (\d+) ms 99th/.exec(line);
        if (mode !== 'consume') {
          res[i].p.push(Number(m[1]));
          res[i].p99.push(Number(m[2]));
          res[i].pc.push((p.cpu / records) * 1e6);
          res[i].pb.push((pb / records) * 1e6);
          console.log(
            `round ${r} ${i} load ${l0} produce: ${line} | perf CPU ${p.cpu.toFixed(2)} s (${p.faults} minor faults), broker CPU ${pb.toFixed(2)} s`,
          );
        }
        if (mode === 'produce') continue;
        b0 = cpuOf(pid);
        const l1 = load();
        const c = await kzoo(
          i,
          [
            'perf',
            'consume',
            '--bootstrap-server',
            bs,
            '--topic',
            topic,
            '--messages',
            String(records),
          ],
          `consume${i}`,
        );
        const cb = cpuOf(pid) - b0;
        const f = c.out
          .trim()
          .split('\n')
          .pop()
          .split(',')
          .map((s) => s.trim());
        res[i].c.push(Number(f[5]));
        res[i].cf.push(Number(f[9]));
        res[i].cc.push((c.cpu / records) * 1e6);
        res[i].cb.push((cb / records) * 1e6);
        console.log(
          `round ${r} ${i} load ${l1} consume: ${f.join(', ')} | perf CPU ${c.cpu.toFixed(2)} s (${c.faults} minor faults), broker CPU ${cb.toFixed(2)} s`,
        );
      }
    }
    const k = (n) => `${(n / 1000).toFixed(0)} k`;
    for (let i = 0; i < roots.length; i++) {
      const x = res[i];
      console.log(
        `MEDIAN ${specs[i]}: produce ${k(median(x.p))} records/s, p99 ${median(x.p99)} ms, CPU s per 1M records perf ${median(x.pc).toFixed(2)} broker ${median(x.pb).toFixed(2)}` +
          (mode === 'produce'
            ? ''
            : `; consume ${k(median(x.c))} records/s (fetching ${k(median(x.cf))}), CPU s per 1M records perf ${median(x.cc).toFixed(2)} broker ${median(x.cb).toFixed(2)}`),
      );
    }
  } finally {
    for (const b of brokers) await b.stop(20000).catch(() => b.kill('SIGKILL'));
    await zk.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
