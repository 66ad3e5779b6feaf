#!/usr/bin/env node
// A probe of the RF=3 acks=all path on broker processes (a diagnostic beside
// bench/deploy.ts, not a bench line): ZooKeeper and 3 `kzoo broker start` processes
// (min.insync.replicas 2), RF=3 topics of --partitions (4) partitions, then in turn
//   --records N        kzoo perf produce, N records of 100 B, --acks (default all),
//                      --produce-rate R (records/s; default as fast as it goes: a profile
//                      below saturation is not inflated by waiting for a core)
//   --one N            kzoo perf end-to-end-latency, one record at a time (Kafka's mode)
//   --rate R           kzoo perf end-to-end-latency --throughput R for --lat-records (R*10)
//   --lat-args "A ..." more arguments for the latency tool (e.g. "--warmup-records N
//                      --command-config FILE")
// (brokers and the latency tool with kzoo's node flags, KZOO_NODE_FLAGS, as bench deploy runs
// them) and for each phase the CPU time the brokers used (/proc/<pid>/stat), in ms and µs per
// record: unlike wall figures, steady enough on a loaded machine for A/B comparisons; and
// each broker's run-queue wait (/proc/<pid>/schedstat): time it was runnable but had no CPU.
//   --profile DIR      CPU profile of each broker over each phase (scripts/profile-on-signal.js)
//   --trace DIR        timing histograms of each broker per phase (scripts/replication-trace.js)
//   --stalls DIR       why event loops stalled (brokers and the perf tool), one line per stall
//                      over 50 ms: run / runnable-without-CPU / blocked (scripts/stall-watch.js)
//   --tool-profile DIR CPU profile of the perf tool of each phase (scripts/cpu-prof-preload.js)
//   --perf FILE        `perf record -g` of the brokers (JIT frames named via --perf-basic-prof)
//                      for --perf-seconds (3) from --perf-at (1.5) s into each phase:
//                      FILE.<phase>.data (perf report -i ...)
//   --perf-tool        with --perf: record the perf tool's process instead of the brokers
//   --self-stats       run `perf produce` with --self-stats (its own CPU per record)
//   --tool-node-flags "F ..." more node flags for the perf tool (e.g. --require a watcher)
//   --broker-node-flags "F ..." more node/V8 flags for the brokers (e.g. --trace-deopt);
//                      with --broker-out DIR each broker's stdout and stderr (its log) are
//                      written to DIR/broker-N.out and .err
//   --warm N           first N records (acks=all) to a topic of their own, not measured, as
//                      bench deploy's warm-up (which first gives each measured topic its first
//                      records); --warm-consume: also consumed
//   --props "K=V ..."  more producer properties for --records (e.g. enable.idempotence=false)
//   --config JSON      extra broker configs, e.g. '{"replica.fetch.wait.max.ms":100}'
//   --single           one broker, RF=1 (the acks=1 reference)
// Build first (npx tsc -b). Example:
//   node scripts/rf3-probe.js --records 1000000 --one 3000 --trace /tmp/t
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
/* global fetch */
const { setTimeout: sleep } = require('node:timers/promises');
const { setTimeout, clearTimeout } = require('node:timers');

const root = path.resolve(__dirname, '..');
const tk = require(path.join(root, 'packages/testkit/dist'));
const { Admin } = require(path.join(root, 'packages/client/dist'));
const { kzooNodeArgs, setLogLevel } = require(path.join(root, 'packages/common/dist'));
const { perfProduceArgs } = require('./perf-ab-lib');

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const single = args.includes('--single');
const rf = single ? 1 : 3;
const partitions = Number(opt('--partitions', '4'));
// JIT frames named for perf (/tmp/perf-<pid>.map). V8 then also writes an isolate-*-<pid>-v8.log
// into the working directory of every process (the flags that would stop it are not allowed in
// NODE_OPTIONS): removeIsolateLogs deletes those written since this probe started.
const PERF_FLAGS = '--perf-basic-prof';
const probeStartMs = Date.now();
function removeIsolateLogs() {
  for (const f of fs.readdirSync(process.cwd())) {
    if (!/^isolate-0x[0-9a-f]+-\d+-v8\.log$/.test(f)) continue;
    if (fs.statSync(f).mtimeMs >= probeStartMs) fs.rmSync(f, { force: true });
  }
}
const profileDir = opt('--profile');
const traceDir = opt('--trace');
const stallDir = opt('--stalls');
const stallPreload = stallDir ? `--require ${path.join(__dirname, 'stall-watch.js')}` : '';
const toolProfileDir = opt('--tool-profile');
const perfFile = opt('--perf');
const toolPreload = [
  stallPreload,
  toolProfileDir ? `--require ${path.join(__dirname, 'cpu-prof-preload.js')}` : '',
  opt('--tool-node-flags', ''),
]
  .join(' ')
  .trim();
const preload = profileDir
  ? path.join(__dirname, 'profile-on-signal.js')
  : traceDir
    ? path.join(__dirname, 'replication-trace.js')
    : undefined;

/** The CPU (user + system ms) of the last `kzoo` run, from /usr/bin/time when installed. */
let toolCpuMs = NaN;
const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The perf tool running now (under /usr/bin/time when there is one). */
let toolChild;
/** The topics the phases measure (--records: probe-produce; --one, --rate: probe-latency). */
const MEASURED_TOPICS = ['probe-produce', 'probe-latency'];
/** The node process of the perf tool (the child of /usr/bin/time). */
function toolPid() {
  const pid = toolChild.pid;
  if (!timeBin) return pid;
  const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return Number(kids.split(' ')[0]) || pid;
}
function kzoo(argv) {
  const timeFile = path.join(require('node:os').tmpdir(), `rf3-probe-time-${process.pid}`);
  // the latency tool with kzoo's node flags, as bench deploy runs it (KZOO_NODE_FLAGS)
  const nodeArgs = argv[1] === 'end-to-end-latency' ? kzooNodeArgs() : [];
  const cmd = [process.execPath, ...nodeArgs, tk.cliBinPath(), ...argv];
  if (timeBin) cmd.unshift(timeBin, '-f', '%U %S', '-o', timeFile);
  return new Promise((resolve, reject) => {
    const c = (toolChild = spawn(cmd[0], cmd.slice(1), {
      env: {
        ...process.env,
        KZOO_LOG_LEVEL: 'warn',
        NODE_OPTIONS: [toolPreload, perfFile ? PERF_FLAGS : ''].join(' ').trim(),
        KZOO_STALL_DIR: stallDir ?? '',
        KZOO_PROF_DIR: toolProfileDir ?? '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    tk.trackChild(c); // at exit, with the tool itself under /usr/bin/time
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => {
      toolCpuMs = NaN;
      if (timeBin && fs.existsSync(timeFile)) {
        const [u, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ');
        toolCpuMs = (Number(u) + Number(sys)) * 1000;
        fs.rmSync(timeFile, { force: true });
      }
      if (code === 0) resolve(out);
      else reject(new Error(`kzoo ${argv[1]} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

async function createTopic(bootstrap, topic) {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: rf }]);
    for (;;) {
      const [d] = await admin.describeTopics([topic]).catch(() => [undefined]);
      if (
        d &&
        d.partitions.length === partitions &&
        d.partitions.every((p) => p.leader >= 0 && p.isr.length === rf)
      )
        return;
      await sleep(100);
    }
  } finally {
    await admin.close();
  }
}

async function main() {
  setLogLevel('warn');
  // Its brokers run with cleanup: false: on Ctrl-C or a kill, testkit's exit hook stops
  // them, ZooKeeper and the perf tool, and removes the data dirs.
  tk.exitOnSignals('rf3-probe');
  const zk = await tk.startZooKeeper();
  const brokers = [];
  const dirs = [];
  try {
    const metricsPorts = await tk.freePorts(3);
    for (const id of single ? [1] : [1, 2, 3]) {
      const dataDir = tk.removeDirAtExit(tk.makeTempDir(`kzoo-rf3-probe-${id}-`));
      dirs.push(dataDir);
      brokers.push(
        await tk.startBrokerProcess({
          id,
          dataDir,
          zk: `${zk.connectString}/probe`,
          sessionTimeoutMs: 10000,
          cleanup: false,
          env: {
            KZOO_LOG_LEVEL: 'warn',
            NODE_OPTIONS: [
              preload ? `--require ${preload}` : '',
              stallPreload,
              perfFile ? PERF_FLAGS : '',
              opt('--broker-node-flags', ''),
            ]
              .join(' ')
              .trim(),
            KZOO_STALL_DIR: stallDir ?? '',
            KZOO_PROFILE_DIR: profileDir ?? '',
            KZOO_TRACE_DIR: traceDir ?? '',
          },
          extraConfig: {
            'controlled.shutdown.enable': false,
            'min.insync.replicas': single ? 1 : 2,
            'kzoo.metrics.port': metricsPorts[id - 1],
            ...JSON.parse(opt('--config', '{}')),
          },
          startTimeoutMs: 60000,
        }),
      );
    }
    const bootstrap = brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
    for (const topic of MEASURED_TOPICS) await createTopic(bootstrap, topic);
    // Each broker's CPU (utime + stime, 100 ticks/s) and minor page faults (memory touched
    // for the first time: fresh buffers, new page-cache pages) from /proc/<pid>/stat.
    const cpuAndFaults = () =>
      brokers.map((b) => {
        const f = fs.readFileSync(`/proc/${b.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        const sysMs = Number(f[12]) * 10;
        return { cpuMs: Number(f[11]) * 10 + sysMs, sysMs, minflt: Number(f[7]) };
      });
    // Read/write syscalls and their bytes, files and sockets alike (/proc/<pid>/io).
    const ioCounts = () =>
      brokers.map((b) =>
        Object.fromEntries(
          fs
            .readFileSync(`/proc/${b.child.pid}/io`, 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(': '))
            .map(([k, v]) => [k, Number(v)]),
        ),
      );
    // Time each broker spent runnable but waiting for a CPU (/proc/<pid>/schedstat, field 2,
    // ns): on a loaded machine a hop's latency is mostly this, not the broker's own work.
    const waitMs = () =>
      brokers.map((b) => {
        try {
          return (
            Number(fs.readFileSync(`/proc/${b.child.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6
          );
        } catch {
          return NaN; // no schedstat in this kernel
        }
      });
    // Request counts and bytes of all brokers (their /metrics): records per produce request
    // and bytes per follower fetch tell how much each round trip carries.
    const counters = async () => {
      const total = {};
      for (const port of metricsPorts.slice(0, brokers.length)) {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        for (const line of text.split('\n')) {
          const m =
            /^kafka_network_requestmetrics_requests_total\{request="(\w+)"/.exec(line) ??
            /^kafka_server_brokertopicmetrics_(\w+)_total /.exec(line) ??
            /^kafka_server_delayedfetchmetrics_expires_total\{fetcherType="(\w+)"/.exec(line) ??
            /^kafka_server_(delayedproducemetrics)_expires_total /.exec(line) ??
            /^(kzoo_replica_fetcher_backoffs)_total\{/.exec(line) ??
            /^kafka_server_replicamanager_(isrshrinks|isrexpands)_total /.exec(line);
          if (m) total[m[1]] = (total[m[1]] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    };
    const phase = async (label, records, argv, pick) => {
      if (preload) for (const b of brokers) b.child.kill('SIGUSR2');
      const k0 = await counters();
      const s0 = cpuAndFaults();
      const io0 = ioCounts();
      const w0 = waitMs();
      const t0 = Date.now();
      // perf past the tool's start, before its end.
      let perf;
      const perfTimer =
        perfFile &&
        setTimeout(
          () => {
            const out = `${perfFile}.${label.replace(/\W+/g, '-')}.data`;
            const pids = args.includes('--perf-tool')
              ? String(toolPid())
              : brokers.map((b) => b.child.pid).join(',');
            perf = spawn(
              'perf',
              [
                'record',
                '-g',
                '-F',
                '999',
                '-o',
                out,
                '-p',
                pids,
                '--',
                'sleep',
                opt('--perf-seconds', '3'),
              ],
              {
                stdio: 'ignore',
              },
            );
          },
          Number(opt('--perf-at', '1.5')) * 1000,
        );
      const out = await kzoo(argv);
      clearTimeout(perfTimer);
      if (perf && perf.exitCode === null) await new Promise((r) => perf.on('close', r));
      const s1 = cpuAndFaults();
      const used = s1.map((s, i) => s.cpuMs - s0[i].cpuMs);
      const sys = s1.map((s, i) => s.sysMs - s0[i].sysMs);
      const faults = s1.map((s, i) => s.minflt - s0[i].minflt);
      const io = ioCounts().map((c, i) =>
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v - io0[i][k]])),
      );
      const waited = waitMs().map((w, i) => (w - w0[i]).toFixed(0));
      const wallMs = Date.now() - t0;
      const k1 = await counters();
      const d = (k) => (k1[k] ?? 0) - (k0[k] ?? 0);
      console.log(
        `${label}: ${d('Produce')} produce requests (${(records / d('Produce')).toFixed(0)} records each), ` +
          `${d('FetchFollower')} follower fetches (${(d('replicationbytesout') / d('FetchFollower') / 1024).toFixed(1)} KiB each), ` +
          `${d('FetchConsumer')} consumer fetches; parked until their deadline: ` +
          `${d('follower')} follower fetches, ${d('consumer')} consumer fetches, ` +
          `${d('delayedproducemetrics')} acks=all produces; fetches put off by ` +
          `replica.fetch.backoff.ms ${d('kzoo_replica_fetcher_backoffs')}; ISR shrinks ` +
          `${d('isrshrinks')}, expansions ${d('isrexpands')}`,
      );
      if (preload) {
        for (const b of brokers) b.child.kill('SIGUSR2');
        await sleep(2000); // the files are written
      }
      const total = used.reduce((a, b) => a + b, 0);
      console.log(`${label}: ${pick(out)}`);
      console.log(
        `${label}: broker minor page faults ${faults.join(' + ')} (${(faults.reduce((a, b) => a + b, 0) / records).toFixed(3)} per record)`,
      );
      const per = (k) => io.map((c) => (c[k] / records).toFixed(1)).join(' + ');
      console.log(
        `${label}: per record, broker bytes read ${per('rchar')}, written ${per('wchar')}; ` +
          `read syscalls ${io.map((c) => c.syscr).join(' + ')}, write syscalls ${io.map((c) => c.syscw).join(' + ')}`,
      );
      console.log(
        `${label}: broker run-queue wait ${waited.join(' + ')} ms over ${wallMs} ms wall (runnable, no CPU free)`,
      );
      console.log(
        `${label}: broker CPU ${used.join(' + ')} ms = ${((total * 1000) / records).toFixed(2)} µs/record (in the kernel ${sys.join(' + ')} ms); ` +
          `tool CPU ${toolCpuMs.toFixed(0)} ms = ${((toolCpuMs * 1000) / records).toFixed(2)} µs/record; load ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
      );
    };
    const PRIME_RECORDS = 20000;
    const last = (out) => out.trim().split('\n').pop();
    if (opt('--warm')) {
      // As bench deploy's warm-up: records produced (acks=all) to a topic of their own, and
      // with --warm-consume read back by a consumer group, before anything is measured.
      const n = opt('--warm');
      // As bench deploy: /metrics requests before any load and after the warm-up (the first
      // HTTP sockets, each of a new shape, at a phase's counters deoptimized the brokers'
      // stream code there).
      for (let i = 0; i < 3; i++) await counters();
      await createTopic(bootstrap, 'probe-warm');
      // As bench deploy: each measured topic's first records before the warm-up (the first
      // appends to a new partition had V8 recompile the append path: 1-3 s unoptimized).
      for (const topic of MEASURED_TOPICS)
        await kzoo(perfProduceArgs(topic, PRIME_RECORDS, bootstrap, ['acks=all']));
      await kzoo(perfProduceArgs('probe-warm', n, bootstrap, ['acks=all']));
      if (args.includes('--warm-consume'))
        await kzoo([
          'perf',
          'consume',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          'probe-warm',
          '--messages',
          n,
        ]);
      await counters();
      console.log(`warm-up: ${n} records${args.includes('--warm-consume') ? ', consumed' : ''}`);
    }
    if (opt('--records')) {
      const n = Number(opt('--records'));
      const acks = opt('--acks', 'all');
      await phase(
        `produce acks=${acks}`,
        n,
        [
          'perf',
          'produce',
          '--topic',
          'probe-produce',
          '--num-records',
          String(n),
          '--record-size',
          '100',
          '--throughput',
          opt('--produce-rate', '-1'),
          ...(args.includes('--self-stats') ? ['--self-stats'] : []),
          '--producer-props',
          `bootstrap.servers=${bootstrap}`,
          `acks=${acks}`,
          ...opt('--props', '').split(' ').filter(Boolean),
        ],
        last,
      );
    }
    // `kzoo perf end-to-end-latency` of n 100-byte records with acks=all on this cluster.
    const latencyArgs = (n) => [
      'perf',
      'end-to-end-latency',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      'probe-latency',
      '--num-records',
      String(n),
      '--producer-acks',
      'all',
      '--record-size',
      '100',
    ];
    if (opt('--one')) {
      const n = Number(opt('--one'));
      await phase('latency one at a time', n, latencyArgs(n), (out) =>
        out.trim().split('\n').slice(-2).join(' | '),
      );
    }
    if (opt('--rate')) {
      const rate = Number(opt('--rate'));
      const n = Number(opt('--lat-records', String(rate * 10)));
      await phase(
        `latency at ${rate}/s`,
        n,
        [
          ...latencyArgs(n),
          '--throughput',
          String(rate),
          ...opt('--lat-args', '').split(' ').filter(Boolean),
        ],
        // the percentiles line and the tool's own CPU / event-loop / GC line
        (out) =>
          out
            .trim()
            .split('\n')
            .filter((l) => l.startsWith('# '))
            .join(' | '),
      );
    }
  } finally {
    const outDir = opt('--broker-out');
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      for (const b of brokers) {
        fs.writeFileSync(path.join(outDir, `broker-${b.id}.out`), b.stdout);
        fs.writeFileSync(path.join(outDir, `broker-${b.id}.err`), b.stderr); // its log lines
      }
    }
    await Promise.all(brokers.map((b) => b.kill('SIGKILL')));
    await zk.stop();
    for (const d of dirs) tk.removeDir(d);
    if (perfFile) removeIsolateLogs();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
