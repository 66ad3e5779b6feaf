#!/usr/bin/env node
// Consume-only A/B of `kzoo perf consume`: one broker per distinct broker checkout gets
// RECORDS records once (kzoo perf produce, 4 partitions), then each config consumes them
// all with a fresh group, rounds interleaved; prints fetch rate (kafka-consumer-perf-test's
// fetch.nMsg.sec), the perf process's CPU and minor faults, the broker's CPU, then medians.
// A config is NAME=BROKER_ROOT,TOOL_ROOT[,perf node flags]: the same broker with two tools
// isolates a client change.
//   node scripts/perf-ab-consume.js [--rounds 6] [--records 2000000] A=/tmp/base,/tmp/base B=/tmp/base,/work/wt/x
'use strict';
const {
  runKzoo: run,
  cpuOf,
  median,
  roundOrder,
  perfProduceArgs,
  exitOnSignals,
  removeDirAtExit,
} = require('./perf-ab-lib');
const { setTimeout: sleep } = require('node:timers/promises');
const fs = require('fs');
const os = require('os');
const path = require('path');
const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const rounds = Number(opt('--rounds', '6'));
const records = Number(opt('--records', '2000000'));
const cfgs = args
  .filter((a) => /^[A-Z]=/.test(a))
  .map((a) => {
    const [name, v] = a.split('=');
    const [b, t, f] = v.split(',');
    return { name, b, t, f: (f || '').split(' ').filter(Boolean) };
  });
exitOnSignals('perf-ab-consume');
(async () => {
  const tk = require(path.join(cfgs[0].b, 'packages/testkit/dist'));
  const zk = await tk.startZooKeeper();
  const brokers = new Map();
  const dirs = [];
  try {
    for (const b of new Set(cfgs.map((c) => c.b))) {
      const tkb = require(path.join(b, 'packages/testkit/dist'));
      const dataDir = removeDirAtExit(tkb.makeTempDir('cab-'));
      dirs.push(dataDir);
      const br = await tkb.startBrokerProcess({
        id: 1,
        dataDir,
        zk: `${zk.connectString}/cab${brokers.size}`,
        cleanup: false,
        env: { KZOO_LOG_LEVEL: 'warn' },
        extraConfig: { 'controlled.shutdown.enable': false },
        startTimeoutMs: 60000,
      });
      brokers.set(b, br);
      const { Admin } = require(path.join(b, 'packages/client/dist'));
      const admin = new Admin({ 'bootstrap.servers': `127.0.0.1:${br.port}` });
      await admin.createTopics([{ topic: 'cab', numPartitions: 4, replicationFactor: 1 }]);
      for (;;) {
        const [d] = await admin.describeTopics(['cab']).catch(() => [undefined]);
        if (d && d.partitions.every((p) => p.leader >= 0)) break;
        await sleep(100);
      }
      await admin.close();
      await run(b, [], perfProduceArgs('cab', records, `127.0.0.1:${br.port}`, ['acks=1']));
    }
    const res = cfgs.map(() => ({ f: [], pc: [], bc: [] }));
    for (let r = 0; r < rounds; r++)
      for (const i of roundOrder(r, cfgs.length)) {
        const c = cfgs[i];
        const br = brokers.get(c.b);
        const b0 = cpuOf(br.child.pid);
        const l = os.loadavg()[0].toFixed(1);
        const x = await run(c.t, c.f, [
          'perf',
          'consume',
          '--bootstrap-server',
          `127.0.0.1:${br.port}`,
          '--topic',
          'cab',
          '--messages',
          String(records),
          '--group',
          `g${r}-${i}`,
        ]);
        const bc = cpuOf(br.child.pid) - b0;
        const f = x.out
          .trim()
          .split('\n')
          .pop()
          .split(',')
          .map((s) => s.trim());
        res[i].f.push(+f[9]);
        res[i].pc.push(x.cpu);
        res[i].bc.push(bc);
        console.log(
          `round ${r} ${c.name} load ${l} fetch ${(+f[9] / 1000).toFixed(0)} k/s fetch.ms ${f[7]} perf CPU ${x.cpu.toFixed(2)} faults ${x.faults} broker CPU ${bc.toFixed(2)}`,
        );
      }
    for (let i = 0; i < cfgs.length; i++)
      console.log(
        `MEDIAN ${cfgs[i].name} (${cfgs[i].b} / ${cfgs[i].t} ${cfgs[i].f.join(' ')}): fetch ${(median(res[i].f) / 1000).toFixed(0)} k/s, perf CPU ${median(res[i].pc).toFixed(2)} s, broker CPU ${median(res[i].bc).toFixed(2)} s per ${records} records`,
      );
  } finally {
    for (const b of brokers.values()) await b.stop(20000).catch(() => b.kill('SIGKILL'));
    await zk.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
