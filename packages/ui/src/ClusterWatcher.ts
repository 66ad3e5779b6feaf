/**
 * ClusterWatcher: the cluster as the UI shows it, kept current from two sources.
 *
 * ZooKeeper's truth, through KafkaZkClient watches (one-shot, re-armed on every read):
 * `/brokers/ids` (registrations, broker epochs), `/controller` and `/controller_epoch`,
 * `/brokers/topics` and each topic's assignment, and every partition's `state` znode.
 * Each change becomes a ServerMessage at once, and the events it means (elections judged
 * clean/unclean from ISR membership, ISR shrinks and expands, registrations, session
 * ends, controller changes) go to the event feed (events.ts).
 *
 * The brokers' view, polled here (never by the browser) every `pollIntervalMs`: consumer
 * groups, their members, committed offsets and lag through the Admin client
 * (ListGroups, DescribeGroups, OffsetFetch, ListOffsets for each partition's high
 * watermark), and each replica's log end offset from the brokers' /metrics
 * (`kafka_log_log_logendoffset`) when their metrics endpoints are known.
 *
 * Refreshes run one at a time (a queue), so a slow read cannot overwrite a newer one.
 * After a ZooKeeper session expiry every watch is gone: everything is read again.
 */
import { EventEmitter } from 'node:events';
import { Admin } from '@kzoo/client';
import { createLogger, type Logger, type ScheduledTask, type Time, tpKey } from '@kzoo/common';
import { BrokerIdZNode, endpointString, type KafkaZkClient, type WatchEvent } from '@kzoo/zk';
import { partitionEvents, type EventDraft } from './events';
import {
  PROCESS_FAULTS,
  type BrokerView,
  type ClusterView,
  type ControllerView,
  type FaultAction,
  type GroupView,
  type PartitionView,
  type ServerMessage,
  type UiEvent,
} from './protocol';

export interface ClusterWatcherOptions {
  zkClient: KafkaZkClient;
  /** The connect string, shown on the page. */
  zk: string;
  time: Time;
  logger?: Logger;
  /** How often groups, offsets and log end offsets are read from the brokers (default 1000). */
  pollIntervalMs?: number;
  /** Base URL of broker `id`'s metrics endpoint (`http://host:port`), when it has one. */
  metricsUrl?: (brokerId: number) => string | undefined;
  /** Whether the page may show fault buttons. */
  faults?: boolean;
  /** Which ones (default: the process faults). */
  faultActions?: readonly FaultAction[];
}

/** Events kept for a page that connects later. */
const KEEP_EVENTS = 500;
const STATE_PATH = /\/brokers\/topics\/([^/]+)\/partitions\/(\d+)\/state$/;
const TOPIC_PATH = /\/brokers\/topics\/([^/]+)$/;

export class ClusterWatcher extends EventEmitter {
  private readonly zk: KafkaZkClient;
  private readonly time: Time;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly brokers = new Map<number, BrokerView>();
  private controller: ControllerView = { brokerId: -1, epoch: 0 };
  private readonly partitions = new Map<string, PartitionView>();
  private readonly topics = new Set<string>();
  private groups: GroupView[] = [];
  private clusterId: string | null = null;
  private readonly events: UiEvent[] = [];
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private pollTask: ScheduledTask | null = null;
  private polling: Promise<void> = Promise.resolve();
  private readonly retries = new Map<string, ScheduledTask>();
  private admin: Admin | null = null;
  private adminBootstrap = '';
  private lastOffsets = '';

  constructor(private readonly opts: ClusterWatcherOptions) {
    super();
    this.zk = opts.zkClient;
    this.time = opts.time;
    this.log = opts.logger ?? createLogger('ui.watcher');
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
  }

  /** Reads everything, arms the watches and starts polling the brokers. */
  async start(): Promise<void> {
    this.zk.onSessionEvent('newSession', this.onNewSession);
    this.clusterId = await this.zk.getClusterId();
    await this.enqueue(() => this.refreshBrokers(false));
    await this.enqueue(() => this.refreshController(false));
    await this.enqueue(() => this.refreshTopics(false));
    this.schedulePoll(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.zk.offSessionEvent('newSession', this.onNewSession);
    this.pollTask?.cancel();
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
    await this.queue;
    await this.polling;
    await this.admin?.close().catch(() => undefined);
    this.admin = null;
  }

  /** The whole view and the recent events (what a page gets on connect). */
  snapshot(): ServerMessage {
    return {
      type: 'snapshot',
      state: this.view(),
      events: [...this.events],
    };
  }

  view(): ClusterView {
    return {
      zk: this.opts.zk,
      clusterId: this.clusterId,
      brokers: this.brokerList(),
      controller: this.controller,
      partitions: [...this.partitions.values()],
      groups: this.groups,
      faults: this.opts.faults ?? false,
      faultActions: this.opts.faults ? [...(this.opts.faultActions ?? PROCESS_FAULTS)] : [],
    };
  }

  /** Adds an event of the UI's own (a fault button pressed). */
  note(kind: UiEvent['kind'], text: string): void {
    this.pushEvents([{ kind, text }]);
  }

  // ------------------------------------------------------------ plumbing

  private send(msg: ServerMessage): void {
    this.emit('message', msg);
  }

  private pushEvents(drafts: EventDraft[]): void {
    for (const d of drafts) {
      const event: UiEvent = { ...d, seq: ++this.seq, timeMs: this.time.milliseconds() };
      this.events.unshift(event);
      if (this.events.length > KEEP_EVENTS) this.events.length = KEEP_EVENTS;
      this.log.info(event.text, { kind: event.kind });
      this.send({ type: 'event', event });
    }
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (e) {
        if (!this.stopped) this.log.warn('reading ZooKeeper failed', { error: e });
      }
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }

  private readonly onNewSession = () => {
    this.log.info('new ZooKeeper session: reading everything again');
    void this.enqueue(() => this.refreshBrokers(true));
    void this.enqueue(() => this.refreshController(true));
    void this.enqueue(() => this.refreshTopics(true));
  };

  // ------------------------------------------------------------ brokers

  private readonly brokersWatcher = () => void this.enqueue(() => this.refreshBrokers(true));

  private brokerList(): BrokerView[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  private liveBrokerIds(): Set<number> {
    return new Set(
      this.brokerList()
        .filter((b) => b.alive)
        .map((b) => b.id),
    );
  }

  private async refreshBrokers(announce: boolean): Promise<void> {
    const ids = await this.zk.getSortedBrokerList(this.brokersWatcher);
    const drafts: EventDraft[] = [];
    const seen = new Set<number>();
    for (const id of ids) {
      const r = await this.zk.getDataAndStat(BrokerIdZNode.path(id));
      if (!r) continue; // gone meanwhile: the watch fires again
      seen.add(id);
      const info = BrokerIdZNode.decode(id, r.data);
      const old = this.brokers.get(id);
      const view: BrokerView = {
        id,
        alive: true,
        endpoints: info.endpoints.map(endpointString),
        rack: info.rack ?? null,
        brokerEpoch: r.stat.czxid,
        registeredAtMs: r.stat.ctime,
      };
      if (!old || !old.alive)
        drafts.push({
          kind: 'broker',
          text: `broker ${id} registered (broker epoch ${view.brokerEpoch}) at ${view.endpoints.join(', ')}`,
          zkMtimeMs: r.stat.ctime,
        });
      else if (old.brokerEpoch !== view.brokerEpoch)
        drafts.push({
          kind: 'broker',
          text: `broker ${id} registered again with a new session (broker epoch ${old.brokerEpoch} → ${view.brokerEpoch})`,
          zkMtimeMs: r.stat.ctime,
        });
      this.brokers.set(id, view);
    }
    for (const b of this.brokers.values()) {
      if (!b.alive || seen.has(b.id)) continue;
      this.brokers.set(b.id, { ...b, alive: false });
      drafts.push({
        kind: 'broker',
        text: `broker ${b.id} deregistered: its ZooKeeper session closed or expired (/brokers/ids/${b.id} gone)`,
      });
    }
    this.send({ type: 'brokers', brokers: this.brokerList() });
    if (announce) this.pushEvents(drafts);
  }

  // ------------------------------------------------------------ controller

  private readonly controllerWatcher = () => void this.enqueue(() => this.refreshController(true));

  private async refreshController(announce: boolean): Promise<void> {
    await this.zk.watchControllerZNode(this.controllerWatcher);
    const reg = await this.zk.getControllerRegistration();
    const epoch = (await this.zk.getControllerEpoch())?.epoch ?? 0;
    const next: ControllerView = { brokerId: reg?.brokerId ?? -1, epoch };
    const prev = this.controller;
    if (prev.brokerId === next.brokerId && prev.epoch === next.epoch) return;
    this.controller = next;
    this.send({ type: 'controller', controller: next });
    if (!announce) return;
    this.pushEvents([
      next.brokerId < 0
        ? {
            kind: 'controller',
            text: `no controller: /controller deleted (was broker ${prev.brokerId})`,
          }
        : {
            kind: 'controller',
            text:
              `controller is broker ${next.brokerId}, controller epoch ${next.epoch}` +
              (prev.brokerId >= 0 ? ` (was broker ${prev.brokerId})` : ''),
            zkMtimeMs: reg?.stat.mtime,
          },
    ]);
  }

  // ------------------------------------------------------------ topics and partitions

  private readonly topicsWatcher = () => void this.enqueue(() => this.refreshTopics(true));

  private readonly topicWatcher = (e: WatchEvent) => {
    const m = TOPIC_PATH.exec(e.path);
    if (m) void this.enqueue(() => this.refreshTopic(m[1], true));
  };

  private readonly stateWatcher = (e: WatchEvent) => {
    const m = STATE_PATH.exec(e.path);
    if (m) void this.enqueue(() => this.refreshPartition(m[1], Number(m[2]), true));
  };

  private async refreshTopics(announce: boolean): Promise<void> {
    const topics = await this.zk.getAllTopicsInCluster(this.topicsWatcher);
    const now = new Set(topics);
    for (const t of topics) {
      if (!this.topics.has(t) && announce)
        this.pushEvents([{ kind: 'topic', topic: t, text: `topic ${t} created` }]);
      this.topics.add(t);
      await this.refreshTopic(t, announce);
    }
    for (const t of [...this.topics]) {
      if (now.has(t)) continue;
      this.topics.delete(t);
      for (const p of [...this.partitions.values()].filter((x) => x.topic === t)) {
        this.partitions.delete(tpKey(t, p.partition));
        this.send({ type: 'partitionRemoved', topic: t, partition: p.partition });
      }
      if (announce) this.pushEvents([{ kind: 'topic', topic: t, text: `topic ${t} deleted` }]);
    }
  }

  private async refreshTopic(topic: string, announce: boolean): Promise<void> {
    const a = (await this.zk.getReplicaAssignmentForTopics([topic], this.topicWatcher)).get(topic);
    if (!a) return;
    for (const [partition, ra] of [...a.partitions].sort((x, y) => x[0] - y[0])) {
      const k = tpKey(topic, partition);
      const old = this.partitions.get(k);
      if (old && old.replicas.join(',') === ra.replicas.join(',')) continue;
      this.partitions.set(k, {
        topic,
        partition,
        replicas: [...ra.replicas],
        leader: old?.leader ?? -1,
        leaderEpoch: old?.leaderEpoch ?? -1,
        isr: old?.isr ?? [],
        controllerEpoch: old?.controllerEpoch ?? -1,
        zkVersion: old?.zkVersion ?? -1,
        mtimeMs: old?.mtimeMs ?? -1,
        highWatermark: old?.highWatermark ?? -1,
        logEndOffsets: old?.logEndOffsets ?? {},
      });
      await this.refreshPartition(topic, partition, announce);
    }
  }

  private async refreshPartition(topic: string, partition: number, announce: boolean) {
    const k = tpKey(topic, partition);
    const old = this.partitions.get(k);
    if (!old) return;
    const r = await this.zk.getTopicPartitionStateAndStat({ topic, partition }, this.stateWatcher);
    if (!r) {
      // The controller writes the state znode just after the assignment: read again soon
      // (a watch cannot be set on data that does not exist yet).
      if (!this.retries.has(k) && !this.stopped)
        this.retries.set(
          k,
          this.time.schedule(
            'ui-partition-state',
            () => {
              this.retries.delete(k);
              void this.enqueue(() => this.refreshPartition(topic, partition, true));
            },
            200,
          ),
        );
      this.send({ type: 'partition', partition: old });
      return;
    }
    if (r.state.zkVersion === old.zkVersion && old.mtimeMs === r.stat.mtime) return;
    const next: PartitionView = {
      ...old,
      leader: r.state.leader,
      leaderEpoch: r.state.leaderEpoch,
      isr: [...r.state.isr],
      controllerEpoch: r.state.controllerEpoch,
      zkVersion: r.state.zkVersion,
      mtimeMs: r.stat.mtime,
    };
    this.partitions.set(k, next);
    this.send({ type: 'partition', partition: next });
    if (announce) this.pushEvents(partitionEvents(old, next, this.liveBrokerIds()));
  }

  // ------------------------------------------------------------ polled from the brokers

  private schedulePoll(delayMs: number): void {
    if (this.stopped) return;
    this.pollTask = this.time.schedule(
      'ui-poll',
      () => {
        this.polling = this.poll().finally(() => this.schedulePoll(this.pollIntervalMs));
      },
      delayMs,
    );
  }

  /** An Admin bootstrapped from the live brokers' first listeners (made again when they change). */
  private adminClient(): Admin | null {
    if (this.stopped) return null;
    const servers = this.brokerList()
      .filter((b) => b.alive)
      .map((b) => {
        const ep = b.endpoints.find((e) => e.startsWith('PLAINTEXT://')) ?? b.endpoints[0];
        return ep?.replace(/^[^:]+:\/\//, '');
      })
      .filter((s): s is string => !!s)
      .join(',');
    if (servers === '') return null;
    if (this.admin && this.adminBootstrap === servers) return this.admin;
    void this.admin?.close().catch(() => undefined);
    this.adminBootstrap = servers;
    this.admin = new Admin(
      {
        'bootstrap.servers': servers,
        'client.id': 'kzoo-ui',
        'request.timeout.ms': 3000,
        'default.api.timeout.ms': 3000,
        'retry.backoff.ms': 100,
        'socket.connection.setup.timeout.ms': 2000,
      },
      { time: this.time, logger: this.log.child({}, 'ui.admin') },
    );
    return this.admin;
  }

  private async poll(): Promise<void> {
    try {
      await this.pollOffsetsAndGroups();
    } catch (e) {
      this.log.debug('polling the brokers failed', { error: e });
    }
  }

  private async pollOffsetsAndGroups(): Promise<void> {
    const admin = this.adminClient();
    const parts = [...this.partitions.values()];
    const highWatermarks: Record<string, number> = {};
    if (admin && parts.length > 0) {
      const hw = await admin.listOffsets(
        parts.map((p) => ({ topic: p.topic, partition: p.partition })),
        'latest',
        { partial: true },
      );
      for (const o of hw) if (!o.error) highWatermarks[tpKey(o)] = o.offset;
    }
    const logEndOffsets = await this.scrapeLogEndOffsets();
    for (const [k, hw] of Object.entries(highWatermarks)) {
      const p = this.partitions.get(k);
      if (p) p.highWatermark = hw;
    }
    for (const [k, leo] of Object.entries(logEndOffsets)) {
      const p = this.partitions.get(k);
      if (p) p.logEndOffsets = leo;
    }
    const sig = JSON.stringify([highWatermarks, logEndOffsets]);
    if (sig !== this.lastOffsets) {
      this.lastOffsets = sig;
      this.send({ type: 'offsets', highWatermarks, logEndOffsets });
    }
    if (!admin) return;
    const groups = await this.readGroups(admin, highWatermarks);
    if (JSON.stringify(groups) !== JSON.stringify(this.groups)) {
      this.groups = groups;
      this.send({ type: 'groups', groups });
    }
  }

  private async readGroups(
    admin: Admin,
    highWatermarks: Record<string, number>,
  ): Promise<GroupView[]> {
    // Groups the coordinators know, and groups with offsets committed in ZooKeeper
    // (/consumers/<group>/offsets) that no coordinator has loaded.
    const ids = new Set((await admin.listGroups()).map((g) => g.groupId));
    for (const g of await this.zk.getConsumerGroups()) ids.add(g);
    if (ids.size === 0) return [];
    const described = await admin.describeGroups([...ids].sort());
    const out: GroupView[] = [];
    for (const d of described) {
      const committed = await admin.listConsumerGroupOffsets(d.groupId).catch(() => []);
      out.push({
        groupId: d.groupId,
        state: d.state,
        protocol: d.protocol,
        coordinator: d.coordinator,
        members: d.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.host,
          assignment: m.assignment.map((tp) => tpKey(tp)),
        })),
        offsets: committed
          .map((o) => {
            const end = highWatermarks[tpKey(o)] ?? -1;
            return {
              topic: o.topic,
              partition: o.partition,
              committed: o.offset,
              end,
              lag: end >= 0 && o.offset >= 0 ? Math.max(0, end - o.offset) : -1,
            };
          })
          .sort((a, b) =>
            a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
          ),
      });
    }
    return out.sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /** Each live broker's `kafka_log_log_logendoffset` series, as topic-partition -> broker -> LEO. */
  private async scrapeLogEndOffsets(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    const urlOf = this.opts.metricsUrl;
    if (!urlOf) return out;
    await Promise.all(
      this.brokerList()
        .filter((b) => b.alive)
        .map(async (b) => {
          const base = urlOf(b.id);
          if (!base) return;
          try {
            const res = await fetch(`${base}/metrics`, {
              headers: { connection: 'close' },
              signal: AbortSignal.timeout(2000),
            });
            for (const line of (await res.text()).split('\n')) {
              const m = /^kafka_log_log_logendoffset\{(.*)\} (\S+)$/.exec(line);
              if (!m) continue;
              const topic = /topic="([^"]*)"/.exec(m[1])?.[1];
              const partition = /partition="(\d+)"/.exec(m[1])?.[1];
              if (topic === undefined || partition === undefined) continue;
              (out[tpKey(topic, Number(partition))] ??= {})[String(b.id)] = Number(m[2]);
            }
          } catch {
            // a dead or paused broker: no LEO from it this round
          }
        }),
    );
    return out;
  }
}
