#!/usr/bin/env node
// A/B of `kzoo perf produce --producer-props acks=all` on 3 broker processes per checkout
// (RF=3, min.insync.replicas 2, one ZooKeeper chroot each), rounds interleaved; prints each
// run's load average, records/s, p99, the perf process's CPU (/usr/bin/time) and each
// broker's (/proc), then medians with CPU seconds per 1M records (perf, and the 3 brokers
// summed). Same root syntax as perf-ab.js: ROOT[#perf node flags[#broker NODE_OPTIONS]].
// --latency R: instead, `kzoo perf end-to-end-latency --throughput R` of --records records
// (acks=all) per run: its p50/p99/p99.9, and each broker's CPU and run-queue wait (time
// runnable without a CPU, /proc/<pid>/schedstat), then the medians.
// --warmup N: first, per checkout, one unmeasured `kzoo perf produce` of N records (acks=all)
// on its own topic: fresh brokers run their first millions of records partly unoptimized
// (one broker's CPU per 2 M records over four runs: 2.8, 1.9, 1.55, 1.3 s), so without it
// round 0 measures the JIT's warm-up more than the code.
// --props "K=V ...": more producer properties for the measured runs (e.g. the settings of
// Kafka's published acks=all run: "batch.size=64000 buffer.memory=67108864").
//   node scripts/perf-ab-rf3.js [--rounds 3] [--records 1000000] [--warmup N] [--latency R] [--props "K=V ..."] [--broker-prof DIR] ROOT...
'use strict';
const {
  runKzoo: run,
  cpuOf,
  waitOf,
  median,
  roundOrder,
  takeOption,
  perfProduceArgs,
  exitOnSignals,
  removeDirAtExit,
} = require('./perf-ab-lib');
const { setTimeout: sleep } = require('node:timers/promises');
const fs = require('fs');
const os = require('os');
const path = require('path');
const args = process.argv.slice(2);
const opt = (k, d) => takeOption(args, k, d);
const rounds = Number(opt('--rounds', '3'));
const records = Number(opt('--records', '1000000'));
const bprof = opt('--broker-prof', '');
const latencyRate = Number(opt('--latency', '0'));
const props = opt('--props', '').split(' ').filter(Boolean);
const warmup = Number(opt('--warmup', '0'));
const specs = args;
exitOnSignals('perf-ab-rf3');
(async () => {
  const cfg = specs.map((s) => {
    const [root, tf = '', bf = ''] = s.split('#');
    return { root: path.resolve(root), tf: tf.split(' ').filter(Boolean), bf: bf.trim() };
  });
  const tk0 = require(path.join(cfg[0].root, 'packages/testkit/dist'));
  const zk = await tk0.startZooKeeper();
  const all = [];
  const dirs = [];
  try {
    for (let i = 0; i < cfg.length; i++) {
      const tk = require(path.join(cfg[i].root, 'packages/testkit/dist'));
      cfg[i].brokers = [];
      for (let id = 1; id <= 3; id++) {
        const env = { KZOO_LOG_LEVEL: 'warn' };
        const no = [cfg[i].bf];
        if (bprof) {
          no.push(`--require ${path.join(cfg[i].root, 'scripts/cpu-prof-preload.js')}`);
          env.KZOO_PROF_DIR = path.join(bprof, `cfg${i}-b${id}`);
        }
        if (no.some(Boolean)) env.NODE_OPTIONS = no.filter(Boolean).join(' ');
        const dataDir = removeDirAtExit(tk.makeTempDir('rf3ab-'));
        dirs.push(dataDir);
        const b = await tk.startBrokerProcess({
          id,
          dataDir,
          zk: `${zk.connectString}/rf3ab${i}`,
          sessionTimeoutMs: 10000,
          cleanup: false,
          env,
          extraConfig: { 'controlled.shutdown.enable': false, 'min.insync.replicas': 2 },
          startTimeoutMs: 60000,
        });
        cfg[i].brokers.push(b);
        all.push(b);
      }
      cfg[i].bs = cfg[i].brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
    }
    const res = cfg.map(() => ({ r: [], pc: [], bc: [], p99: [], p50: [], p999: [], bw: [] }));
    /** A 4-partition RF=3 topic of checkout `c`, once every partition has its 3 replicas in the ISR. */
    const createTopic = async (c, topic) => {
      const { Admin } = require(path.join(c.root, 'packages/client/dist'));
      const admin = new Admin({ 'bootstrap.servers': c.bs });
      await admin.createTopics([{ topic, numPartitions: 4, replicationFactor: 3 }]);
      for (;;) {
        const [d] = await admin.describeTopics([topic]).catch(() => [undefined]);
        if (
          d &&
          d.partitions.length === 4 &&
          d.partitions.every((p) => p.leader >= 0 && p.isr.length === 3)
        )
          break;
        await sleep(100);
      }
      await admin.close();
    };
    for (let i = 0; i < cfg.length && warmup > 0; i++) {
      const c = cfg[i];
      await createTopic(c, 'rf3-warmup');
      await run(c.root, c.tf, perfProduceArgs('rf3-warmup', warmup, c.bs, ['acks=all']));
      console.log(`warm-up ${i}: ${warmup} records`);
    }
    for (let r = 0; r < rounds; r++)
      for (const i of roundOrder(r, cfg.length)) {
        const c = cfg[i];
        const topic = `rf3-${r}`;
        await createTopic(c, topic);
        const b0 = c.brokers.map((b) => cpuOf(b.child.pid));
        const l = os.loadavg()[0].toFixed(1);
        if (latencyRate > 0) {
          const w0 = c.brokers.map((b) => waitOf(b.child.pid));
          const x = await run(c.root, c.tf, [
            'perf',
            'end-to-end-latency',
            '--bootstrap-server',
            c.bs,
            '--topic',
            topic,
            '--num-records',
            String(records),
            '--producer-acks',
            'all',
            '--record-size',
            '100',
            '--throughput',
            String(latencyRate),
          ]);
          const bc = c.brokers.map((b, k) => cpuOf(b.child.pid) - b0[k]);
          const bw = c.brokers.map((b, k) => waitOf(b.child.pid) - w0[k]);
          const m = /p50 ([\d.]+) ms, p99 ([\d.]+) ms, p99\.9 ([\d.]+) ms/.exec(x.out);
          const self = /^# this process during the run: (.*)$/m.exec(x.out);
          res[i].p50.push(+m[1]);
          res[i].p99.push(+m[2]);
          res[i].p999.push(+m[3]);
          res[i].pc.push((x.cpu / records) * 1e6);
          res[i].bc.push((bc.reduce((a, b) => a + b, 0) / records) * 1e6);
          res[i].bw.push(bw.reduce((a, b) => a + b, 0));
          console.log(
            `round ${r} ${i} load ${l}: p50 ${m[1]} p99 ${m[2]} p99.9 ${m[3]} ms | perf CPU ${x.cpu.toFixed(2)} s, brokers CPU ${bc.map((v) => v.toFixed(2)).join('/')} s, run-queue wait ${bw.map((v) => v.toFixed(2)).join('/')} s | ${self ? self[1] : ''}`,
          );
          continue;
        }
        const x = await run(
          c.root,
          c.tf,
          perfProduceArgs(topic, records, c.bs, ['acks=all', ...props]),
        );
        const bc = c.brokers.map((b, k) => cpuOf(b.child.pid) - b0[k]);
        const line = x.out.trim().split('\n').pop();
        const m = /records sent, ([\d.]+) records\/sec .* (\d+) ms 99th/.exec(line);
        res[i].r.push(+m[1]);
        res[i].p99.push(+m[2]);
        res[i].pc.push((x.cpu / records) * 1e6);
        res[i].bc.push((bc.reduce((a, b) => a + b, 0) / records) * 1e6);
        console.log(
          `round ${r} ${i} load ${l}: ${(+m[1] / 1000).toFixed(0)} k/s p99 ${m[2]} ms | perf CPU ${x.cpu.toFixed(2)} s (${x.faults} faults), brokers CPU ${bc.map((v) => v.toFixed(2)).join('/')} s`,
        );
      }
    for (let i = 0; i < cfg.length && latencyRate > 0; i++)
      console.log(
        `MEDIAN ${specs[i]} at ${latencyRate}/s: p50 ${median(res[i].p50)} p99 ${median(res[i].p99)} p99.9 ${median(res[i].p999)} ms, CPU s per 1M records perf ${median(res[i].pc).toFixed(2)} brokers(sum) ${median(res[i].bc).toFixed(2)}, brokers' run-queue wait ${median(res[i].bw).toFixed(2)} s per run`,
      );
    for (let i = 0; i < cfg.length && !(latencyRate > 0); i++)
      console.log(
        `MEDIAN ${specs[i]}: ${(median(res[i].r) / 1000).toFixed(0)} k records/s, p99 ${median(res[i].p99)} ms, CPU s per 1M records perf ${median(res[i].pc).toFixed(2)} brokers(sum) ${median(res[i].bc).toFixed(2)}`,
      );
  } finally {
    for (const b of all) await b.stop(20000).catch(() => b.kill('SIGKILL'));
    await zk.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
