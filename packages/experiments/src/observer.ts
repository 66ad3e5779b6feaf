/**
 * What the cluster did during a run, as `ClusterEvent`s: ZooKeeper polled every
 * `intervalMs` (the topic's partition state znodes, /controller and /controller_epoch,
 * /brokers/ids) through KafkaZkClient, and the brokers' own `state.change` log lines
 * (JSON, KZOO_LOG_FORMAT=json): truncations, and leader/ISR changes as `log` events.
 * A partition state change is timed by its znode's mtime and a controller change by
 * /controller's ctime (ZooKeeper's own clock, on this machine), kept between the previous
 * poll and this one; registrations and deregistrations by the poll that saw them.
 * It also keeps the latest view for role resolution.
 */
import type { Time } from '@kzoo/common';
import type { BrokerProcess } from '@kzoo/testkit';
import type { ClusterEvent } from './history';
import type { ExperimentCluster } from './cluster';
import type { PartitionView } from './roles';

/** state.change messages worth keeping as `log` events (besides truncations). */
const KEPT_MESSAGES =
  /^(became leader|became follower|shrinking ISR|expanding ISR|ISR updated|ISR change refused|ZooKeeper session expired|ready to serve as the new controller|resigned as the controller|controller write refused|AlterPartition refused|ignoring LeaderAndIsr)/;

export class ClusterObserver {
  readonly events: ClusterEvent[] = [];
  /** Latest partition states, by partition. */
  readonly partitions = new Map<number, PartitionView>();
  brokers: number[] = [];
  controller: number | null = null;
  controllerEpoch = -1;
  private replicas = new Map<number, number[]>();
  /** Run time of the previous poll: a change seen now happened after it. */
  private lastPollT = 0;
  private readonly logOffsets = new Map<BrokerProcess, number>();
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly cluster: ExperimentCluster,
    private readonly topic: string,
    private readonly partitionCount: number,
    private readonly time: Time,
    /** Wall clock of t = 0. */
    private readonly startedAt: number,
    private readonly intervalMs = 100,
  ) {}

  private now(): number {
    return this.time.milliseconds() - this.startedAt;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.pollOnce().catch(() => undefined);
        this.readLogs();
        await this.time.sleep(this.intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.readLogs();
  }

  /** One look at ZooKeeper; records what changed. */
  async pollOnce(): Promise<void> {
    const zk = this.cluster.zkClient;
    if (this.replicas.size < this.partitionCount) {
      const a = (await zk.getReplicaAssignmentForTopics([this.topic])).get(this.topic);
      if (a) for (const [p, r] of a.partitions) this.replicas.set(p, r.replicas);
    }
    const tps = Array.from({ length: this.partitionCount }, (_, p) => ({
      topic: this.topic,
      partition: p,
    }));
    const [states, registration, epoch, brokers] = await Promise.all([
      Promise.all(tps.map((tp) => zk.getTopicPartitionStateAndStat(tp))),
      zk.getControllerRegistration(),
      zk.getControllerEpoch(),
      zk.getSortedBrokerList(),
    ]);
    const controller = registration?.brokerId ?? null;
    const t = this.now();
    const since = this.lastPollT;
    this.lastPollT = t;
    // A znode's time (wall clock) on the run's clock, within (previous poll, this poll].
    const at = (wallMs: number | undefined) =>
      wallMs === undefined ? t : Math.min(t, Math.max(since, wallMs - this.startedAt));
    for (const id of brokers) {
      if (!this.brokers.includes(id))
        this.events.push({ t, type: 'broker-registered', brokerId: id });
    }
    for (const id of this.brokers) {
      if (!brokers.includes(id)) this.events.push({ t, type: 'broker-deregistered', brokerId: id });
    }
    this.brokers = brokers;
    if (
      controller !== null &&
      (controller !== this.controller || (epoch?.epoch ?? -1) !== this.controllerEpoch)
    ) {
      this.events.push({
        t: at(registration?.stat.ctime),
        type: 'controller',
        brokerId: controller,
        controllerEpoch: epoch?.epoch ?? -1,
      });
    }
    this.controller = controller;
    this.controllerEpoch = epoch?.epoch ?? this.controllerEpoch;
    for (let p = 0; p < this.partitionCount; p++) {
      const r = states[p];
      if (!r) continue;
      const s = r.state;
      const prev = this.partitions.get(p);
      const same =
        prev &&
        prev.leader === s.leader &&
        prev.leaderEpoch === s.leaderEpoch &&
        prev.isr.join(',') === s.isr.join(',');
      if (same) continue;
      const leaderChanged = !prev || prev.leader !== s.leader || prev.leaderEpoch !== s.leaderEpoch;
      this.events.push({
        t: at(r.stat.mtime),
        type: 'partition-state',
        partition: p,
        leader: s.leader,
        leaderEpoch: s.leaderEpoch,
        isr: [...s.isr],
        controllerEpoch: s.controllerEpoch,
        // the new leader was not in the ISR before (a recovering leader is flagged too)
        unclean:
          (!!prev && leaderChanged && s.leader >= 0 && !prev.isr.includes(s.leader)) ||
          s.leaderRecoveryState === 1,
      });
      this.partitions.set(p, {
        partition: p,
        leader: s.leader,
        leaderEpoch: s.leaderEpoch,
        isr: [...s.isr],
        replicas: this.replicas.get(p) ?? [...s.isr],
      });
    }
  }

  /** Parses new JSON log lines of every broker process. */
  readLogs(): void {
    for (const [id, proc] of this.cluster.brokers) {
      const from = this.logOffsets.get(proc) ?? 0;
      const text = proc.stderr;
      const end = text.lastIndexOf('\n') + 1;
      if (end <= from) continue;
      this.logOffsets.set(proc, end);
      for (const line of text.slice(from, end).split('\n')) this.parseLine(id, line);
    }
  }

  private parseLine(brokerId: number, line: string): void {
    if (!line.startsWith('{')) return;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const t = typeof j.time === 'string' ? Date.parse(j.time) - this.startedAt : this.now();
    const msg = String(j.msg ?? '');
    const partKey = typeof j.partition === 'string' ? j.partition : undefined;
    const ours = partKey?.startsWith(`${this.topic}-`);
    const partition = ours ? Number(partKey!.slice(this.topic.length + 1)) : undefined;
    if (ours && (msg === 'truncated log' || msg === 'truncated log fully')) {
      this.events.push({
        t,
        type: 'truncation',
        brokerId,
        partition: partition!,
        fromOffset: Number(j.from),
        toOffset: Number(msg === 'truncated log' ? j.to : j.startAt),
        ...(typeof j.leaderEpoch === 'number' ? { leaderEpoch: j.leaderEpoch } : {}),
      });
      return;
    }
    const level = String(j.level ?? 'info');
    const relevant =
      (j.ns === 'state.change' && KEPT_MESSAGES.test(msg) && (ours || partKey === undefined)) ||
      level === 'error';
    if (!relevant) return;
    const fields = Object.entries(j)
      .filter(([k]) => !['time', 'level', 'ns', 'msg'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    this.events.push({
      t,
      type: 'log',
      brokerId,
      level,
      message: fields ? `${msg} ${fields}` : msg,
    });
  }

  /** Events in time order. */
  sorted(): ClusterEvent[] {
    return [...this.events].sort((a, b) => a.t - b.t);
  }
}
