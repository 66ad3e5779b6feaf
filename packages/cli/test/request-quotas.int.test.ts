// Request quotas (KIP-124) end to end, with broker processes on the real ZooKeeper:
// `kzoo configs` sets request_percentage (Kafka's znodes and notifications), every broker
// applies it live, measures the share of its event loop each client's requests take, and
// over the quota answers with throttle_time_ms and mutes the connection (KIP-219). A kzoo
// client and kafkajs (Kafka listener) sending requests back to back are held to the
// quota; a client without one runs at full speed; replica fetches are exempt. The
// brokers run with quota.window.num=3 (a 2 s minimum window instead of Kafka's 10 s).
// Needs `npx tsc -b` first.
import { randomBytes } from 'node:crypto';
import { ApiKeys, Connection } from '@kzoo/protocol';
import { freePorts, runCli, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';

jest.setTimeout(240000);

const name = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const WINDOWS = { 'quota.window.num': '3' };
/** request_percentage: 0.2 % of the loop, 2 ms a second. */
const PERCENT = 0.2;

/** A cluster of `brokers` processes, each serving /metrics; a topic of that replication factor. */
async function startCluster(brokers: number) {
  const c = await TestCluster.start({ brokers: [], extraConfig: WINDOWS });
  const metricsPorts = await freePorts(brokers);
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  await Promise.all(
    ids.map((id) => c.startBroker(id, { 'kzoo.metrics.port': metricsPorts[id - 1]! })),
  );
  await c.waitForMetadata();
  const bootstrap = `127.0.0.1:${c.broker(1).port}`;
  const topic = name('rq');
  const created = await runCli([
    'topic',
    'create',
    topic,
    '--replication-factor',
    String(brokers),
    '--bootstrap-server',
    bootstrap,
  ]);
  expect(created.code).toBe(0);
  const configs = (...args: string[]) =>
    runCli(['configs', ...args, '--bootstrap-server', bootstrap]);
  /** `kzoo configs --alter` of one client id's quotas (`--add-config k=v` / `--delete-config k`). */
  const alterClient = (client: string, op: '--add-config' | '--delete-config', config: string) =>
    configs('--alter', '--entity-type', 'clients', '--entity-name', client, op, config);
  return { c, bootstrap, topic, metricsPorts, configs, alterClient };
}

/** Every series `name{labels} value` of a broker's /metrics, by series. */
async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function znode(c: TestCluster, p: string): Promise<string | undefined> {
  return (await c.zkClient.getDataAndStat(p))?.data?.toString();
}

interface Load {
  requests: number;
  perSecond: number;
  /** Responses with throttleTimeMs > 0. */
  throttled: number;
  maxThrottleMs: number;
}

/**
 * Metadata requests back to back for `ms`, as `clientId` on one native connection (kzoo's
 * client waits out each throttle before sending again, KIP-219).
 */
async function hammer(port: number, clientId: string, topic: string, ms: number): Promise<Load> {
  const conn = await Connection.connect({ host: '127.0.0.1', port, clientId });
  try {
    const load: Load = { requests: 0, perSecond: 0, throttled: 0, maxThrottleMs: 0 };
    const start = Date.now();
    while (Date.now() - start < ms) {
      const r = await conn.request(ApiKeys.Metadata, 1, {
        topics: [{ name: topic }],
        allowAutoTopicCreation: false,
      });
      load.requests++;
      if (r.throttleTimeMs > 0) load.throttled++;
      load.maxThrottleMs = Math.max(load.maxThrottleMs, r.throttleTimeMs);
    }
    load.perSecond = load.requests / ((Date.now() - start) / 1000);
    return load;
  } finally {
    await conn.close();
  }
}

const fmt = (l: Load) =>
  `${l.perSecond.toFixed(0)} req/s (${l.throttled}/${l.requests} throttled, max ${l.maxThrottleMs} ms)`;

describe('cli > request quotas (processes)', () => {
  it('request_percentage set with kzoo configs throttles a busy kzoo client (throttle_time_ms > 0, its request rate falls); a client without a quota is not', async () => {
    const { c, topic, metricsPorts, alterClient } = await startCluster(1);
    const port = c.broker(1).port;
    const busy = name('busy');
    const other = name('other');

    const free = await hammer(port, busy, topic, 2000);
    expect(free.throttled).toBe(0);

    expect(await alterClient(busy, '--add-config', `request_percentage=${PERCENT}`)).toMatchObject({
      code: 0,
      stdout: `Completed updating config for client ${busy}.\n`,
    });
    expect(await znode(c, `/config/clients/${busy}`)).toBe(
      `{"version":1,"config":{"request_percentage":"${PERCENT}"}}`,
    );
    await waitFor(
      'the broker throttles the client',
      async () => (await hammer(port, busy, topic, 300)).throttled > 0,
      { timeoutMs: 30000 },
    );

    const [limited, unlimited] = await Promise.all([
      hammer(port, busy, topic, 4000),
      hammer(port, other, topic, 4000),
    ]);
    const m = await scrape(metricsPorts[0]!);
    const series = (metric: string, clientId: string) =>
      m.get(`kafka_server_request_${metric}{user="",client_id="${clientId}"}`);
    const busyTime = series('request_time', busy);
    const otherTime = series('request_time', other);
    console.log(
      `kzoo client: ${fmt(free)} free; under request_percentage=${PERCENT}: ${fmt(limited)}, ` +
        `broker request-time ${busyTime?.toFixed(2)} %, throttle-time ${series('throttle_time', busy)?.toFixed(0)} ms; ` +
        `meanwhile a client without a quota: ${fmt(unlimited)}, request-time ${otherTime?.toFixed(2)} %`,
    );
    expect(limited.throttled).toBeGreaterThan(0);
    expect(limited.maxThrottleMs).toBeLessThanOrEqual(1000); // one quota window at most
    expect(limited.perSecond).toBeLessThan(free.perSecond / 3);
    expect(unlimited.throttled).toBe(0);
    expect(unlimited.perSecond).toBeGreaterThan(limited.perSecond * 3);
    // Kafka's kafka.server:type=Request,user=,client-id=<c> request-time and throttle-time
    expect(busyTime).toBeGreaterThan(0);
    expect(busyTime).toBeLessThan(PERCENT * 3);
    expect(otherTime).toBeGreaterThan(busyTime!);
    expect(series('throttle_time', busy)).toBeGreaterThan(0);
    expect(series('throttle_time', other)).toBe(0);

    expect(await alterClient(busy, '--delete-config', 'request_percentage')).toMatchObject({
      code: 0,
    });
    await waitFor(
      'the quota is gone',
      async () => (await hammer(port, busy, topic, 300)).throttled === 0,
      { timeoutMs: 30000 },
    );
    const again = await hammer(port, busy, topic, 2000);
    console.log(`kzoo client after removal: ${fmt(again)}`);
    expect(again.throttled).toBe(0);
    expect(again.perSecond).toBeGreaterThan(limited.perSecond * 3);
  });

  it('kafkajs (Kafka listener) under a <default> client request_percentage gets throttle_time_ms and slows down; replica fetches are exempt', async () => {
    const { c, topic, metricsPorts, configs } = await startCluster(2);
    const throttleLogs: number[] = [];
    const kafka = new Kafka({
      clientId: name('kafkajs'),
      brokers: c.kafkaBootstrap(),
      logLevel: logLevel.DEBUG,
      // kafkajs logs each response's client-side throttle (KIP-219) at debug level
      logCreator:
        () =>
        ({ log }: LogEntry) => {
          const hit = /^Client side throttling in effect for (\d+)ms/.exec(log.message);
          if (hit) throttleLogs.push(Number(hit[1]));
        },
    });
    const admin = kafka.admin();
    await admin.connect();
    onCleanup(() => admin.disconnect());
    await waitFor(
      'both replicas in sync',
      async () =>
        (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions[0]!.isr
          .length === 2,
      { timeoutMs: 30000 },
    );
    /** Metadata requests through kafkajs' admin, back to back for `ms`: per second. */
    const metadataRate = async (ms: number) => {
      let n = 0;
      const start = Date.now();
      while (Date.now() - start < ms) {
        await admin.fetchTopicMetadata({ topics: [topic] });
        n++;
      }
      return n / ((Date.now() - start) / 1000);
    };

    const free = await metadataRate(2000);
    expect(throttleLogs).toEqual([]);
    expect(
      await configs(
        '--alter',
        '--entity-type',
        'clients',
        '--entity-default',
        '--add-config',
        `request_percentage=${PERCENT}`,
      ),
    ).toMatchObject({ code: 0 });
    await waitFor('kafkajs is throttled', async () => {
      await metadataRate(200);
      return throttleLogs.length > 0;
    });
    const limited = await metadataRate(4000);
    console.log(
      `kafkajs admin Metadata: ${free.toFixed(0)} req/s free, ${limited.toFixed(0)} req/s under a <default> request_percentage=${PERCENT} ` +
        `(${throttleLogs.length} responses with throttle_time_ms > 0, max ${Math.max(...throttleLogs)} ms)`,
    );
    expect(limited).toBeLessThan(free / 3);
    expect(Math.max(...throttleLogs)).toBeLessThanOrEqual(1000);

    // The follower's fetches (client id broker-<id>-fetcher-<leader>) fall under the
    // <default> client quota but are exempt: no request-time of theirs, exempt-request-time > 0.
    const [m1, m2] = await Promise.all(metricsPorts.map((p) => scrape(p)));
    const exempt = [m1!, m2!].map((m) => m.get('kafka_server_request_exempt_request_time')!);
    const fetcherSeries = [m1!, m2!].flatMap((m) =>
      [...m.keys()].filter((k) => k.includes('client_id="broker-')),
    );
    console.log(`exempt-request-time: broker 1 ${exempt[0]} %, broker 2 ${exempt[1]} %`);
    expect(exempt[0]! + exempt[1]!).toBeGreaterThan(0);
    expect(fetcherSeries).toEqual([]);
  });
});
