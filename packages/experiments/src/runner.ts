/**
 * One experiment run: start the cluster, create the topic, start the observer and the
 * workload, run the nemesis schedule (targets resolved by role when each fault fires),
 * heal everything, wait until every broker is registered and every ISR is full, stop
 * the workload, read every replica, and return the History (written as history.json
 * when a report directory is given). The checker and the reports take it from there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SystemTime, type Time } from '@kzoo/common';
import { Admin } from '@kzoo/client';
import { ExperimentCluster } from './cluster';
import { readReplica } from './final-read';
import type { ExperimentConfig, FaultEvent, History } from './history';
import { ClusterObserver } from './observer';
import { SeededRandom } from './random';
import {
  partitionOf,
  resolveRole,
  roleLabel,
  targetLabel,
  type ClusterView,
  type Target,
} from './roles';
import {
  buildSchedule,
  describeSchedule,
  NETWORK_FAULTS,
  scenario as scenarioDef,
  type ScheduledFault,
  type Schedule,
} from './scenarios';
import { pause, within } from './wait';
import { Workload } from './Workload';

export interface RunOptions {
  scenario: string;
  seed: number;
  acks: 0 | 1 | -1;
  minInsyncReplicas: number;
  uncleanLeaderElection: boolean;
  idempotence: boolean;
  isrPath: 'alter-partition' | 'zookeeper';
  /** The fault phase. Default 30000. */
  durationMs?: number;
  /** zookeeper.session.timeout.ms of the brokers. Default 6000. */
  sessionTimeoutMs?: number;
  /** replica.lag.time.max.ms. Default 2000. */
  replicaLagTimeMaxMs?: number;
  /** Producer retries. Default 2147483647 (Kafka's). */
  retries?: number;
  partitions?: number;
  brokers?: number;
  producers?: number;
  keysPerProducer?: number;
  /** Sends per second, all producers together. Default 200. */
  ratePerSec?: number;
  /** Producer delivery.timeout.ms. Default 20000. */
  deliveryTimeoutMs?: number;
  /** Producer request.timeout.ms. Default 5000. */
  requestTimeoutMs?: number;
  /** Ceiling on the wait for a healed cluster. Default 60000. */
  healTimeoutMs?: number;
  /** An external ZooKeeper (host:port[,...]) for standalone runs; default: one started for the run. */
  zk?: string;
  /** Writes history.json here (created). */
  reportDir?: string;
  /** Progress lines. */
  onProgress?: (line: string) => void;
  /** Route every link through its own proxy even when no scheduled fault needs it. */
  network?: boolean;
  /**
   * Called once the cluster is up, before the topic is created (`kzoo experiment run
   * --ui`); what it returns is called before the cluster stops.
   */
  onCluster?: (cluster: ExperimentCluster) => Promise<(() => Promise<void>) | void>;
  /** Each scheduled fault as it starts and ends. */
  onFault?: (e: FaultEvent) => void;
  /** Aborts the run (Ctrl-C): faults end, the cluster heals, stops and is cleaned up. */
  signal?: AbortSignal;
  time?: Time;
  /** kzoo version for the history's meta. */
  version?: string;
}

export class ExperimentAborted extends Error {
  constructor() {
    super('experiment aborted');
    this.name = 'ExperimentAborted';
  }
}

export interface RunOutput {
  history: History;
  schedule: Schedule;
  /** history.json, when written. */
  historyFile?: string;
}

export function experimentConfig(o: RunOptions): ExperimentConfig {
  const def = scenarioDef(o.scenario);
  return {
    acks: o.acks,
    idempotence: o.idempotence,
    retries: o.retries ?? 2147483647,
    minInsyncReplicas: o.minInsyncReplicas,
    uncleanLeaderElection: o.uncleanLeaderElection,
    isrPath: o.isrPath,
    replicationFactor: 3,
    partitions: o.partitions ?? 3,
    brokers: o.brokers ?? 3,
    zookeeperNodes: def.zookeeperNodes,
    sessionTimeoutMs: o.sessionTimeoutMs ?? 6000,
  };
}

export async function runExperiment(o: RunOptions): Promise<RunOutput> {
  const time = o.time ?? SystemTime;
  const say = o.onProgress ?? (() => undefined);
  const config = experimentConfig(o);
  const def = scenarioDef(o.scenario);
  const durationMs = o.durationMs ?? 30000;
  const lagMs = o.replicaLagTimeMaxMs ?? 2000;
  const schedule = buildSchedule(o.scenario, o.seed, {
    durationMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    replicaLagTimeMaxMs: lagMs,
    partitions: config.partitions,
    brokers: config.brokers,
  });
  const topic = `exp-${randomBytes(4).toString('hex')}`;
  const group = `exp-group-${randomBytes(4).toString('hex')}`;
  const rng = new SeededRandom(o.seed).fork(1);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-experiment-'));
  let aborted = false;
  let onAbort: () => void = () => undefined;
  const abortedP = new Promise<void>((r) => (onAbort = r));
  const abortListener = () => {
    aborted = true;
    onAbort();
  };
  o.signal?.addEventListener('abort', abortListener, { once: true });
  if (o.signal?.aborted) abortListener();
  const check = () => {
    if (aborted) throw new ExperimentAborted();
  };

  say(
    `${o.scenario} seed ${o.seed}: starting ZooKeeper (${config.zookeeperNodes} node${config.zookeeperNodes > 1 ? 's' : ''}) and ${config.brokers} brokers`,
  );
  const cluster = await ExperimentCluster.start({
    brokers: config.brokers,
    zookeeperNodes: config.zookeeperNodes as 1 | 3,
    zk: config.zookeeperNodes === 1 ? o.zk : undefined,
    time,
    network:
      !!o.network || def.network || schedule.faults.some((f) => NETWORK_FAULTS.includes(f.kind)),
    sessionTimeoutMs: config.sessionTimeoutMs,
    workDir,
    brokerConfig: {
      'replica.lag.time.max.ms': lagMs,
      'inter.broker.protocol.version': config.isrPath === 'zookeeper' ? '2.6' : '3.5',
      'replica.high.watermark.checkpoint.interval.ms': 100,
      'isr.change.notification.check.interval.ms': 500,
      'group.min.session.timeout.ms': 1000,
      'group.initial.rebalance.delay.ms': 0,
      'default.replication.factor': 3,
    },
  });
  const startedAt = time.milliseconds();
  const now = () => time.milliseconds() - startedAt;
  const observer = new ClusterObserver(cluster, topic, config.partitions, time, startedAt);
  const faults: FaultEvent[] = [];
  const admin = new Admin(
    { 'bootstrap.servers': cluster.bootstrap().join(','), 'request.timeout.ms': 5000 },
    { time },
  );
  let workload: Workload | null = null;
  let beforeClose: (() => Promise<void>) | void = undefined;
  try {
    beforeClose = await o.onCluster?.(cluster);
    check();
    await admin.createTopics(
      [
        {
          topic,
          numPartitions: config.partitions,
          replicationFactor: config.replicationFactor,
          configs: {
            'min.insync.replicas': String(config.minInsyncReplicas),
            'unclean.leader.election.enable': String(config.uncleanLeaderElection),
          },
        },
      ],
      { timeoutMs: 30000 },
    );
    observer.start();
    await waitUntil(time, 30000, abortedP, () =>
      fullIsr(observer, config.partitions, config.replicationFactor),
    );
    check();
    say(
      `topic ${topic}: ${config.partitions} partitions, RF ${config.replicationFactor}, ISR full`,
    );
    for (const line of describeSchedule(schedule, topic)) say(`  schedule ${line}`);

    workload = new Workload({
      bootstrap: cluster.bootstrap(),
      topic,
      group,
      config,
      producers: o.producers ?? 2,
      keysPerProducer: o.keysPerProducer ?? 4,
      ratePerSec: o.ratePerSec ?? 200,
      maxOutstanding: 400,
      deliveryTimeoutMs: o.deliveryTimeoutMs ?? 20000,
      requestTimeoutMs: o.requestTimeoutMs ?? 5000,
      groupSessionTimeoutMs: Math.max(2000, Math.min(6000, config.sessionTimeoutMs)),
      time,
      startedAt,
    });
    workload.startProducers();
    workload.startConsumer();
    await pause(time, 1000, abortedP);
    check();

    // ---------------------------------------------------------------- fault phase
    const phaseStart = now();
    say(`fault phase: ${durationMs} ms`);
    let endPhase: () => void = () => undefined;
    const phaseOver = new Promise<void>((r) => (endPhase = r));
    const stopAll = Promise.race([phaseOver, abortedP]);
    const started = new Map<number, { resolve: () => void; p: Promise<void> }>();
    for (const f of schedule.faults) {
      let resolve: () => void = () => undefined;
      const p = new Promise<void>((r) => (resolve = r));
      started.set(f.id, { resolve, p });
    }
    const ctx: FaultContext = {
      cluster,
      observer,
      admin,
      group,
      topic,
      rng,
      faults,
      time,
      now,
      say,
      onFault: o.onFault,
      stop: stopAll,
      started,
    };
    const tasks = schedule.faults.map((f) => runFault(f, phaseStart, ctx));
    await pause(time, durationMs, abortedP);
    endPhase();
    await Promise.all(tasks);
    workload.stopSending();
    say(`fault phase over at ${now()} ms; healing`);

    // ---------------------------------------------------------------- heal
    await healEverything(cluster, faults, now);
    const healed = await waitUntil(
      time,
      o.healTimeoutMs ?? 60000,
      abortedP,
      () =>
        observer.brokers.length === config.brokers &&
        fullIsr(observer, config.partitions, config.replicationFactor),
    ).then(
      () => true,
      (e: unknown) => {
        if (e instanceof ExperimentAborted) throw e;
        return false;
      },
    );
    check();
    const healedAt = healed ? now() : undefined;
    say(
      healed
        ? `healed at ${healedAt} ms: every broker registered, every ISR full`
        : 'the cluster did not heal in time',
    );

    await workload.stopProducers((o.deliveryTimeoutMs ?? 20000) + 5000);
    // let followers fetch the last records and the HW checkpoints catch up
    if (healed) {
      await waitUntil(time, 15000, abortedP, () =>
        fullIsr(observer, config.partitions, config.replicationFactor),
      ).catch(() => undefined);
    }
    await pause(time, 1500, abortedP);
    await workload.stopConsumer(5000);
    check();
    await observer.stop();
    const finalReads = [];
    for (const id of cluster.ids) {
      for (let p = 0; p < config.partitions; p++)
        finalReads.push(readReplica(id, cluster.dataDir(id), topic, p));
    }
    const history: History = {
      meta: {
        scenario: o.scenario,
        seed: o.seed,
        config,
        topic,
        group,
        startedAt,
        durationMs,
        version: o.version ?? '0.1.0',
      },
      sends: workload.sends,
      consumes: workload.consumes,
      commits: workload.commits,
      faults: [...faults].sort((a, b) => a.t - b.t),
      cluster: observer.sorted(),
      finalReads,
      samples: workload.samples(now()),
      ...(healedAt !== undefined ? { healedAt } : {}),
    };
    let historyFile: string | undefined;
    if (o.reportDir) {
      fs.mkdirSync(o.reportDir, { recursive: true });
      historyFile = path.join(o.reportDir, 'history.json');
      fs.writeFileSync(historyFile, JSON.stringify(history) + '\n');
    }
    return { history, schedule, historyFile };
  } finally {
    o.signal?.removeEventListener('abort', abortListener);
    if (aborted) say('interrupted: healing and stopping the cluster');
    await observer.stop().catch(() => undefined);
    if (workload) {
      workload.stopSending();
      await workload.stopProducers(0).catch(() => undefined);
      await workload.stopConsumer(1000).catch(() => undefined);
    }
    await admin.close().catch(() => undefined);
    await healEverything(cluster, faults, now).catch(() => undefined);
    if (beforeClose) await beforeClose().catch(() => undefined);
    await cluster.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function fullIsr(observer: ClusterObserver, partitions: number, rf: number): boolean {
  for (let p = 0; p < partitions; p++) {
    const s = observer.partitions.get(p);
    if (!s || s.leader < 0 || s.isr.length < rf) return false;
  }
  return true;
}

async function waitUntil(
  time: Time,
  timeoutMs: number,
  aborted: Promise<void>,
  cond: () => boolean,
): Promise<void> {
  const deadline = time.milliseconds() + timeoutMs;
  let gone = false;
  void aborted.then(() => (gone = true));
  for (;;) {
    if (gone) throw new ExperimentAborted();
    if (cond()) return;
    if (time.milliseconds() >= deadline)
      throw new Error(`condition not met within ${timeoutMs} ms`);
    await pause(time, 100, aborted);
  }
}

interface FaultContext {
  cluster: ExperimentCluster;
  observer: ClusterObserver;
  admin: Admin;
  group: string;
  topic: string;
  rng: SeededRandom;
  faults: FaultEvent[];
  time: Time;
  now: () => number;
  say: (line: string) => void;
  onFault?: (e: FaultEvent) => void;
  /** Resolves when the fault phase is over (or the run aborted). */
  stop: Promise<void>;
  started: Map<number, { resolve: () => void; p: Promise<void> }>;
}

async function clusterView(ctx: FaultContext, needCoordinator: boolean): Promise<ClusterView> {
  let coordinator: number | null = null;
  if (needCoordinator) {
    coordinator = await within(
      ctx.time,
      ctx.admin
        .describeGroups([ctx.group])
        .then((g) => g[0]?.coordinator ?? null)
        .catch(() => null),
      3000,
      null,
    );
  }
  return {
    topic: ctx.topic,
    brokers: [...ctx.observer.brokers],
    controller: ctx.observer.controller,
    partitions: [...ctx.observer.partitions.values()],
    coordinator,
    zookeeperNodes: ctx.cluster.zookeeperNodes(),
    zookeeperLeader: await ctx.cluster.zookeeperLeader().catch(() => null),
  };
}

/** Starts a fault on its resolved target; returns how to end it. */
async function startFault(
  f: ScheduledFault,
  target: Target,
  ctx: FaultContext,
): Promise<() => Promise<void>> {
  const c = ctx.cluster;
  const ids = target.ids;
  switch (f.kind) {
    case 'kill':
      await Promise.all(ids.map((id) => c.kill(id)));
      return async () => {
        await Promise.all(ids.map((id) => c.ensureRunning(id)));
      };
    case 'stop':
      await Promise.all(ids.map((id) => c.stop(id)));
      return async () => {
        await Promise.all(ids.map((id) => c.ensureRunning(id)));
      };
    case 'pause':
      for (const id of ids) c.pause(id);
      return async () => {
        for (const id of ids) c.resume(id);
        await Promise.resolve();
      };
    case 'isolate-zookeeper':
    case 'isolate-brokers':
    case 'isolate-clients': {
      const from = f.kind.slice('isolate-'.length) as 'zookeeper' | 'brokers' | 'clients';
      for (const id of ids) c.isolate(id, from);
      return async () => {
        for (const id of ids) c.healIsolation(id, from);
        await Promise.resolve();
      };
    }
    case 'zk-kill':
      await Promise.all(ids.map((id) => c.zkKill(id)));
      return async () => {
        for (const id of ids) await c.zkRestart(id);
      };
  }
}

async function runFault(f: ScheduledFault, phaseStart: number, ctx: FaultContext): Promise<void> {
  const label = roleLabel(f.role, ctx.topic);
  const record = (phase: 'start' | 'end', target: string, detail?: string) => {
    const e: FaultEvent = {
      t: ctx.now(),
      phase,
      kind: f.kind,
      role: label,
      target,
      ...(detail ? { detail } : {}),
    };
    ctx.faults.push(e);
    ctx.onFault?.(e);
  };
  const startedSignal = ctx.started.get(f.id)!;
  let end: (() => Promise<void>) | null = null;
  let target = '';
  try {
    await pause(ctx.time, phaseStart + f.at - ctx.now(), ctx.stop);
    let stopped = false;
    void ctx.stop.then(() => (stopped = true));
    if (stopped) {
      record('start', 'none', 'not fired: the fault phase ended first');
      return;
    }
    if (f.when) {
      const deadline = ctx.now() + f.when.timeoutMs;
      let holds = false;
      while (!stopped && ctx.now() < deadline) {
        const view = await clusterView(ctx, false);
        const p = partitionOf(f.when.partition, view);
        if (p && p.leader >= 0 && p.isr.length === 1 && p.isr[0] === p.leader) {
          holds = true;
          break;
        }
        await pause(ctx.time, 100, ctx.stop);
      }
      if (!holds) {
        record(
          'start',
          'none',
          `not fired: the ISR did not shrink to the leader alone within ${f.when.timeoutMs} ms`,
        );
        return;
      }
      await pause(ctx.time, f.when.thenDelayMs, ctx.stop);
    }
    const view = await clusterView(ctx, f.role.kind === 'coordinator');
    let resolved: Target;
    try {
      resolved = resolveRole(f.role, view, ctx.rng);
    } catch (e) {
      record('start', 'none', `not fired: ${(e as Error).message}`);
      return;
    }
    target = targetLabel(resolved);
    const detail =
      'partition' in f.role
        ? (() => {
            const p = partitionOf(f.role.partition, view);
            return p
              ? `${ctx.topic}-${p.partition} leader ${p.leader} epoch ${p.leaderEpoch} isr [${p.isr.join(',')}]`
              : undefined;
          })()
        : f.role.kind === 'controller'
          ? `controller epoch ${ctx.observer.controllerEpoch}`
          : undefined;
    record('start', target, detail);
    ctx.say(`  ${ctx.now()} ms: ${f.kind} ${label} -> ${target}`);
    try {
      end = await startFault(f, resolved, ctx);
    } catch (e) {
      record('end', target, `failed to start: ${(e as Error).message}`);
      return;
    }
  } finally {
    startedSignal.resolve();
  }
  // wait for the end of this fault
  if ('at' in f.end) {
    await pause(ctx.time, phaseStart + f.end.at - ctx.now(), ctx.stop);
  } else {
    await Promise.race([ctx.started.get(f.end.afterStartOf)?.p, ctx.stop]);
    await pause(ctx.time, f.end.delayMs, ctx.stop);
  }
  if (!end) return;
  record('end', target);
  ctx.say(`  ${ctx.now()} ms: end of ${f.kind} on ${target}`);
  try {
    await end();
  } catch (e) {
    ctx.say(`  ending ${f.kind} on ${target} failed: ${(e as Error).message} (the heal retries)`);
  }
}

/** Every ZooKeeper node up, every link healed, every broker running and resumed. */
async function healEverything(
  cluster: ExperimentCluster,
  faults: FaultEvent[],
  now: () => number,
): Promise<void> {
  const t = now();
  await cluster.zkHealAll();
  cluster.healAllLinks();
  await Promise.all(cluster.ids.map((id) => cluster.ensureRunning(id)));
  if (!faults.some((f) => f.kind === 'heal')) {
    faults.push({ t, phase: 'start', kind: 'heal', role: 'everything', target: 'all' });
  }
}
