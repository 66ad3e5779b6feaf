// `kzoo configs` as real processes against broker processes on the real ZooKeeper: a topic
// override and dynamic broker configs (per broker and cluster-wide) reach the running
// brokers without a restart, with Kafka's znodes; kafkajs' admin sees and alters BROKER
// resources through the Kafka listener. Needs `npx tsc -b` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Producer } from '@kzoo/client';
import { runCli, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';

jest.setTimeout(180000);

const name = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

/** The `.log` segment files of a partition in a broker's data dir. */
function segments(dataDir: string, topic: string, partition = 0): string[] {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
}

/** Enough records in small segments (segment.bytes on the topic) for several of them. */
async function fill(bootstrap: string, topic: string): Promise<void> {
  const p = new Producer({ 'bootstrap.servers': bootstrap, acks: '1', 'linger.ms': 0 });
  try {
    for (let i = 0; i < 20; i++) await p.send(topic, [{ value: `record-${i}`.padEnd(200, '.') }]);
  } finally {
    await p.close();
  }
}

/** The notifications under /config/changes naming `entityPath`, with their data. */
async function notifications(c: TestCluster, entityPath: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of await c.zkClient.getConfigChangeNotifications()) {
    const got = await c.zkClient.getConfigChangeNotification(n);
    if (got?.entityPath === entityPath) out.push(n);
  }
  return out;
}

async function znode(c: TestCluster, p: string): Promise<string | undefined> {
  return (await c.zkClient.getDataAndStat(p))?.data?.toString();
}

const FAST_RETENTION = { 'log.retention.check.interval.ms': '300' };

describe('cli > kzoo configs (processes)', () => {
  it('--alter --add-config retention.ms=1000 on a live topic: old segments go within seconds, no restart; Kafka’s notification znode', async () => {
    const c = await TestCluster.start({ brokers: 1, extraConfig: FAST_RETENTION });
    const b = ['--bootstrap-server', `127.0.0.1:${c.broker(1).port}`];
    const topic = name('retention');
    expect(
      (await runCli(['topic', 'create', topic, '--config', 'segment.bytes=1024', ...b])).code,
    ).toBe(0);
    await fill(`127.0.0.1:${c.broker(1).port}`, topic);
    const before = segments(c.broker(1).dataDir, topic);
    expect(before.length).toBeGreaterThanOrEqual(3);

    const started = Date.now();
    const alter = await runCli([
      'configs',
      '--alter',
      '--entity-type',
      'topics',
      '--entity-name',
      topic,
      '--add-config',
      'retention.ms=1000',
      ...b,
    ]);
    expect(alter).toMatchObject({
      code: 0,
      stdout: `Completed updating config for topic ${topic}.\n`,
    });
    expect(await znode(c, `/config/topics/${topic}`)).toBe(
      '{"version":1,"config":{"segment.bytes":"1024","retention.ms":"1000"}}',
    );
    const [n] = await notifications(c, `topics/${topic}`);
    expect(n).toMatch(/^config_change_\d{10}$/);
    expect(await znode(c, `/config/changes/${n}`)).toBe(
      `{"version":2,"entity_path":"topics/${topic}"}`,
    );
    // Every closed segment is older than 1 s soon: only the active one stays.
    await waitFor('old segments deleted', () => segments(c.broker(1).dataDir, topic).length === 1, {
      timeoutMs: 30000,
    });
    console.log(
      `retention.ms=1000 deleted ${before.length - 1} segments in ${Date.now() - started} ms`,
    );
    expect(segments(c.broker(1).dataDir, topic)).not.toContain(before[0]);
    expect(c.broker(1).running).toBe(true);
    expect(c.broker(1).stdout).toMatch(/registered at/);
    expect(c.broker(1).stdout.match(/registered at/g)).toHaveLength(1); // never restarted
  });

  it('dynamic broker configs: --entity-default and --entity-name, Kafka’s znodes, applied live, described with their source, refused when not dynamic', async () => {
    const c = await TestCluster.start({ brokers: 2, extraConfig: FAST_RETENTION });
    const b = ['--bootstrap-server', `127.0.0.1:${c.broker(1).port},127.0.0.1:${c.broker(2).port}`];
    const configs = (...args: string[]) => runCli(['configs', ...args, ...b]);
    const topic = name('dyn');
    expect(
      (
        await runCli([
          'topic',
          'create',
          topic,
          '--partitions',
          '2',
          '--replication-factor',
          '2',
          '--config',
          'segment.bytes=1024',
          ...b,
        ])
      ).code,
    ).toBe(0);
    await fill(`127.0.0.1:${c.broker(1).port}`, topic);
    const dirs = [c.broker(1).dataDir, c.broker(2).dataDir];
    await waitFor('both replicas hold several segments', () =>
      dirs.every((d) => segments(d, topic, 0).length + segments(d, topic, 1).length >= 3),
    );

    // Cluster-wide: /config/brokers/<default> and brokers/<default>; both brokers delete.
    const def = await configs(
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-default',
      '--add-config',
      'log.retention.ms=1000',
    );
    expect(def).toMatchObject({
      code: 0,
      stdout: 'Completed updating default config for brokers in the cluster.\n',
    });
    expect(await znode(c, '/config/brokers/<default>')).toBe(
      '{"version":1,"config":{"log.retention.ms":"1000"}}',
    );
    const [n] = await notifications(c, 'brokers/<default>');
    expect(await znode(c, `/config/changes/${n}`)).toBe(
      '{"version":2,"entity_path":"brokers/<default>"}',
    );
    await waitFor(
      'both brokers deleted the old segments under the cluster-wide retention',
      () => {
        const left = dirs.map((d) => [...segments(d, topic, 0), ...segments(d, topic, 1)]);
        if (left.every((l) => l.length === 2)) return true;
        // on a timeout, the message says what each broker still holds
        throw new Error(
          `segments left: broker 1 ${left[0].join(' ')}; broker 2 ${left[1].join(' ')}`,
        );
      },
      { timeoutMs: 30000 },
    );
    const described = await configs('--describe', '--entity-type', 'brokers', '--entity-default');
    expect(described.stdout).toBe(
      'Default configs for brokers in the cluster are:\n' +
        '  log.retention.ms=1000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=1000}\n',
    );

    // Per broker: /config/brokers/2 wins over the default on broker 2 only.
    expect(
      (
        await configs(
          '--alter',
          '--entity-type',
          'brokers',
          '--entity-name',
          '2',
          '--add-config',
          'log.retention.ms=86400000,min.insync.replicas=2',
        )
      ).stdout,
    ).toBe('Completed updating config for broker 2.\n');
    expect(await znode(c, '/config/brokers/2')).toBe(
      '{"version":1,"config":{"log.retention.ms":"86400000","min.insync.replicas":"2"}}',
    );
    expect(await notifications(c, 'brokers/2')).toHaveLength(1);
    const two = await configs('--describe', '--entity-type', 'brokers', '--entity-name', '2');
    expect(two.stdout).toBe(
      'Dynamic configs for broker 2 are:\n' +
        '  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}\n' +
        '  log.retention.ms=86400000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=86400000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}\n',
    );
    // No name: every broker, then the cluster default; every topic (as kafka-configs).
    const everyBroker = await configs('--describe', '--entity-type', 'brokers');
    expect(everyBroker.stdout).toBe(
      'Dynamic configs for broker 1 are:\n' + two.stdout + described.stdout,
    );
    const everyTopic = await configs('--describe', '--entity-type', 'topics', '--json');
    expect(JSON.parse(everyTopic.stdout)).toContainEqual({
      entityType: 'topics',
      entityName: topic,
      configs: [expect.objectContaining({ name: 'segment.bytes', value: '1024' })],
    });
    const one = await configs(
      '--describe',
      '--all',
      '--json',
      '--entity-type',
      'brokers',
      '--entity-name',
      '1',
    );
    const byName = new Map<string, { value: string; source: string; isReadOnly: boolean }>(
      JSON.parse(one.stdout).configs.map((e: { name: string }) => [e.name, e]),
    );
    expect(byName.get('log.retention.ms')).toMatchObject({
      value: '1000',
      source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      isReadOnly: false,
    });
    expect(byName.get('log.retention.check.interval.ms')).toMatchObject({
      value: '300',
      source: 'STATIC_BROKER_CONFIG',
      isReadOnly: true,
    });
    expect(byName.get('min.insync.replicas')).toMatchObject({
      value: '1',
      source: 'DEFAULT_CONFIG',
    });

    // Not dynamic: refused with Kafka's error and message; nothing written.
    const refused = await configs(
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-name',
      '1',
      '--add-config',
      'log.dirs=/elsewhere',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "kzoo: INVALID_REQUEST: broker 1: Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: Set(log.dirs)\n",
    );
    expect(await znode(c, '/config/brokers/1')).toBeUndefined();
    const bad = await configs(
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-default',
      '--add-config',
      'log.retention.ms=soon',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /INVALID_REQUEST: .*Invalid value soon for configuration log\.retention\.ms: Not a number of type LONG/,
    );
    // --delete-config of what is not set is refused by the tool, as kafka-configs does.
    const notSet = await configs(
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-default',
      '--delete-config',
      'min.insync.replicas',
    );
    expect(notSet).toMatchObject({
      code: 1,
      stderr: 'kzoo: Invalid config(s): min.insync.replicas\n',
    });

    // kafkajs' admin on BROKER resources through the Kafka listener.
    const kafka = new Kafka({
      clientId: 'kzoo-configs-test',
      brokers: c.kafkaBootstrap(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
    });
    const admin = kafka.admin();
    await admin.connect();
    onCleanup(() => admin.disconnect());
    const d = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.BROKER, name: '2', configNames: ['min.insync.replicas'] },
      ],
      includeSynonyms: false,
    });
    expect(d.resources[0]).toMatchObject({
      errorCode: 0,
      configEntries: [
        {
          configName: 'min.insync.replicas',
          configValue: '2',
          readOnly: false,
          configSource: 2, // DYNAMIC_BROKER_CONFIG
        },
      ],
    });
    // min.insync.replicas=2 is live on broker 2: acks=all to an RF=1 partition it leads fails.
    const lone = name('lone');
    await admin.createTopics({
      topics: [{ topic: lone, replicaAssignment: [{ partition: 0, replicas: [2] }] }],
    });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    onCleanup(() => producer.disconnect());
    await expect(
      producer.send({ topic: lone, acks: -1, messages: [{ value: 'x' }] }),
    ).rejects.toThrow(/fewer in-sync replicas than required/);
    // AlterConfigs (the whole set) on broker 2 through kafkajs: min.insync.replicas goes.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: '2',
          configEntries: [{ name: 'log.retention.ms', value: '86400000' }],
        },
      ],
    });
    expect(await znode(c, '/config/brokers/2')).toBe(
      '{"version":1,"config":{"log.retention.ms":"86400000"}}',
    );
    await waitFor('acks=all accepted again on broker 2', async () => {
      try {
        await producer.send({ topic: lone, acks: -1, messages: [{ value: 'y' }] });
        return true;
      } catch {
        return undefined;
      }
    });

    // A restarted broker starts with the dynamic configs ZooKeeper holds.
    await c.broker(2).stop();
    await c.startBroker(2);
    const after = await configs('--describe', '--entity-type', 'brokers', '--entity-name', '2');
    expect(after.stdout).toMatch(/^ {2}log\.retention\.ms=86400000 .*DYNAMIC_BROKER_CONFIG/m);
  });
});
