// Client quotas end to end, with broker processes on the real ZooKeeper: `kzoo configs`
// sets producer_byte_rate / consumer_byte_rate (Kafka's znodes and notifications), every
// broker applies them live, responses carry throttle_time_ms and the connection is muted
// (KIP-219); kzoo's producer, kafkajs and kcat are held to the quota, and run at full speed
// again once it is removed. Describe/AlterClientQuotas through the kzoo Admin. The brokers
// run with quota.window.num=3 (a 2 s minimum window instead of Kafka's 10 s), so a few
// seconds of traffic show the quota rather than the first window's allowance.
// Needs `npx tsc -b` first.
import { randomBytes } from 'node:crypto';
import { Admin, Producer } from '@kzoo/client';
import { KafkaError } from '@kzoo/common';
import { ApiKeys, Connection } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { freePorts, requireKcat, runCli, runKcat, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { Kafka, logLevel } from 'kafkajs';

jest.setTimeout(240000);

const name = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const KIB = 1024;
const QUOTA = 100 * KIB;
const WINDOWS = { 'quota.window.num': '3' };
const VALUE = Buffer.alloc(10 * KIB, 'q');

async function startCluster(
  extraConfig: Record<string, string | number> = {},
): Promise<{ c: TestCluster; bootstrap: string; topic: string }> {
  const c = await TestCluster.start({ brokers: 1, extraConfig: { ...WINDOWS, ...extraConfig } });
  const bootstrap = `127.0.0.1:${c.broker(1).port}`;
  const topic = name('quota');
  expect((await runCli(['topic', 'create', topic, '--bootstrap-server', bootstrap])).code).toBe(0);
  return { c, bootstrap, topic };
}

/** The broker's Prometheus series `name{labels}` (as printed) and its value. */
async function metric(port: number, series: string): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const line = (await res.text()).split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function znode(c: TestCluster, p: string): Promise<string | undefined> {
  return (await c.zkClient.getDataAndStat(p))?.data?.toString();
}

async function logEndOffset(bootstrap: string, topic: string): Promise<number> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    const [o] = await admin.listOffsets([{ topic, partition: 0 }], 'latest');
    return o!.offset;
  } finally {
    await admin.close();
  }
}

/**
 * What `send` (one call: `n` records of VALUE) achieves in `ms`, judged by the bytes that
 * reached the log: record bytes per second.
 */
async function measure(
  bootstrap: string,
  topic: string,
  ms: number,
  send: () => Promise<number>,
): Promise<number> {
  const before = await logEndOffset(bootstrap, topic);
  const start = Date.now();
  while (Date.now() - start < ms) await send();
  const elapsed = (Date.now() - start) / 1000;
  const records = (await logEndOffset(bootstrap, topic)) - before;
  return (records * VALUE.length) / elapsed;
}

function kzooSender(p: Producer, topic: string): () => Promise<number> {
  const batch = Array.from({ length: 4 }, () => ({ value: VALUE }));
  return async () => (await p.send(topic, batch)).length;
}

/**
 * The throttle time a Produce of 150 KiB as `clientId` is answered with (native
 * protocol): under a 100 KiB/s quota (2 s minimum window) the second of two in a row is
 * always > 0; without a quota it is always 0. (A batch must stay below quota × window,
 * 200 KiB here, or a throttled consumer could never fetch it — as in Kafka.)
 */
async function probeThrottle(port: number, clientId: string, topic: string): Promise<number> {
  const conn = await Connection.connect({ host: '127.0.0.1', port, clientId });
  try {
    const records = buildRecordBatch({
      records: Array.from({ length: 15 }, () => ({ value: VALUE })),
    });
    const res = await conn.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10000,
      topics: [{ name: topic, partitions: [{ index: 0, records }] }],
    });
    expect(res.topics[0]!.partitions[0]!.errorCode).toBe(0);
    return res.throttleTimeMs;
  } finally {
    await conn.close();
  }
}

describe('cli > client quotas (processes)', () => {
  it('producer_byte_rate set with kzoo configs holds the kzoo producer to the quota; removed, full speed again', async () => {
    const [metricsPort] = await freePorts(1);
    const { c, bootstrap, topic } = await startCluster({ 'kzoo.metrics.port': metricsPort! });
    const cid = name('app');
    const configs = (...args: string[]) =>
      runCli(['configs', ...args, '--bootstrap-server', bootstrap]);
    const p = new Producer({
      'bootstrap.servers': bootstrap,
      'client.id': cid,
      acks: '1',
      'linger.ms': 0,
    });
    onCleanup(() => p.close());
    const send = kzooSender(p, topic);

    const free = await measure(bootstrap, topic, 3000, send);

    expect(
      await configs(
        '--alter',
        '--entity-type',
        'clients',
        '--entity-name',
        cid,
        '--add-config',
        `producer_byte_rate=${QUOTA}`,
      ),
    ).toMatchObject({ code: 0, stdout: `Completed updating config for client ${cid}.\n` });
    expect(await znode(c, `/config/clients/${cid}`)).toBe(
      `{"version":1,"config":{"producer_byte_rate":"${QUOTA}"}}`,
    );
    const changes = await c.zkClient.getConfigChangeNotifications();
    const paths = await Promise.all(
      changes.map(async (n) => (await c.zkClient.getConfigChangeNotification(n))?.entityPath),
    );
    expect(paths).toContain(`clients/${cid}`);
    expect(
      await configs('--describe', '--entity-type', 'clients', '--entity-name', cid),
    ).toMatchObject({
      code: 0,
      stdout: `Quota configs for client-id '${cid}' are producer_byte_rate=102400.0\n`,
    });
    await waitFor(
      'the broker throttles the client',
      async () => (await probeThrottle(c.broker(1).port, cid, topic)) > 0,
      { timeoutMs: 30000 },
    );

    const limited = await measure(bootstrap, topic, 6000, send);
    // the quota's sensor, as Kafka's kafka.server:type=Produce,user=,client-id=<cid> MBean
    const series = `{user="",client_id="${cid}"}`;
    const byteRate = await metric(metricsPort!, `kafka_server_produce_byte_rate${series}`);
    const throttleTime = await metric(metricsPort!, `kafka_server_produce_throttle_time${series}`);
    expect(byteRate).toBeGreaterThan(0);
    expect(byteRate).toBeLessThan(QUOTA * 2);
    expect(throttleTime).toBeGreaterThan(0);

    expect(
      await configs(
        '--alter',
        '--entity-type',
        'clients',
        '--entity-name',
        cid,
        '--delete-config',
        'producer_byte_rate',
      ),
    ).toMatchObject({ code: 0 });
    await waitFor(
      'the quota is gone (two probes in a row unthrottled)',
      async () =>
        (await probeThrottle(c.broker(1).port, cid, topic)) === 0 &&
        (await probeThrottle(c.broker(1).port, cid, topic)) === 0,
      { timeoutMs: 30000 },
    );
    const again = await measure(bootstrap, topic, 3000, send);
    console.log(
      `kzoo producer: ${(free / KIB).toFixed(0)} KiB/s free, ${(limited / KIB).toFixed(0)} KiB/s under producer_byte_rate=100 KiB/s (broker byte-rate ${(byteRate! / KIB).toFixed(0)} KiB/s, throttle-time ${throttleTime!.toFixed(0)} ms), ${(again / KIB).toFixed(0)} KiB/s after removal`,
    );
    expect(limited).toBeLessThan(QUOTA * 2);
    expect(limited).toBeGreaterThan(QUOTA * 0.3);
    expect(free).toBeGreaterThan(QUOTA * 4);
    expect(again).toBeGreaterThan(QUOTA * 4);
  });

  it('kafkajs (Kafka listener) under a <default> client quota waits out throttle_time_ms; kcat under consumer_byte_rate', async () => {
    const { c, bootstrap, topic } = await startCluster();
    const configs = (...args: string[]) =>
      runCli(['configs', ...args, '--bootstrap-server', bootstrap]);
    expect(
      await configs(
        '--alter',
        '--entity-type',
        'clients',
        '--entity-default',
        '--add-config',
        `producer_byte_rate=${QUOTA},consumer_byte_rate=${QUOTA}`,
      ),
    ).toMatchObject({
      code: 0,
      stdout: 'Completed updating default config for clients in the cluster.\n',
    });
    expect(await znode(c, '/config/clients/<default>')).toBe(
      `{"version":1,"config":{"producer_byte_rate":"${QUOTA}","consumer_byte_rate":"${QUOTA}"}}`,
    );
    const kjs = name('kafkajs');
    await waitFor(
      'the broker throttles every client',
      async () => (await probeThrottle(c.broker(1).port, kjs, topic)) > 0,
      { timeoutMs: 30000 },
    );
    const kafka = new Kafka({
      clientId: kjs,
      brokers: c.kafkaBootstrap(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    onCleanup(() => producer.disconnect());
    const messages = Array.from({ length: 4 }, () => ({ value: VALUE }));
    const rate = await measure(bootstrap, topic, 6000, async () => {
      await producer.send({ topic, acks: 1, messages });
      return messages.length;
    });
    console.log(
      `kafkajs producer under producer_byte_rate=100 KiB/s: ${(rate / KIB).toFixed(0)} KiB/s`,
    );
    expect(rate).toBeLessThan(QUOTA * 2);
    expect(rate).toBeGreaterThan(QUOTA * 0.3);

    // kcat reads what is there as a throttled consumer: the rate stays under the quota too.
    requireKcat();
    const count = await logEndOffset(bootstrap, topic);
    const started = Date.now();
    const r = await runKcat(
      [
        '-C',
        '-b',
        c.kafkaBootstrap().join(','),
        '-t',
        topic,
        '-o',
        'beginning',
        '-c',
        String(count),
        '-e',
        '-q',
        '-f',
        '%o\n',
        '-X',
        `client.id=${name('kcat')}`,
      ],
      { timeoutMs: 180000 },
    );
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).toBe(0);
    const read = r.stdout.split('\n').filter(Boolean).length;
    expect(read).toBe(count);
    const consumed = (read * VALUE.length) / seconds;
    console.log(
      `kcat consumer under consumer_byte_rate=100 KiB/s: ${read} records in ${seconds.toFixed(1)} s, ${(consumed / KIB).toFixed(0)} KiB/s`,
    );
    expect(consumed).toBeLessThan(QUOTA * 2);
  });

  it('users and <default> entities, Describe/AlterClientQuotas through the Admin, kafka-configs’ refusals', async () => {
    const { c, bootstrap } = await startCluster();
    const configs = (...args: string[]) =>
      runCli(['configs', ...args, '--bootstrap-server', bootstrap]);
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    onCleanup(() => admin.close());
    const cid = name('app x'); // a space: sanitized to %20 in the znode path

    expect(
      await configs(
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        'ANONYMOUS',
        '--entity-type',
        'clients',
        '--entity-name',
        cid,
        '--add-config',
        'consumer_byte_rate=2048,request_percentage=50.5',
      ),
    ).toMatchObject({ code: 0, stdout: 'Completed updating config for user ANONYMOUS.\n' });
    const sanitized = cid.replace(' ', '%20');
    expect(await znode(c, `/config/users/ANONYMOUS/clients/${sanitized}`)).toBe(
      '{"version":1,"config":{"consumer_byte_rate":"2048","request_percentage":"50.5"}}',
    );
    expect(
      await configs('--alter', '--user-defaults', '--add-config', 'producer_byte_rate=4096'),
    ).toMatchObject({
      code: 0,
      stdout: 'Completed updating default config for users in the cluster.\n',
    });
    expect(await znode(c, '/config/users/<default>')).toBe(
      '{"version":1,"config":{"producer_byte_rate":"4096"}}',
    );
    await admin.alterClientQuotas([
      { entity: { 'client-id': null }, ops: [{ key: 'producer_byte_rate', value: 1000 }] },
    ]);
    expect(await znode(c, '/config/clients/<default>')).toBe(
      '{"version":1,"config":{"producer_byte_rate":"1000"}}',
    );

    const all = await admin.describeClientQuotas({ components: [] });
    expect(all).toEqual(
      expect.arrayContaining([
        { entity: { user: null }, values: { producer_byte_rate: 4096 } },
        { entity: { 'client-id': null }, values: { producer_byte_rate: 1000 } },
        {
          entity: { user: 'ANONYMOUS', 'client-id': cid },
          values: { consumer_byte_rate: 2048, request_percentage: 50.5 },
        },
      ]),
    );
    expect(all).toHaveLength(3);
    // strict: only entities made of exactly the components named
    expect(
      await admin.describeClientQuotas({
        components: [{ entityType: 'user' }],
        strict: true,
      }),
    ).toEqual([{ entity: { user: null }, values: { producer_byte_rate: 4096 } }]);
    expect(
      await admin.describeClientQuotas({
        components: [{ entityType: 'client-id', match: cid }],
      }),
    ).toEqual([
      {
        entity: { user: 'ANONYMOUS', 'client-id': cid },
        values: { consumer_byte_rate: 2048, request_percentage: 50.5 },
      },
    ]);
    expect(await configs('--describe', '--user', 'ANONYMOUS', '--client', cid)).toMatchObject({
      code: 0,
      stdout: `Quota configs for user-principal 'ANONYMOUS', client-id '${cid}' are consumer_byte_rate=2048.0, request_percentage=50.5\n`,
    });

    // Refusals, in Kafka's words.
    await expect(
      admin.alterClientQuotas([
        { entity: { 'client-id': 'x' }, ops: [{ key: 'retention.ms', value: 1 }] },
      ]),
    ).rejects.toThrow(/INVALID_REQUEST: .*Invalid configuration key retention.ms/);
    await expect(
      admin.alterClientQuotas([
        { entity: { 'client-id': 'x' }, ops: [{ key: 'producer_byte_rate', value: 1.5 }] },
      ]),
    ).rejects.toThrow(/Configuration producer_byte_rate must be a LONG value/);
    await expect(admin.alterClientQuotas([{ entity: {}, ops: [] }])).rejects.toThrow(
      /Invalid empty client quota entity/,
    );
    await expect(
      admin.describeClientQuotas({ components: [{ entityType: 'user' }, { entityType: 'user' }] }),
    ).rejects.toThrow(KafkaError);
    /** `kzoo configs --alter` of client-id x, with `change` (--add-config/--delete-config ...) */
    const alterX = (...change: string[]) =>
      configs('--alter', '--entity-type', 'clients', '--entity-name', 'x', ...change);
    expect(await alterX('--add-config', 'retention.ms=1')).toMatchObject({
      code: 1,
      stderr:
        "kzoo: Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: Set(retention.ms)\n",
    });
    expect(await alterX('--delete-config', 'producer_byte_rate')).toMatchObject({
      code: 1,
      stderr: 'kzoo: Invalid config(s): producer_byte_rate\n',
    });
    expect(await alterX('--add-config', 'producer_byte_rate=lots')).toMatchObject({
      code: 1,
      stderr: 'kzoo: Cannot parse quota configuration value for producer_byte_rate: lots\n',
    });
  });
});
