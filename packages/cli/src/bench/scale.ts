/**
 * The controller at scale: topics totalling N partitions (RF=3) on 3 broker processes
 * (`kzoo broker start` through testkit) on a real ZooKeeper, for each N of `--sizes`
 * (default 1000,3000,10000), each on a fresh chroot. Measures, as Kafka operators do:
 *   create     CreateTopics (one request) → every partition has a leader and 3 in-sync replicas
 *   RSS        of each broker and of ZooKeeper, at rest after creation, and its peak under
 *              load: the largest VmHWM (a process's peak RSS) of each broker process and of
 *              ZooKeeper from the creation through the last step (restarts' log loading too),
 *              read every 250 ms and before each process goes
 *   ctl        SIGTERM a broker leading ~1/3 (controlled shutdown) → leaders moved off it
 *              (goal at 10,000: ≤ 3 s), the process exited; restart → every ISR full again
 *   failover   SIGKILL the controller → a new controller, every partition led by a live broker
 *              (goal: ≤ zookeeper.session.timeout.ms + 5 s); restart → every ISR full again
 *   kill       SIGKILL a broker leading ~1/3 → every partition led again; restart → ISRs full
 * Leaders are rebalanced (preferred election) before each step that needs a broker leading
 * a third. Times come from polling Metadata of every live broker (what clients see), every
 * 250 ms (the brokers one after the other, up to the first that does not see it yet). A
 * step that does not finish within `--step-timeout-ms` prints "timeout".
 *
 *   node packages/cli/dist/bench/scale.js [--sizes 1000,3000,10000] [--partitions-per-topic 100]
 *        [--session-timeout-ms 6000] [--step-timeout-ms 600000] [--steps ctl,failover,kill]
 *        [--cpu-prof-dir DIR] [--broker-log-level warn]
 *        [--broker-node-options "--max-semi-space-size=64"]
 * The brokers run with NODE_OPTIONS `--broker-node-options` (default a 64 MiB young
 * generation: at 10,000 partitions the default 16 MiB one had the garbage collector take
 * 18-25 % of the new controller's failover, as the thousands of ZooKeeper requests in
 * flight outlive the scavenges; with 64 MiB 6-15 %); "" for Node's defaults.
 * With `--broker-log-level info` each step prints the controller's lines about it (the
 * failover's phases with their durations, the controlled shutdown's summary); info also
 * logs every partition's state change, which slows the steps: for diagnosis, not figures.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Admin } from '@kzoo/client';
import { setLogLevel } from '@kzoo/common';
import { Connection } from '@kzoo/protocol';
import {
  exitOnSignals,
  makeTempDir,
  removeDir,
  removeDirAtExit,
  spawnBrokerProcess,
  startZooKeeper,
  type BrokerProcess,
} from '@kzoo/testkit';
import { machineLine } from './limits';

interface Options {
  sizes: number[];
  perTopic: number;
  sessionTimeoutMs: number;
  stepTimeoutMs: number;
  /** Which steps after the creation: ctl (controlled shutdown), failover, kill. */
  steps: Set<string>;
  /** Brokers run with `node --cpu-prof` into this directory (profiles written at a clean exit). */
  cpuProfDir?: string;
  /** KZOO_LOG_LEVEL of the brokers (default warn). */
  brokerLogLevel: string;
  /** NODE_OPTIONS of the brokers. */
  brokerNodeOptions: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sizes: [1000, 3000, 10000],
    perTopic: 100,
    sessionTimeoutMs: 6000,
    stepTimeoutMs: 600000,
    steps: new Set(['ctl', 'failover', 'kill']),
    brokerLogLevel: 'warn',
    brokerNodeOptions: '--max-semi-space-size=64',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (argv[i] === '--sizes') o.sizes = v.split(',').map(Number);
    else if (argv[i] === '--partitions-per-topic') o.perTopic = Number(v);
    else if (argv[i] === '--session-timeout-ms') o.sessionTimeoutMs = Number(v);
    else if (argv[i] === '--step-timeout-ms') o.stepTimeoutMs = Number(v);
    else if (argv[i] === '--cpu-prof-dir') o.cpuProfDir = v;
    else if (argv[i] === '--steps') o.steps = new Set(v.split(','));
    else if (argv[i] === '--broker-log-level') o.brokerLogLevel = v;
    else if (argv[i] === '--broker-node-options') o.brokerNodeOptions = v;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  for (const st of o.steps)
    if (!['ctl', 'failover', 'kill'].includes(st))
      throw new Error(`--steps: unknown step ${st} (known: ctl, failover, kill)`);
  if (o.sizes.some((s) => !(s > 0)))
    throw new Error('--sizes expects positive numbers, e.g. 1000,3000');
  return o;
}

interface PartitionView {
  leader: number;
  isr: number;
}
interface View {
  controllerId: number;
  partitions: PartitionView[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function metadata(port: number, topics: string[]): Promise<View | undefined> {
  let c: Connection | undefined;
  try {
    c = await Connection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 30000 });
    const md = await c.request(3, 0, {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    return {
      controllerId: md.controllerId,
      partitions: md.topics.flatMap((t) =>
        t.errorCode === 0
          ? t.partitions.map((p) => ({ leader: p.leaderId, isr: p.isrNodes.length }))
          : [],
      ),
    };
  } catch {
    return undefined;
  } finally {
    await c?.close().catch(() => undefined);
  }
}

const STATUS_FIELDS = { VmRSS: /VmRSS:\s+(\d+) kB/, VmHWM: /VmHWM:\s+(\d+) kB/ };

/** A /proc/<pid>/status field in MiB (VmRSS: now; VmHWM: the process's peak), or NaN. */
function statusMiB(pid: number | undefined, field: keyof typeof STATUS_FIELDS): number {
  if (pid === undefined) return NaN;
  try {
    const m = STATUS_FIELDS[field].exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function rssMiB(pid: number | undefined): string {
  const v = statusMiB(pid, 'VmRSS');
  return Number.isNaN(v) ? '?' : v.toFixed(0);
}

/**
 * The peak RSS of each broker id (over its successive processes) and of ZooKeeper while
 * the steps run: VmHWM read every 250 ms and on `sample()` (before a process is stopped).
 */
class PeakRss {
  private readonly peak = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => Array<[string, number | undefined]>,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample(): void {
    for (const [name, pid] of this.pids()) {
      const v = statusMiB(pid, 'VmHWM');
      if (!Number.isNaN(v) && v > (this.peak.get(name) ?? 0)) this.peak.set(name, v);
    }
  }

  /** `b1 X, b2 Y, b3 Z, zk W MiB`, with a last sample. */
  report(): string {
    this.sample();
    const f = (name: string) => {
      const v = this.peak.get(name);
      return v === undefined ? '?' : v.toFixed(0);
    };
    return `b1 ${f('b1')}, b2 ${f('b2')}, b3 ${f('b3')}, zk ${f('zk')} MiB`;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

class Cluster {
  readonly brokers = new Map<number, BrokerProcess>();
  readonly dirs = new Map<number, string>();
  readonly topics: string[] = [];

  constructor(
    readonly zk: string,
    readonly o: Options,
  ) {}

  async start(id: number): Promise<BrokerProcess> {
    const prev = this.brokers.get(id);
    let dir = this.dirs.get(id);
    if (!dir) {
      dir = removeDirAtExit(makeTempDir(`kzoo-bench-scale-${id}-`));
      this.dirs.set(id, dir);
    }
    // a loaded machine can lose the ZooKeeper connection during the registration: try again,
    // after killing the attempt (it still holds the log dir's lock). A broker restarted after
    // a SIGKILL recovers every log first: as long as a step may take.
    const p = await retryStart(async () => {
      const proc = await spawnBrokerProcess({
        id,
        dataDir: dir,
        zk: this.zk,
        port: prev?.port,
        kafkaPort: prev?.kafkaPort,
        sessionTimeoutMs: this.o.sessionTimeoutMs,
        cleanup: false,
        env: { KZOO_LOG_LEVEL: this.o.brokerLogLevel, NODE_OPTIONS: this.o.brokerNodeOptions },
      });
      try {
        await proc.waitForRegistration(1, this.o.stepTimeoutMs);
      } catch (e) {
        await proc.kill('SIGKILL');
        throw e;
      }
      return proc;
    });
    this.brokers.set(id, p);
    return p;
  }

  live(): BrokerProcess[] {
    return [...this.brokers.values()].filter((b) => b.running);
  }

  /** Polls every live broker's metadata until `ok` holds for all; the elapsed ms, or null on timeout. */
  async until(
    ok: (v: View, liveIds: number[]) => boolean,
    t0 = performance.now(),
    ask?: BrokerProcess[],
  ): Promise<number | null> {
    const end = t0 + this.o.stepTimeoutMs;
    for (;;) {
      const live = ask ?? this.live();
      const ids = live.map((b) => b.id);
      // one broker after the other, stopping at the first that does not see it yet: a
      // Metadata answer for 10,000 partitions costs the broker tens of ms, which the step
      // being measured competes with
      let all = true;
      for (const b of live) {
        const v = await metadata(b.port, this.topics);
        if (v === undefined || !ok(v, ids)) {
          all = false;
          break;
        }
      }
      if (all) {
        const ms = performance.now() - t0;
        if (ms > 20000) this.printWarnings();
        return ms;
      }
      if (performance.now() > end) return null;
      await sleep(250);
    }
  }

  /** The controller's summary lines (info level) logged since the last call. */
  printControllerLines(): void {
    const re =
      /controller context initialized|controlled shutdown of broker \d+:|data plane shut down:/;
    for (const b of this.brokers.values()) {
      const text = b.stdout + '\n' + b.stderr;
      const seen = this.seenLines.get(b) ?? 0;
      this.seenLines.set(b, text.length);
      for (const l of text.slice(seen).split('\n'))
        if (re.test(l)) console.log(`    broker ${b.id}: ${l.slice(0, 600)}`);
      // with --cpu-prof-dir, the whole log beside the profiles, to line up a step's events
      if (this.o.cpuProfDir)
        fs.appendFileSync(`${this.o.cpuProfDir}/broker-${b.id}-${b.pid}.log`, text.slice(seen));
    }
  }

  /** The wall-clock start of a step, printed with --broker-log-level info (to match the logs). */
  mark(what: string): void {
    if (this.o.brokerLogLevel !== 'warn') console.log(`    ${new Date().toISOString()} ${what}`);
  }
  private readonly seenLines = new Map<BrokerProcess, number>();

  /** A slow step: the brokers' last warnings (they log at WARN), to see what they waited for. */
  printWarnings(): void {
    for (const b of this.live()) {
      const tail = b.stderr.trim().split('\n').filter(Boolean).slice(-3);
      for (const l of tail) console.log(`    broker ${b.id} stderr: ${l.slice(0, 240)}`);
    }
  }

  allLed(n: number) {
    return (v: View, ids: number[]) =>
      v.partitions.length === n && v.partitions.every((p) => ids.includes(p.leader));
  }
  allFull(n: number) {
    return (v: View, ids: number[]) =>
      v.partitions.length === n && v.partitions.every((p) => ids.includes(p.leader) && p.isr === 3);
  }

  async view(): Promise<View> {
    const b = this.live()[0];
    const v = await metadata(b.port, this.topics);
    if (!v) throw new Error(`no metadata from broker ${b.id}`);
    return v;
  }

  async leaderCounts(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const p of (await this.view()).partitions)
      counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    return counts;
  }

  /** Preferred leader election for everything; waits until each broker leads about a third. */
  async rebalance(n: number): Promise<void> {
    const admin = new Admin({
      'bootstrap.servers': this.live()
        .map((b) => `127.0.0.1:${b.port}`)
        .join(','),
      'request.timeout.ms': this.o.stepTimeoutMs,
    });
    try {
      // Kafka's ElectLeaders answers per partition; a rebalance that moves nothing says why
      // (e.g. PREFERRED_LEADER_NOT_AVAILABLE: the preferred replica is not back in the ISR)
      const results = await admin.electLeaders(null, { timeoutMs: this.o.stepTimeoutMs });
      const byError = new Map<string, number>();
      for (const r of results)
        byError.set(r.error ?? 'NONE', (byError.get(r.error ?? 'NONE') ?? 0) + 1);
      if ((byError.get('NONE') ?? 0) === 0)
        console.log(
          `  (preferred leader election moved no leader: ${[...byError].map(([e, c]) => `${e} ${c}`).join(', ')})`,
        );
    } catch (e) {
      console.log(`  (preferred leader election failed: ${(e as Error).message})`);
    } finally {
      await admin.close();
    }
    await this.until((v) => {
      const c = new Map<number, number>();
      for (const p of v.partitions) c.set(p.leader, (c.get(p.leader) ?? 0) + 1);
      return [1, 2, 3].every((id) => (c.get(id) ?? 0) >= n / 4);
    });
  }
}

async function retryStart(fn: () => Promise<BrokerProcess>): Promise<BrokerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 3) throw e;
      console.log(
        `  (broker start failed, retrying: ${(e as Error).message.trim().split('\n').slice(0, 4).join(' | ')})`,
      );
    }
  }
}

const s = (ms: number | null) => (ms === null ? 'timeout' : `${(ms / 1000).toFixed(2)} s`);

interface Row {
  n: number;
  create: number | null;
  failover: number | null;
  failoverRestart: number | null;
  ctlShutdown: number | null;
  ctlMoved: number | null;
  ctlLed: number | null;
  ctlRestart: number | null;
  kill: number | null;
  killLed: number | null;
  killRestart: number | null;
  rss: string;
  /** Peak RSS from the creation through the last step (see PeakRss). */
  rssPeak: string;
}

async function runSize(
  zkConnect: string,
  n: number,
  o: Options,
  zkPid: number | undefined,
): Promise<Row> {
  const cluster = new Cluster(`${zkConnect}/scale-${n}-${process.pid}`, o);
  let peak: PeakRss | undefined;
  try {
    for (const id of [1, 2, 3]) await cluster.start(id);
    peak = new PeakRss(() => [
      ...[1, 2, 3].map((id): [string, number | undefined] => {
        const b = cluster.brokers.get(id);
        return [`b${id}`, b?.running ? b.pid : undefined];
      }),
      ['zk', zkPid],
    ]);
    const topicsN = Math.ceil(n / o.perTopic);
    const boot = cluster
      .live()
      .map((b) => `127.0.0.1:${b.port}`)
      .join(',');
    const admin = new Admin({ 'bootstrap.servers': boot, 'request.timeout.ms': 300000 });
    const specs = Array.from({ length: topicsN }, (_, i) => ({
      topic: `scale-${i}`,
      numPartitions: Math.min(o.perTopic, n - i * o.perTopic),
      replicationFactor: 3,
    }));
    cluster.topics.push(...specs.map((t) => t.topic));
    console.log(`## ${n} partitions: ${topicsN} topics, RF=3, 3 broker processes`);
    let t0 = performance.now();
    try {
      await admin.createTopics(specs, { timeoutMs: 300000 });
    } finally {
      await admin.close();
    }
    const create = await cluster.until(cluster.allFull(n), t0);
    console.log(`  create → every partition led, ISR 3: ${s(create)}`);
    const rss =
      [1, 2, 3].map((id) => `b${id} ${rssMiB(cluster.brokers.get(id)!.pid)}`).join(', ') +
      `, zk ${rssMiB(zkPid)} MiB`;
    console.log(`  RSS at rest: ${rss}`);

    let failover: number | null = null;
    let failoverRestart: number | null = null;
    let ctlShutdown: number | null = null;
    let ctlMoved: number | null = null;
    let ctlLed: number | null = null;
    let ctlRestart: number | null = null;
    let kill: number | null = null;
    let killRestart: number | null = null;
    // leaders stay balanced from the creation until a step moves them
    let balanced = true;

    // controlled shutdown of a broker leading about a third (not the controller)
    if (o.steps.has('ctl')) {
      if (!balanced) await cluster.rebalance(n);
      const ctl2 = (await cluster.view()).controllerId;
      const counts = await cluster.leaderCounts();
      const victim = [1, 2, 3]
        .filter((id) => id !== ctl2)
        .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
      console.log(
        `  broker ${victim} leads ${counts.get(victim) ?? 0} partitions (controller: ${ctl2})`,
      );
      cluster.mark(`SIGTERM broker ${victim}`);
      peak.sample();
      t0 = performance.now();
      const victimProc = cluster.brokers.get(victim)!;
      // leadership moved off the broker (the controlled shutdown proper), watched while it runs
      const moved = cluster.until(
        (v) => v.partitions.length === n && v.partitions.every((p) => p.leader !== victim),
        t0,
        [...cluster.live()].filter((b) => b.id !== victim),
      );
      const code = await victimProc.stop(o.stepTimeoutMs);
      ctlShutdown = performance.now() - t0;
      ctlMoved = await moved;
      ctlLed = await cluster.until(cluster.allLed(n), t0);
      console.log(
        `  SIGTERM broker ${victim} (controlled shutdown) → leaders moved off it: ${s(ctlMoved)}; ` +
          `exit ${code}: ${s(ctlShutdown)}; every partition led: ${s(ctlLed)}`,
      );
      cluster.printControllerLines();
      t0 = performance.now();
      await cluster.start(victim);
      ctlRestart = await cluster.until(cluster.allFull(n), t0);
      console.log(`  restart broker ${victim} → every ISR full: ${s(ctlRestart)}`);
      balanced = false;
    }

    // controller failover
    if (o.steps.has('failover')) {
      const ctl = (await cluster.view()).controllerId;
      cluster.mark(`SIGKILL controller ${ctl}`);
      peak.sample();
      t0 = performance.now();
      await cluster.brokers.get(ctl)!.kill('SIGKILL');
      failover = await cluster.until(
        (v, ids) =>
          v.controllerId !== ctl && ids.includes(v.controllerId) && cluster.allLed(n)(v, ids),
        t0,
      );
      console.log(
        `  SIGKILL controller ${ctl} → new controller, every partition led: ${s(failover)}`,
      );
      cluster.printControllerLines();
      t0 = performance.now();
      await cluster.start(ctl);
      failoverRestart = await cluster.until(cluster.allFull(n), t0);
      console.log(`  restart broker ${ctl} → every ISR full: ${s(failoverRestart)}`);
      balanced = false;
    }

    // SIGKILL of a broker leading about a third (not the controller)
    if (o.steps.has('kill')) {
      if (!balanced) await cluster.rebalance(n);
      const ctl3 = (await cluster.view()).controllerId;
      const counts3 = await cluster.leaderCounts();
      const victim3 = [1, 2, 3]
        .filter((id) => id !== ctl3)
        .sort((a, b) => (counts3.get(b) ?? 0) - (counts3.get(a) ?? 0))[0];
      peak.sample();
      t0 = performance.now();
      await cluster.brokers.get(victim3)!.kill('SIGKILL');
      kill = await cluster.until(cluster.allLed(n), t0);
      console.log(
        `  SIGKILL broker ${victim3} (leading ${counts3.get(victim3) ?? 0}) → every partition led: ${s(kill)}`,
      );
      t0 = performance.now();
      await cluster.start(victim3);
      killRestart = await cluster.until(cluster.allFull(n), t0);
      console.log(`  restart broker ${victim3} → every ISR full: ${s(killRestart)}`);
    }
    const rssPeak = peak.report();
    console.log(`  RSS peak under load (creation through the last step): ${rssPeak}`);
    return {
      n,
      create,
      failover,
      failoverRestart,
      ctlShutdown,
      ctlMoved,
      ctlLed,
      ctlRestart,
      kill,
      killLed: kill,
      killRestart,
      rss,
      rssPeak,
    };
  } finally {
    peak?.close();
    // with --cpu-prof-dir, a clean exit (SIGTERM) so that the profiles are written
    await Promise.all(
      cluster.live().map((b) => (o.cpuProfDir ? b.stop(120000) : b.kill('SIGKILL'))),
    );
    for (const d of cluster.dirs.values()) removeDir(d);
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  setLogLevel('warn');
  console.log(`# ${machineLine()}`);
  console.log(
    `# scale bench: ${o.sizes.join(' / ')} partitions, RF=3, ${o.perTopic} partitions per topic, ` +
      `zookeeper.session.timeout.ms ${o.sessionTimeoutMs}, brokers' NODE_OPTIONS "${o.brokerNodeOptions}"`,
  );
  if (o.cpuProfDir) {
    // Node 20 refuses --cpu-prof in NODE_OPTIONS: the broker processes (spawned with
    // process.execPath) start through a wrapper that adds it
    fs.mkdirSync(o.cpuProfDir, { recursive: true });
    const wrapper = `${o.cpuProfDir}/node-cpu-prof.sh`;
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nexec ${process.execPath} --cpu-prof --cpu-prof-dir=${o.cpuProfDir} "$@"\n`,
      { mode: 0o755 },
    );
    process.execPath = wrapper;
  }
  // Interrupted (Ctrl-C, a CI timeout): testkit's exit hook SIGKILLs ZooKeeper and the
  // brokers, then removes the temp dirs.
  exitOnSignals('scale bench');
  const zkDir = removeDirAtExit(makeTempDir('kzoo-bench-scale-zk-'));
  const zk = await startZooKeeper({ dataDir: zkDir });
  const rows: Row[] = [];
  try {
    for (const n of o.sizes) rows.push(await runSize(zk.connectString, n, o, zk.nodes[0]?.pid));
  } finally {
    await zk.stop();
    removeDir(zkDir);
  }
  const per = (ms: number | null, n: number) =>
    ms === null ? '—' : `${((ms * 1000) / n).toFixed(0)} µs`;
  console.log(`\n# ${machineLine()}`);
  console.log(
    '| partitions | create (per partition) | controller failover | restart → ISR full | controlled shutdown: leaders moved / SIGTERM → exit | SIGKILL broker → all led | RSS at rest (MiB) | RSS peak under load (MiB) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  // a step left out by --steps is "not run", not a timeout
  const ran = (step: string, text: string) => (o.steps.has(step) ? text : 'not run');
  for (const r of rows)
    console.log(
      `| ${r.n} | ${s(r.create)} (${per(r.create, r.n)}) | ${ran('failover', s(r.failover))} | ${ran('failover', s(r.failoverRestart))} | ${ran('ctl', `${s(r.ctlMoved)} / ${s(r.ctlShutdown)}`)} | ${ran('kill', s(r.kill))} | ${r.rss} | ${r.rssPeak} |`,
    );
  const big = rows.find((r) => r.n >= 10000) ?? rows[rows.length - 1];
  const small = rows[0];
  const goal = (ok: boolean) => (ok ? 'met' : 'NOT met');
  if (big && o.steps.has('ctl'))
    console.log(
      `GOAL controlled shutdown at ${big.n} partitions <= 3 s (leaders moved): ${goal(big.ctlMoved !== null && big.ctlMoved <= 3000)} (${s(big.ctlMoved)}; SIGTERM → exit ${s(big.ctlShutdown)})`,
    );
  if (big && o.steps.has('failover'))
    console.log(
      `GOAL controller failover at ${big.n} <= session timeout + 5 s (${(o.sessionTimeoutMs + 5000) / 1000} s): ` +
        `${goal(big.failover !== null && big.failover <= o.sessionTimeoutMs + 5000)} (${s(big.failover)})`,
    );
  if (big && small && big !== small && big.create !== null && small.create !== null) {
    const ratio = big.create / big.n / (small.create / small.n);
    console.log(
      `GOAL creation cost per partition roughly flat ${small.n} → ${big.n} (<= 2x): ${goal(ratio <= 2)} (${ratio.toFixed(2)}x)`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
