/**
 * ConsumerCoordinator: the consumer's side of the group protocol (Kafka's
 * AbstractCoordinator + ConsumerCoordinator, eager rebalancing): finds the coordinator,
 * joins (MEMBER_ID_REQUIRED then again with the id), runs the leader's assignor,
 * syncs, heartbeats every `heartbeat.interval.ms` in the background, commits and
 * fetches offsets, auto-commits, and leaves the group on close.
 *
 * The coordinator gets its own connection (as Kafka's client uses a separate node id
 * for it), so a JoinGroup parked during a rebalance never delays fetches.
 *
 * The leader rejoins when the partition counts it assigned from change (topic created,
 * deleted or grown); a RegExp subscription rejoins when the matching topics change.
 *
 * Error handling as Kafka's client: NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS and network errors make it look for the coordinator
 * again; REBALANCE_IN_PROGRESS makes it rejoin; ILLEGAL_GENERATION makes it rejoin
 * with its member id, UNKNOWN_MEMBER_ID with none. A commit refused for those three
 * reasons throws COMMIT_FAILED-like KafkaErrors (Kafka's CommitFailedException) and
 * the next poll rejoins.
 *
 * A member whose application has not called poll() for `max.poll.interval.ms` (also the
 * rebalance timeout it sends) leaves the group from the heartbeat timer, as Kafka's
 * heartbeat thread does; its next poll rejoins.
 *
 * Static membership (KIP-345, `group.instance.id`): the instance id goes with every
 * JoinGroup, SyncGroup, Heartbeat and OffsetCommit; a static member never sends
 * LeaveGroup (close, unsubscribe, poll timeout: it only forgets its member id, as Kafka's
 * client), so a restart within the session timeout gets its partitions back without a
 * rebalance. FENCED_INSTANCE_ID (another instance with the same id took over) is fatal:
 * every later poll() and commit throws it.
 *
 * Not implemented: cooperative rebalancing (KIP-429).
 */
import {
  KafkaError,
  type Logger,
  type ScheduledTask,
  type Time,
  tpKey,
  type TopicPartition,
} from '@kzoo/common';
import {
  ApiKeys,
  Connection,
  type ConnectionOptions,
  type JoinGroupResponse,
} from '@kzoo/protocol';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  CONSUMER_PROTOCOL_TYPE,
  type ConsumerPartitionAssignor,
  type Subscription,
} from './assignors';
import type { Metadata } from './Metadata';
import type { NetworkClient } from './NetworkClient';

/** Kafka's ConsumerRebalanceListener: runs inside poll(), before and after a rebalance. */
export interface ConsumerRebalanceListener {
  /** Before a rebalance takes these partitions away: commit what was processed. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** After the rebalance, with this member's new partitions. */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface OffsetAndPartition extends TopicPartition {
  offset: number;
}

/** What the coordinator needs of the consumer's fetch state. */
export interface GroupHooks {
  /** Next offset to consume of every assigned partition whose position is known. */
  positions(): OffsetAndPartition[];
  /** Replaces the assignment; `committed` (by tpKey) positions the partitions it has. */
  assign(partitions: TopicPartition[], committed: Map<string, number>): void;
}

export interface ConsumerCoordinatorOptions {
  groupId: string;
  groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  /** `max.poll.interval.ms`. */
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  assignors: ConsumerPartitionAssignor[];
  network: NetworkClient;
  metadata: Metadata;
  hooks: GroupHooks;
  time: Time;
  logger: Logger;
  /** Opens the coordinator connection (default `Connection.connect`; unit tests fake it). */
  connect?: (opts: ConnectionOptions) => Promise<Connection>;
}

const COORDINATOR_ERRORS = new Set([14, 15, 16]); // LOAD_IN_PROGRESS, NOT_AVAILABLE, NOT_COORDINATOR
const REBALANCE_ERRORS = new Set([22, 25, 27]); // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS
const FENCED_INSTANCE_ID = 82;

type SubscriptionSpec = { topics: Set<string> } | { pattern: RegExp };

export class ConsumerCoordinator {
  private conn: Connection | null = null;
  private lookup: Promise<Connection> | null = null;
  private coordinatorId = -1;
  private memberId = '';
  private generationId = -1;
  private protocolName: string | null = null;
  private rejoinNeeded = true;
  private state: 'unjoined' | 'rebalancing' | 'stable' = 'unjoined';
  private subscription: SubscriptionSpec | null = null;
  private listener: ConsumerRebalanceListener = {};
  /** The topics this member joined with. */
  private joinedTopics: string[] = [];
  private assigned: TopicPartition[] = [];
  /** As leader: the partition count of every group topic the assignment used (0 = absent). */
  private assignmentSnapshot: Map<string, number> | null = null;
  private heartbeatTimer: ScheduledTask | null = null;
  private heartbeatInFlight = false;
  private nextAutoCommitMs: number;
  /** When the application last called poll() (for `max.poll.interval.ms`). */
  private lastPollMs: number;
  private pollsInProgress = 0;
  private closed = false;
  /** close() has begun: no more joins. */
  private closing = false;
  private closePromise: Promise<void> | null = null;
  /** FENCED_INSTANCE_ID: this static member was replaced; the consumer is unusable. */
  private fatalError: KafkaError | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: ConsumerCoordinatorOptions) {
    this.log = opts.logger.child({ group: opts.groupId }, 'consumer.coordinator');
    this.nextAutoCommitMs = opts.time.milliseconds() + opts.autoCommitIntervalMs;
    this.lastPollMs = opts.time.milliseconds();
  }

  get subscribed(): boolean {
    return this.subscription !== null;
  }

  /** The member id and generation of the current generation (-1 / '' before one). */
  get generation(): { generationId: number; memberId: string; protocolName: string | null } {
    return {
      generationId: this.generationId,
      memberId: this.memberId,
      protocolName: this.protocolName,
    };
  }

  assignment(): TopicPartition[] {
    return this.assigned.map((tp) => ({ ...tp }));
  }

  subscribe(spec: SubscriptionSpec, listener: ConsumerRebalanceListener = {}): void {
    this.subscription = spec;
    this.listener = listener;
    this.rejoinNeeded = true;
    if ('pattern' in spec) this.opts.metadata.fetchAllTopics(true);
    else this.opts.metadata.add(...spec.topics);
  }

  /** Leaves the group (partitions revoked first) and forgets the subscription. */
  async unsubscribe(): Promise<void> {
    if (!this.subscription) return;
    await this.revokeAll();
    await this.maybeLeaveGroup('unsubscribed');
    this.subscription = null;
    this.opts.metadata.fetchAllTopics(false);
  }

  /** The application entered poll(): the poll timer does not run meanwhile. */
  enterPoll(): void {
    this.pollsInProgress++;
    this.lastPollMs = this.opts.time.milliseconds();
  }

  leavePoll(): void {
    this.pollsInProgress--;
    this.lastPollMs = this.opts.time.milliseconds();
  }

  /**
   * Called at the start of each poll: rejoins when needed (running the rebalance
   * listener), notices new topics matching a pattern, and auto-commits when due.
   */
  async poll(deadlineMs: number): Promise<void> {
    if (this.fatalError) throw this.fatalError;
    if (this.closed || this.closing || !this.subscription) return;
    this.lastPollMs = this.opts.time.milliseconds();
    if (this.state === 'stable' && 'pattern' in this.subscription) {
      const matched = this.subscribedTopics();
      if (matched.join(',') !== this.joinedTopics.join(',')) {
        this.log.info('topics matching the pattern changed, rejoining', { topics: matched });
        this.rejoinNeeded = true;
      }
      if (this.opts.metadata.updateDue())
        void this.opts.metadata.maybeUpdate().catch(() => undefined);
    }
    if (this.state === 'stable' && this.assignmentSnapshot !== null) {
      // the leader watches the partition counts it assigned from (as Kafka's
      // ConsumerCoordinator): a topic deleted, created or grown means a new assignment
      const changed = this.metadataChangedSinceAssignment();
      if (changed) {
        this.log.info('partition counts changed since the assignment, rejoining', {
          topic: changed,
        });
        this.rejoinNeeded = true;
      } else if (this.opts.metadata.updateDue()) {
        void this.opts.metadata.maybeUpdate().catch(() => undefined);
      }
    }
    while (this.rejoinNeeded && !this.closed && !this.closing) {
      await this.joinGroup(deadlineMs);
      const left = deadlineMs - this.opts.time.milliseconds();
      // MEMBER_ID_REQUIRED rejoins at once; other failures wait for the next poll
      if (this.rejoinNeeded && this.memberId === '' && left <= this.opts.retryBackoffMs) return;
      if (this.rejoinNeeded && left <= 0) return;
    }
    this.maybeAutoCommitAsync();
  }

  // ------------------------------------------------------------ coordinator

  /** The coordinator connection; one lookup at a time, shared by its callers. */
  private ensureCoordinator(deadlineMs: number): Promise<Connection> {
    if (this.conn && !this.conn.closed) return Promise.resolve(this.conn);
    if (!this.lookup) {
      this.lookup = this.lookupCoordinator(deadlineMs).finally(() => {
        this.lookup = null;
      });
    }
    return this.lookup;
  }

  private async lookupCoordinator(deadlineMs: number): Promise<Connection> {
    for (;;) {
      if (this.conn && !this.conn.closed) return this.conn;
      if (this.closed) throw new KafkaError('NETWORK_EXCEPTION', 'consumer closed');
      try {
        const any = await this.opts.network.leastLoaded();
        const r = await any.request(ApiKeys.FindCoordinator, 0, {
          key: this.opts.groupId,
          keyType: 0,
        });
        if (r.errorCode !== 0)
          throw new KafkaError(r.errorCode, `FindCoordinator: ${r.errorMessage ?? ''}`);
        this.conn = await (this.opts.connect ?? Connection.connect)({
          host: r.host,
          port: r.port,
          clientId: this.opts.clientId,
          requestTimeoutMs: this.opts.requestTimeoutMs,
          connectTimeoutMs: this.opts.connectTimeoutMs,
          logger: this.opts.logger,
        });
        this.coordinatorId = r.nodeId;
        this.log.info('discovered group coordinator', {
          coordinator: r.nodeId,
          host: r.host,
          port: r.port,
        });
        return this.conn;
      } catch (e) {
        if (!(e instanceof KafkaError) || !e.retriable) throw e;
        this.log.debug('coordinator lookup failed, retrying', { error: e.message });
        if (this.opts.time.milliseconds() + this.opts.retryBackoffMs > deadlineMs) throw e;
        await this.opts.time.sleep(this.opts.retryBackoffMs);
      }
    }
  }

  private markCoordinatorUnknown(reason: string): void {
    if (!this.conn) return;
    this.log.info('group coordinator unknown', { coordinator: this.coordinatorId, reason });
    const c = this.conn;
    this.conn = null;
    this.coordinatorId = -1;
    void c.close().catch(() => undefined);
  }

  /** Acts on an error code of a group request: coordinator lookup, rejoin, reset. */
  private onGroupError(code: number, what: string): void {
    if (COORDINATOR_ERRORS.has(code)) {
      this.markCoordinatorUnknown(`${what}: ${new KafkaError(code).errorName}`);
    } else if (code === 25) {
      this.resetGeneration(true);
    } else if (code === 22) {
      this.resetGeneration(false);
    } else if (code === 27) {
      this.rejoinNeeded = true;
    }
  }

  /**
   * FENCED_INSTANCE_ID: another consumer with this group.instance.id joined with a new
   * member id. As Kafka's client, fatal: heartbeats stop and the error is thrown.
   */
  private fenced(what: string): KafkaError {
    this.log.error(`${what} failed: the group instance id has been fenced by another instance`, {
      groupInstanceId: this.opts.groupInstanceId,
      memberId: this.memberId,
      generation: this.generationId,
    });
    this.fatalError ??= new KafkaError('FENCED_INSTANCE_ID');
    this.resetGeneration(true);
    this.rejoinNeeded = false;
    return this.fatalError;
  }

  private resetGeneration(forgetMemberId: boolean): void {
    this.generationId = -1;
    this.protocolName = null;
    if (forgetMemberId) this.memberId = '';
    this.rejoinNeeded = true;
    this.state = 'unjoined';
    this.stopHeartbeats();
  }

  // ------------------------------------------------------------ join / sync

  private subscribedTopics(): string[] {
    const s = this.subscription!;
    if ('topics' in s) return [...s.topics].sort();
    return [...this.opts.metadata.cluster.topics.values()]
      .filter((t) => !t.isInternal && s.pattern.test(t.name))
      .map((t) => t.name)
      .sort();
  }

  private async revokeAll(): Promise<void> {
    if (this.assigned.length === 0) return;
    if (this.opts.autoCommit) {
      try {
        await this.commitSync(
          this.opts.hooks.positions(),
          this.opts.time.milliseconds() + this.opts.requestTimeoutMs,
        );
      } catch (e) {
        this.log.warn('auto-commit before rebalance failed', { error: (e as Error).message });
      }
    }
    const revoked = this.assignment();
    await this.runListener('onPartitionsRevoked', revoked);
    this.assigned = [];
    this.opts.hooks.assign([], new Map());
  }

  private async runListener(
    which: 'onPartitionsRevoked' | 'onPartitionsAssigned',
    partitions: TopicPartition[],
  ): Promise<void> {
    const fn = this.listener[which];
    if (!fn) return;
    try {
      await fn.call(this.listener, partitions);
    } catch (e) {
      this.log.error(`rebalance listener ${which} failed`, { error: e as Error });
    }
  }

  private async joinGroup(deadlineMs: number): Promise<void> {
    const time = this.opts.time;
    this.stopHeartbeats();
    if (this.state === 'stable' || this.assigned.length > 0) await this.revokeAll();
    this.state = 'rebalancing';
    let conn: Connection;
    try {
      conn = await this.ensureCoordinator(deadlineMs);
    } catch (e) {
      if (e instanceof KafkaError && e.retriable) return; // poll again later
      throw e;
    }
    if ('pattern' in this.subscription!) {
      await this.opts.metadata.maybeUpdate().catch(() => undefined);
    }
    const topics = this.subscribedTopics();
    let join: JoinGroupResponse;
    try {
      join = await conn.request(
        ApiKeys.JoinGroup,
        0,
        {
          groupId: this.opts.groupId,
          sessionTimeoutMs: this.opts.sessionTimeoutMs,
          rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocols: this.opts.assignors.map((a) => ({
            name: a.name,
            metadata: encodeSubscription({
              topics,
              userData: a.subscriptionUserData?.(new Set(topics)) ?? null,
              ownedPartitions: [],
              generationId: this.generationId,
            }),
          })),
          reason: null,
        },
        { timeoutMs: Math.max(this.opts.requestTimeoutMs, this.opts.rebalanceTimeoutMs + 5000) },
      );
    } catch (e) {
      return this.onRequestFailure(e, 'JoinGroup', deadlineMs);
    }
    if (join.errorCode === 79) {
      // MEMBER_ID_REQUIRED: rejoin at once with the id handed out
      this.memberId = join.memberId;
      return;
    }
    if (join.errorCode === FENCED_INSTANCE_ID) throw this.fenced('JoinGroup');
    if (join.errorCode !== 0) {
      if (COORDINATOR_ERRORS.has(join.errorCode) || REBALANCE_ERRORS.has(join.errorCode)) {
        this.onGroupError(join.errorCode, 'JoinGroup');
        await this.backoff(deadlineMs);
        return;
      }
      throw new KafkaError(join.errorCode, `JoinGroup of group ${this.opts.groupId}`);
    }
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    this.protocolName = join.protocolName;
    this.joinedTopics = topics;
    const isLeader = join.leader === join.memberId;
    this.log.info('joined group', {
      generation: join.generationId,
      memberId: join.memberId,
      leader: isLeader,
      protocol: join.protocolName,
    });
    let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    this.assignmentSnapshot = null;
    if (isLeader) assignments = await this.performAssignment(join);
    let sync;
    try {
      sync = await conn.request(
        ApiKeys.SyncGroup,
        0,
        {
          groupId: this.opts.groupId,
          generationId: join.generationId,
          memberId: join.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: join.protocolName,
          assignments,
        },
        { timeoutMs: Math.max(this.opts.requestTimeoutMs, this.opts.rebalanceTimeoutMs + 5000) },
      );
    } catch (e) {
      return this.onRequestFailure(e, 'SyncGroup', deadlineMs);
    }
    if (sync.errorCode === FENCED_INSTANCE_ID) throw this.fenced('SyncGroup');
    if (sync.errorCode !== 0) {
      if (COORDINATOR_ERRORS.has(sync.errorCode) || REBALANCE_ERRORS.has(sync.errorCode)) {
        this.onGroupError(sync.errorCode, 'SyncGroup');
        this.rejoinNeeded = true;
        await this.backoff(deadlineMs);
        return;
      }
      throw new KafkaError(sync.errorCode, `SyncGroup of group ${this.opts.groupId}`);
    }
    const assignment = decodeAssignment(sync.assignment);
    const assignor = this.opts.assignors.find((a) => a.name === join.protocolName);
    assignor?.onAssignment?.(assignment, join.generationId);
    const mine = assignment.partitions.filter((tp) => topics.includes(tp.topic));
    this.rejoinNeeded = false;
    this.state = 'stable';
    this.startHeartbeats();
    const committed = await this.fetchCommitted(
      mine,
      time.milliseconds() + this.opts.requestTimeoutMs,
    ).catch((e: Error) => {
      this.log.warn('fetching committed offsets failed; using auto.offset.reset', {
        error: e.message,
      });
      return new Map<string, number>();
    });
    this.assigned = mine;
    this.opts.hooks.assign(mine, committed);
    this.nextAutoCommitMs = time.milliseconds() + this.opts.autoCommitIntervalMs;
    this.log.info('assigned partitions', {
      generation: this.generationId,
      partitions: mine.map((tp) => tpKey(tp)),
    });
    await this.runListener('onPartitionsAssigned', this.assignment());
  }

  private async performAssignment(
    join: JoinGroupResponse,
  ): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const assignor = this.opts.assignors.find((a) => a.name === join.protocolName);
    if (!assignor) {
      throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `no assignor named ${join.protocolName}`);
    }
    const subscriptions = new Map<string, Subscription>();
    const allTopics = new Set<string>();
    for (const m of join.members) {
      const s = decodeSubscription(Buffer.from(m.metadata));
      s.groupInstanceId = m.groupInstanceId;
      subscriptions.set(m.memberId, s);
      for (const t of s.topics) allTopics.add(t);
    }
    // the leader needs the partition counts of every member's topics
    this.opts.metadata.add(...allTopics);
    const missing = () => [...allTopics].filter((t) => !this.opts.metadata.cluster.topics.has(t));
    if (missing().length > 0) await this.opts.metadata.update().catch(() => undefined);
    const partitionsPerTopic = new Map<string, number>();
    for (const t of allTopics) {
      const info = this.opts.metadata.cluster.topics.get(t);
      if (info && info.errorCode === 0 && info.partitions.length > 0) {
        partitionsPerTopic.set(t, info.partitions.length);
      }
    }
    this.assignmentSnapshot = new Map(
      [...allTopics].map((t) => [t, partitionsPerTopic.get(t) ?? 0]),
    );
    const result = assignor.assign(partitionsPerTopic, subscriptions);
    this.log.info('computed assignment as leader', {
      assignor: assignor.name,
      members: subscriptions.size,
      partitions: [...partitionsPerTopic.values()].reduce((a, b) => a + b, 0),
    });
    return [...result].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }));
  }

  /** A topic whose partition count differs from the leader's last assignment, if any. */
  private metadataChangedSinceAssignment(): string | null {
    const cluster = this.opts.metadata.cluster;
    for (const [topic, count] of this.assignmentSnapshot!) {
      const info = cluster.topics.get(topic);
      // a topic still being created or briefly without metadata is not a change
      if (!info) continue;
      const now = info.errorCode === 3 ? 0 : info.errorCode === 0 ? info.partitions.length : count;
      if (now !== count) return topic;
    }
    return null;
  }

  private async onRequestFailure(e: unknown, what: string, deadlineMs: number): Promise<void> {
    if (e instanceof KafkaError && e.retriable) {
      this.markCoordinatorUnknown(`${what}: ${e.message}`);
      this.rejoinNeeded = true;
      await this.backoff(deadlineMs);
      return;
    }
    throw e;
  }

  private async backoff(deadlineMs: number): Promise<void> {
    const left = deadlineMs - this.opts.time.milliseconds();
    if (left > 0) await this.opts.time.sleep(Math.min(left, this.opts.retryBackoffMs));
  }

  // ------------------------------------------------------------ heartbeats

  private startHeartbeats(): void {
    this.stopHeartbeats();
    const tick = () => {
      this.heartbeatTimer = null;
      if (this.closed || this.closing || this.state !== 'stable') return;
      const sincePoll = this.opts.time.milliseconds() - this.lastPollMs;
      if (this.pollsInProgress === 0 && sincePoll > this.opts.rebalanceTimeoutMs) {
        // as Kafka's heartbeat thread: an application that stopped polling leaves the
        // group, so its partitions go to members that make progress; the next poll rejoins
        this.log.warn('consumer poll timeout has expired: leaving the group', {
          sincePollMs: sincePoll,
          maxPollIntervalMs: this.opts.rebalanceTimeoutMs,
        });
        void this.maybeLeaveGroup('consumer poll timeout has expired');
        return;
      }
      void this.sendHeartbeat().finally(() => {
        if (!this.closed && this.state === 'stable' && !this.heartbeatTimer) {
          this.heartbeatTimer = this.scheduleHeartbeat(tick);
        }
      });
    };
    this.heartbeatTimer = this.scheduleHeartbeat(tick);
  }

  private scheduleHeartbeat(tick: () => void): ScheduledTask {
    return this.opts.time.schedule('consumer-heartbeat', tick, this.opts.heartbeatIntervalMs, {
      unref: true,
    });
  }

  private stopHeartbeats(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = null;
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    try {
      // a lost coordinator is looked up again from here (as Kafka's heartbeat thread
      // does); the new one answers UNKNOWN_MEMBER_ID and the next poll rejoins
      const conn =
        this.conn ??
        (await this.ensureCoordinator(
          this.opts.time.milliseconds() + this.opts.heartbeatIntervalMs,
        ));
      if (this.state !== 'stable' || this.closed) return;
      const r = await conn.request(ApiKeys.Heartbeat, 0, {
        groupId: this.opts.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId,
      });
      if (r.errorCode === FENCED_INSTANCE_ID) {
        this.fenced('Heartbeat'); // the next poll throws
      } else if (r.errorCode !== 0) {
        this.log.info('heartbeat answered with an error', {
          error: new KafkaError(r.errorCode).errorName,
        });
        this.onGroupError(r.errorCode, 'Heartbeat');
        this.rejoinNeeded = true;
      }
    } catch (e) {
      this.markCoordinatorUnknown(`Heartbeat: ${(e as Error).message}`);
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  // ------------------------------------------------------------ offsets

  /**
   * Commits `offsets` (next offsets to consume); retries coordinator errors until
   * `deadlineMs`. Throws when the group rebalanced meanwhile (the commit is refused).
   */
  async commitSync(offsets: OffsetAndPartition[], deadlineMs: number): Promise<void> {
    if (this.fatalError) throw this.fatalError;
    if (offsets.length === 0) return;
    if (this.subscription && this.generationId < 0) {
      // as Kafka: a subscribed member outside a generation must not commit (its
      // positions may be older than those of the partitions' new owners)
      throw new KafkaError(
        'REBALANCE_IN_PROGRESS',
        'commit failed: this consumer is not in an active generation of the group (rejoining)',
      );
    }
    const byTopic = new Map<string, OffsetAndPartition[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic);
      if (list) list.push(o);
      else byTopic.set(o.topic, [o]);
    }
    for (;;) {
      let conn: Connection;
      try {
        conn = await this.ensureCoordinator(deadlineMs);
        const standalone = !this.subscription;
        const r = await conn.request(ApiKeys.OffsetCommit, 0, {
          groupId: this.opts.groupId,
          generationId: standalone ? -1 : this.generationId,
          memberId: standalone ? '' : this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          topics: [...byTopic].map(([name, list]) => ({
            name,
            partitions: list.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            })),
          })),
        });
        const codes = r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
        const bad = codes.find((c) => c !== 0);
        if (bad === undefined) return;
        if (bad === FENCED_INSTANCE_ID) throw this.fenced('OffsetCommit');
        if (REBALANCE_ERRORS.has(bad)) {
          if (standalone) {
            throw new KafkaError(
              bad,
              `commit failed: group ${this.opts.groupId} has active members; a consumer ` +
                'using assign() can only commit to a group without members',
            );
          }
          this.onGroupError(bad, 'OffsetCommit');
          throw new KafkaError(
            bad,
            'commit failed: the group has rebalanced (or this member was removed) since the ' +
              'partitions were assigned; the next poll rejoins the group',
          );
        }
        if (!COORDINATOR_ERRORS.has(bad)) {
          // a partition refused (e.g. UNKNOWN_TOPIC_OR_PARTITION after a topic deletion):
          // the others were stored; retrying would not help
          const which = r.topics
            .flatMap((t) =>
              t.partitions
                .filter((p) => p.errorCode !== 0)
                .map((p) => tpKey(t.name, p.partitionIndex)),
            )
            .join(', ');
          throw Object.assign(new KafkaError(bad, `OffsetCommit refused for ${which}`), {
            final: true,
          });
        }
        this.onGroupError(bad, 'OffsetCommit');
      } catch (e) {
        if (!(e instanceof KafkaError) || !e.retriable || REBALANCE_ERRORS.has(e.code)) throw e;
        if ((e as KafkaError & { final?: boolean }).final) throw e;
        if (!COORDINATOR_ERRORS.has(e.code))
          this.markCoordinatorUnknown(`OffsetCommit: ${e.message}`);
        if (this.opts.time.milliseconds() + this.opts.retryBackoffMs > deadlineMs) throw e;
      }
      await this.opts.time.sleep(this.opts.retryBackoffMs);
    }
  }

  /** Committed offsets (by tpKey) of `partitions`; partitions without one are left out. */
  async fetchCommitted(
    partitions: TopicPartition[],
    deadlineMs: number,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) {
      const list = byTopic.get(tp.topic);
      if (list) list.push(tp.partition);
      else byTopic.set(tp.topic, [tp.partition]);
    }
    for (;;) {
      try {
        const conn = await this.ensureCoordinator(deadlineMs);
        const r = await conn.request(ApiKeys.OffsetFetch, 0, {
          groupId: this.opts.groupId,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          requireStable: false,
        });
        if (r.errorCode !== 0) throw new KafkaError(r.errorCode, 'OffsetFetch');
        for (const t of r.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0)
              throw new KafkaError(p.errorCode, `OffsetFetch ${t.name}-${p.partitionIndex}`);
            if (p.committedOffset >= 0) out.set(tpKey(t.name, p.partitionIndex), p.committedOffset);
          }
        }
        return out;
      } catch (e) {
        if (!(e instanceof KafkaError) || !e.retriable) throw e;
        this.markCoordinatorUnknown(`OffsetFetch: ${e.message}`);
        if (this.opts.time.milliseconds() + this.opts.retryBackoffMs > deadlineMs) throw e;
        await this.opts.time.sleep(this.opts.retryBackoffMs);
      }
    }
  }

  private maybeAutoCommitAsync(): void {
    if (!this.opts.autoCommit || this.state !== 'stable') return;
    const now = this.opts.time.milliseconds();
    if (now < this.nextAutoCommitMs) return;
    this.nextAutoCommitMs = now + this.opts.autoCommitIntervalMs;
    const offsets = this.opts.hooks.positions();
    void this.commitSync(offsets, now + this.opts.requestTimeoutMs).catch((e: Error) =>
      this.log.warn('auto-commit failed', { error: e.message }),
    );
  }

  // ------------------------------------------------------------ leave / close

  /**
   * A dynamic member sends LeaveGroup; a static member (group.instance.id) does not (as
   * Kafka's client: only its session timeout removes it). Both forget the member id.
   */
  private async maybeLeaveGroup(reason: string): Promise<void> {
    this.stopHeartbeats();
    const conn = this.conn;
    if (this.opts.groupInstanceId !== null) {
      if (this.memberId !== '') {
        this.log.info('static member not leaving the group (no LeaveGroup)', {
          memberId: this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          reason,
        });
      }
    } else if (conn && !conn.closed && this.memberId !== '') {
      try {
        await conn.request(ApiKeys.LeaveGroup, 0, {
          groupId: this.opts.groupId,
          members: [
            { memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId, reason },
          ],
        });
        this.log.info('left group', { memberId: this.memberId, reason });
      } catch (e) {
        this.log.debug('LeaveGroup failed', { error: (e as Error).message });
      }
    }
    this.resetGeneration(true);
  }

  /**
   * Commits (auto-commit), runs onPartitionsRevoked, leaves the group (a dynamic member),
   * closes the connection.
   */
  close(): Promise<void> {
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    if (this.subscription && this.state === 'stable') await this.revokeAll();
    else if (!this.subscription && this.opts.autoCommit) {
      await this.commitSync(
        this.opts.hooks.positions(),
        this.opts.time.milliseconds() + this.opts.requestTimeoutMs,
      ).catch(() => undefined);
    }
    if (this.subscription) await this.maybeLeaveGroup('the consumer is being closed');
    this.closed = true;
    this.stopHeartbeats();
    const c = this.conn;
    this.conn = null;
    await c?.close().catch(() => undefined);
  }
}
