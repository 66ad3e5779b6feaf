/**
 * BrokerMetrics: the broker's Prometheus endpoint, one Broker component. Kafka's MBeans
 * appear under the names the JMX exporter's standard Kafka rules
 * (`example_configs/kafka-2_0_0.yml`, lowercased) give them:
 *
 *   kafka.<domain><type=T, name=N>Value            -> kafka_<domain>_<t>_<n>          gauge
 *   kafka.<domain><type=T, name=NPerSec, k=v>Count -> kafka_<domain>_<t>_<n>_total{k} counter
 *   a Yammer histogram / timer                     -> quantiles + _count (a Summary here)
 *
 * so a Grafana dashboard built for Kafka reads a kzoo broker. One exception, asked for by
 * the issue: `kafka_network_requestmetrics_totaltimems` is a Prometheus histogram (buckets
 * in ms) rather than quantiles, so it sums across brokers.
 *
 * Gauges are computed on each scrape from the broker's own state (ReplicaManager's
 * partitions, the controller's context, the ZooKeeper session), never kept in parallel;
 * counters read the broker's running counts (BrokerTopicStats, ISR changes, the
 * controller's elections). Each broker has its own Registry, so brokers in one process
 * do not mix. Served at `http://<kzoo.metrics.host>:<kzoo.metrics.port>/metrics`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, Summary, collectDefaultMetrics, type Metric } from 'prom-client';
import { createLogger, type Logger, type Time } from '@kzoo/common';
import { ApiKeys } from '@kzoo/protocol';
import type { ZkSessionState } from '@kzoo/zk';
import type { Broker, BrokerComponent, BrokerState } from '../Broker';
import type { RequestContext, RequestHandler } from '../network';
import type { Partition } from '../server/Partition';
import { BrokerTopicStats } from './BrokerTopicStats';
import { RequestTimeHistogram } from './RequestTimeHistogram';

/** Kafka's request names for RequestMetrics' `request` label (Fetch split as Kafka does). */
const API_NAMES = new Map<number, string>([
  ...Object.entries(ApiKeys).map(([name, key]): [number, string] => [key, name]),
  [17, 'SaslHandshake'],
  [36, 'SaslAuthenticate'],
]);

function requestName(ctx: RequestContext): string {
  const name = API_NAMES.get(ctx.header.apiKey) ?? `Unknown${ctx.header.apiKey}`;
  if (ctx.header.apiKey !== ApiKeys.Fetch) return name;
  const replicaId = (ctx.body as { replicaId?: number } | null)?.replicaId ?? -1;
  return replicaId >= 0 ? 'FetchFollower' : 'FetchConsumer';
}

/** Kafka's BrokerState values (the gauge kafka.server:type=KafkaServer,name=BrokerState). */
const BROKER_STATE_VALUE: Record<BrokerState, number> = {
  NotRunning: 0,
  Starting: 1,
  RunningAsBroker: 3,
  PendingControlledShutdown: 6,
  ShuttingDown: 7,
};

/** ZooKeeper's client States, as Kafka's SessionState gauge reports them. */
const SESSION_STATES = ['CONNECTING', 'CONNECTED', 'CLOSED'] as const;
function sessionStateName(s: ZkSessionState): (typeof SESSION_STATES)[number] {
  switch (s) {
    case 'connected':
      return 'CONNECTED';
    case 'connecting':
    case 'disconnected':
      return 'CONNECTING';
    default:
      return 'CLOSED';
  }
}

/** Percentiles the JMX exporter exports for a Yammer histogram. */
const PERCENTILES = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999];
/** TotalTimeMs buckets, in ms. */
const REQUEST_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export interface BrokerMetricsOptions {
  time: Time;
  logger?: Logger;
}

export class BrokerMetrics implements BrokerComponent {
  readonly name = 'metrics';
  /** This broker's registry (never prom-client's global one). */
  readonly registry = new Registry();
  /** Bytes and messages in and out per topic, counted by the ReplicaManager. */
  readonly brokerTopicStats = new BrokerTopicStats();
  private readonly time: Time;
  private log: Logger;
  private server: http.Server | null = null;
  private _port = -1;
  private readonly totalTimeMs: RequestTimeHistogram;
  /** Requests per `request:version` (counted on the request path, exported on scrape). */
  private readonly requestCounts = new Map<string, number>();
  private readonly leaderElectionRateAndTimeMs: Summary;
  private readonly zkRequestLatencyMs: Summary;
  private readonly zkExpires: Counter;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(broker: Broker, opts: BrokerMetricsOptions) {
    this.time = opts.time;
    this.log = opts.logger ?? createLogger('metrics');
    const registers = [this.registry];
    const b = broker;
    const replicaManager = () => {
      try {
        return b.dataPlane.replicaManager;
      } catch {
        return null; // not started
      }
    };
    const activeController = () => {
      try {
        return b.isController() ? b.controller : null;
      } catch {
        return null;
      }
    };

    // ---- kafka.server ReplicaManager
    new Gauge({
      name: 'kafka_server_replicamanager_underreplicatedpartitions',
      help: 'Partitions this broker leads whose ISR is smaller than their replica set (kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions).',
      registers,
      collect() {
        const rm = replicaManager();
        this.set(
          rm
            ? rm.allPartitions().filter((p) => p.isLeader && p.isr.length < p.replicas.length)
                .length
            : 0,
        );
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_underminisrpartitioncount',
      help: 'Partitions this broker leads whose ISR is below min.insync.replicas (UnderMinIsrPartitionCount).',
      registers,
      collect() {
        const rm = replicaManager();
        this.set(
          rm
            ? rm.allPartitions().filter((p) => p.isLeader && p.isr.length < p.minInsyncReplicas)
                .length
            : 0,
        );
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_partitioncount',
      help: 'Partitions with a replica on this broker (PartitionCount).',
      registers,
      collect() {
        this.set(replicaManager()?.allPartitions().length ?? 0);
      },
    });
    new Gauge({
      name: 'kafka_server_replicamanager_leadercount',
      help: 'Partitions this broker leads (LeaderCount).',
      registers,
      collect() {
        this.set(
          replicaManager()
            ?.allPartitions()
            .filter((p) => p.isLeader).length ?? 0,
        );
      },
    });
    // ---- kafka.server DelayedOperationPurgatory / DelayedFetchMetrics / DelayedProduceMetrics
    new Gauge({
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Operations parked in a purgatory (kafka.server:type=DelayedOperationPurgatory,name=PurgatorySize,delayedOperation=Fetch|Produce).',
      labelNames: ['delayedOperation'],
      registers,
      collect() {
        const rm = replicaManager();
        this.set({ delayedOperation: 'Fetch' }, rm?.fetchPurgatory.delayed ?? 0);
        this.set({ delayedOperation: 'Produce' }, rm?.producePurgatory.delayed ?? 0);
      },
    });
    new Counter({
      name: 'kafka_server_delayedfetchmetrics_expires_total',
      help: 'Parked fetches answered at their max wait (kafka.server:type=DelayedFetchMetrics,name=ExpiresPerSec,fetcherType=follower|consumer Count): under a steady load, one that expires waited while data came in.',
      labelNames: ['fetcherType'],
      registers,
      collect() {
        this.reset();
        const e = replicaManager()?.expirations;
        this.inc({ fetcherType: 'follower' }, e?.followerFetch ?? 0);
        this.inc({ fetcherType: 'consumer' }, e?.consumerFetch ?? 0);
      },
    });
    new Counter({
      name: 'kafka_server_delayedproducemetrics_expires_total',
      help: 'acks=all produces answered REQUEST_TIMED_OUT at their timeout (kafka.server:type=DelayedProduceMetrics,name=ExpiresPerSec Count).',
      registers,
      collect() {
        this.reset();
        this.inc(replicaManager()?.expirations.produce ?? 0);
      },
    });
    // ---- kafka.server ReplicaFetcherManager / FetcherLagMetrics / FetcherStats (the follower side)
    const fetchers = () => replicaManager()?.replicaFetcherManager.metrics() ?? [];
    new Gauge({
      name: 'kafka_server_replicafetchermanager_maxlag',
      help: "The largest lag in messages of a partition this broker follows (kafka.server:type=ReplicaFetcherManager,name=MaxLag,clientId=Replica): the leader's high watermark minus this replica's next offset at its last fetch.",
      labelNames: ['clientId'],
      registers,
      collect() {
        let max = 0;
        for (const f of fetchers()) for (const l of f.lags) if (l.lag > max) max = l.lag;
        this.set({ clientId: 'Replica' }, max);
      },
    });
    new Gauge({
      name: 'kafka_server_fetcherlagmetrics_consumerlag',
      help: 'Lag in messages of each partition this broker follows (kafka.server:type=FetcherLagMetrics,name=ConsumerLag,clientId=ReplicaFetcherThread-0-<leader>,topic=<t>,partition=<p>).',
      labelNames: ['clientId', 'topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const f of fetchers())
          for (const l of f.lags)
            this.set(
              { clientId: f.clientId, topic: l.topic, partition: String(l.partition) },
              l.lag,
            );
      },
    });
    const fetcherCounter = (name: string, mbean: string, field: 'requests' | 'bytes') =>
      new Counter({
        name: `kafka_server_fetcherstats_${name}_total`,
        help: `kafka.server:type=FetcherStats,name=${mbean},clientId=ReplicaFetcherThread-0-<leader> Count: of each replica fetcher thread of this broker.`,
        labelNames: ['clientId'],
        registers,
        collect() {
          this.reset();
          for (const f of fetchers())
            if (f[field] > 0) this.inc({ clientId: f.clientId }, f[field]);
        },
      });
    fetcherCounter('requests', 'RequestsPerSec', 'requests');
    fetcherCounter('bytes', 'BytesPerSec', 'bytes');
    new Counter({
      name: 'kzoo_replica_fetcher_backoffs_total',
      help: "kzoo (not Kafka's): partition fetches a replica fetcher thread put off by replica.fetch.backoff.ms after an error, a lost connection or its quota; under a steady load each holds the partition's high watermark that long.",
      labelNames: ['clientId'],
      registers,
      collect() {
        this.reset();
        for (const f of fetchers())
          if (f.backoffs > 0) this.inc({ clientId: f.clientId }, f.backoffs);
      },
    });
    // ---- kafka.server LeaderReplication / FollowerReplication (ReplicationQuotaManager)
    for (const side of ['leader', 'follower'] as const)
      new Gauge({
        name: `kafka_server_${side}replication_byte_rate`,
        help: `Replication bytes/s of throttled partitions as the ${side} quota measures them (kafka.server:type=${side === 'leader' ? 'Leader' : 'Follower'}Replication byte-rate).`,
        registers,
        collect() {
          this.set(b.dataPlane.replicationQuotas?.[side].rate() ?? 0);
        },
      });
    // ---- kafka.server Produce / Fetch / Request, user=<u>, client-id=<c> (ClientQuotaManager):
    // the quota sensor (Produce, Fetch: byte-rate; Request: request-time) and throttle-time,
    // per metric tags; and kafka.server:type=Request exempt-request-time.
    const quotaSensors = [
      ['produce', 'Produce', 'byte-rate', 'what the client quota measures (bytes/s)'],
      ['fetch', 'Fetch', 'byte-rate', 'what the client quota measures (bytes/s)'],
      [
        'request',
        'Request',
        'request-time',
        "the share of the broker's event loop the client's requests take (%; 100 = the whole loop)",
      ],
    ] as const;
    for (const [type, mbean, attribute, what] of quotaSensors) {
      const sensors = () => b.dataPlane.clientQuotas?.[type].sensorValues() ?? [];
      new Gauge({
        name: `kafka_server_${type}_${attribute.replace('-', '_')}`,
        help: `kafka.server:type=${mbean},user=<u>,client-id=<c> ${attribute}: ${what}.`,
        labelNames: ['user', 'client_id'],
        registers,
        collect() {
          this.reset();
          for (const s of sensors())
            this.set({ user: s.tags.user, client_id: s.tags.clientId }, s.rate);
        },
      });
      new Gauge({
        name: `kafka_server_${type}_throttle_time`,
        help: `kafka.server:type=${mbean},user=<u>,client-id=<c> throttle-time: the average throttle (ms) of the client's responses.`,
        labelNames: ['user', 'client_id'],
        registers,
        collect() {
          this.reset();
          for (const s of sensors())
            this.set({ user: s.tags.user, client_id: s.tags.clientId }, s.throttleTimeMs);
        },
      });
    }
    new Gauge({
      name: 'kafka_server_request_exempt_request_time',
      help: "kafka.server:type=Request exempt-request-time: the share of the broker's event loop (%) taken by requests exempt from request quotas (other brokers' requests).",
      registers,
      collect() {
        this.set(b.dataPlane.clientQuotas?.request.exemptRequestTime() ?? 0);
      },
    });
    new Counter({
      name: 'kafka_server_replicamanager_isrshrinks_total',
      help: 'ISR shrinks this broker proposed as leader (IsrShrinksPerSec Count).',
      registers,
      collect() {
        setCounter(this, replicaManager()?.isrStats.shrinks ?? 0);
      },
    });
    new Counter({
      name: 'kafka_server_replicamanager_isrexpands_total',
      help: 'ISR expands this broker proposed as leader (IsrExpandsPerSec Count).',
      registers,
      collect() {
        setCounter(this, replicaManager()?.isrStats.expands ?? 0);
      },
    });

    // ---- kafka.log Log, per partition replica on this broker
    const perLog = (name: string, mbean: string, read: (p: Partition) => number) =>
      new Gauge({
        name: `kafka_log_log_${name}`,
        help: `kafka.log:type=Log,name=${mbean},topic=<t>,partition=<p>: of each replica on this broker.`,
        labelNames: ['topic', 'partition'],
        registers,
        collect() {
          this.reset();
          for (const p of replicaManager()?.allPartitions() ?? [])
            this.set({ topic: p.topic, partition: String(p.partition) }, read(p));
        },
      });
    perLog('logendoffset', 'LogEndOffset', (p) => p.logEndOffset);
    perLog('logstartoffset', 'LogStartOffset', (p) => p.logStartOffset);

    // ---- kafka.server BrokerTopicMetrics (all topics: no label; per topic: topic="t")
    const stats = this.brokerTopicStats;
    const topicCounter = (
      name: string,
      mbean: string,
      field: 'bytesIn' | 'messagesIn' | 'bytesOut' | 'replicationBytesOut',
    ) =>
      new Counter({
        name: `kafka_server_brokertopicmetrics_${name}_total`,
        help: `kafka.server:type=BrokerTopicMetrics,name=${mbean} Count, for all topics and per topic.`,
        labelNames: ['topic'],
        registers,
        collect() {
          this.reset();
          if (stats.allTopics[field] > 0) this.inc(stats.allTopics[field]);
          for (const [topic, t] of stats.entries()) if (t[field] > 0) this.inc({ topic }, t[field]);
        },
      });
    topicCounter('bytesin', 'BytesInPerSec', 'bytesIn');
    topicCounter('messagesin', 'MessagesInPerSec', 'messagesIn');
    topicCounter('bytesout', 'BytesOutPerSec', 'bytesOut');
    topicCounter('replicationbytesout', 'ReplicationBytesOutPerSec', 'replicationBytesOut');

    // ---- kafka.server KafkaServer / ZooKeeper client
    new Gauge({
      name: 'kafka_server_kafkaserver_brokerstate',
      help: "Kafka's BrokerState value (3 = RunningAsBroker).",
      registers,
      collect() {
        this.set(BROKER_STATE_VALUE[b.state]);
      },
    });
    new Gauge({
      name: 'kafka_server_sessionexpirelistener_sessionstate',
      help: "The ZooKeeper session's state (SessionState): 1 for the current state.",
      labelNames: ['state'],
      registers,
      collect() {
        let current: string = 'CLOSED';
        try {
          current = sessionStateName(b.zkClient.sessionState);
        } catch {
          // not started
        }
        for (const s of SESSION_STATES) this.set({ state: s }, s === current ? 1 : 0);
      },
    });
    this.zkExpires = new Counter({
      name: 'kafka_server_sessionexpirelistener_zookeeperexpires_total',
      help: 'ZooKeeper session expiries (ZooKeeperExpiresPerSec Count).',
      registers,
    });
    this.zkRequestLatencyMs = new Summary({
      name: 'kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms',
      help: 'ZooKeeper request latency in ms (kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs).',
      percentiles: PERCENTILES,
      registers,
    });

    // ---- kafka.controller
    new Gauge({
      name: 'kafka_controller_kafkacontroller_activecontrollercount',
      help: '1 on the active controller, 0 elsewhere (ActiveControllerCount).',
      registers,
      collect() {
        this.set(activeController() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_offlinepartitionscount',
      help: 'Partitions without a live leader, on the active controller (OfflinePartitionsCount).',
      registers,
      collect() {
        const c = activeController();
        if (!c) return this.set(0);
        const ctx = c.partitions.context;
        let n = 0;
        for (const tp of ctx.allPartitions()) {
          if (ctx.topicsToBeDeleted.has(tp.topic)) continue;
          const l = ctx.leadership(tp);
          if (!l || l.leader < 0 || !ctx.isReplicaOnline(l.leader)) n++;
        }
        this.set(n);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_globalpartitioncount',
      help: 'Partitions in the cluster, on the active controller (GlobalPartitionCount).',
      registers,
      collect() {
        this.set(activeController()?.partitions.context.allPartitions().length ?? 0);
      },
    });
    new Gauge({
      name: 'kafka_controller_kafkacontroller_globaltopiccount',
      help: 'Topics in the cluster, on the active controller (GlobalTopicCount).',
      registers,
      collect() {
        this.set(activeController()?.partitions.context.allTopics.size ?? 0);
      },
    });
    new Counter({
      name: 'kafka_controller_controllerstats_uncleanleaderelections_total',
      help: 'Unclean leader elections made by this broker as controller (UncleanLeaderElectionsPerSec Count).',
      registers,
      collect() {
        let n = 0;
        try {
          n = b.controller.electionStats.uncleanLeaderElections;
        } catch {
          // not started
        }
        setCounter(this, n);
      },
    });
    this.leaderElectionRateAndTimeMs = new Summary({
      name: 'kafka_controller_controllerstats_leaderelectionrateandtimems',
      help: "Time the controller took for a broker change, its elections included, in ms (Kafka's BrokerChange timer LeaderElectionRateAndTimeMs).",
      percentiles: PERCENTILES,
      registers,
    });

    // ---- kafka.network RequestMetrics
    this.totalTimeMs = new RequestTimeHistogram(
      'kafka_network_requestmetrics_totaltimems',
      'Time from a request read to its response, in ms, per request (TotalTimeMs).',
      REQUEST_BUCKETS_MS,
    );
    this.registry.registerMetric(this.totalTimeMs as unknown as Metric);
    const requestCounts = this.requestCounts;
    new Counter({
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests, per request and version (RequestsPerSec Count).',
      labelNames: ['request', 'version'],
      registers,
      collect() {
        this.reset();
        for (const [key, n] of requestCounts) {
          const i = key.lastIndexOf(':');
          this.inc({ request: key.slice(0, i), version: key.slice(i + 1) }, n);
        }
      },
    });
  }

  /** The bound port of /metrics, or -1 when off. */
  get port(): number {
    return this._port;
  }

  /** Wraps the request handler to time every request (TotalTimeMs) and count it. */
  instrument(handler: RequestHandler): RequestHandler {
    return (ctx) => {
      const start = this.time.nanoseconds();
      const request = requestName(ctx);
      const key = `${request}:${ctx.header.apiVersion}`;
      this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
      const done = () =>
        this.totalTimeMs.observe(request, Number(this.time.nanoseconds() - start) / 1e6);
      let result: unknown;
      try {
        result = handler(ctx);
      } catch (e) {
        done();
        throw e;
      }
      if (result !== null && typeof result === 'object' && 'then' in result) {
        (result as Promise<unknown>).then(done, done);
      } else done();
      return result;
    };
  }

  /** Text exposition of every metric (what GET /metrics answers). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  async startup(broker: Broker): Promise<void> {
    this.log = this.log.child({ broker: broker.brokerId });
    this.unsubscribe.push(
      broker.zkClient.onRequestLatency((e) => this.zkRequestLatencyMs.observe(e.latencyMs)),
    );
    const onExpired = () => this.zkExpires.inc();
    broker.zkClient.onSessionEvent('expired', onExpired);
    this.unsubscribe.push(() => broker.zkClient.offSessionEvent('expired', onExpired));
    const port = broker.config.getInt('kzoo.metrics.port');
    if (port <= 0) return;
    // The process's own metrics (process_*, nodejs_*) only with an endpoint: they watch
    // GC and the event loop, which in-process test brokers need not pay for.
    collectDefaultMetrics({ register: this.registry });
    // One collect now, before the request path is hot. prom-client's first collect adds a
    // fraction to a counter's `{ value: 0 }` (the process CPU seconds), which makes that
    // object field no longer constant for V8; V8 then throws away the optimized code of
    // every function compiled on the assumption, here the whole produce, replicate and
    // fetch path. Left to the first scrape, that happened under load: each broker ran
    // its hot path unoptimized for 1-3 s while it recompiled (rf3-probe, RF=3 acks=all).
    await this.registry.metrics();
    const host = broker.config.getString('kzoo.metrics.host') ?? '127.0.0.1';
    const server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
        return;
      }
      this.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new Error(`kzoo.metrics.port: cannot listen on ${host}:${port}: ${e.message}`)),
      );
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this._port = (server.address() as AddressInfo).port;
    this.log.info('metrics endpoint', { url: `http://${host}:${this._port}/metrics` });
  }

  async ready(broker: Broker): Promise<void> {
    const controller = broker.controller;
    const onEvent = (e: { type: string; durationMs: number }) => {
      // Only the active controller handles broker changes (Kafka registers the handler there).
      if (e.type === 'BrokerChange' && controller.isActive())
        this.leaderElectionRateAndTimeMs.observe(e.durationMs);
    };
    controller.on('eventProcessed', onEvent);
    this.unsubscribe.push(() => controller.off('eventProcessed', onEvent));
  }

  async shutdown(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A counter read from a running count: set to that count on scrape. */
function setCounter(c: Counter, value: number): void {
  c.reset();
  if (value > 0) c.inc(value);
}
