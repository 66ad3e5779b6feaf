import * as fs from 'node:fs';
import * as path from 'node:path';
import { Broker, BrokerChange, BrokerShutDownDuringStartup, KafkaConfig } from '@kzoo/broker';
import { BrokerIdInUseError, KafkaZkClient, ZkConnectionTimeoutError } from '@kzoo/zk';
import { freePort, makeTempDir, removeDir, waitFor } from '@kzoo/testkit';
import { connectTestSession, onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';

/** An in-process broker on `zk`, shut down and its log dir removed after the test. */
async function startBroker(
  id: number,
  zk: string,
  extra: Record<string, string> = {},
): Promise<Broker> {
  const dir = makeTempDir(`kzoo-broker-${id}-`);
  onCleanup(() => removeDir(dir));
  const broker = new Broker(
    new KafkaConfig({
      'broker.id': String(id),
      listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`,
      'log.dirs': dir,
      'zookeeper.connect': zk,
      'zookeeper.session.timeout.ms': '2000',
      ...extra,
    }),
  );
  onCleanup(() => broker.shutdown());
  await broker.start();
  return broker;
}

async function controllerOf(brokers: Broker[]): Promise<Broker> {
  return waitFor('one controller', () => {
    const active = brokers.filter((b) => b.state === 'RunningAsBroker' && b.isController());
    return active.length === 1 ? active[0] : undefined;
  });
}

describe('broker > Broker (in-process)', () => {
  it('registers, creates /cluster/id once and elects exactly one controller', async () => {
    const zk = zkConnectForTest();
    const brokers = [await startBroker(1, zk), await startBroker(2, zk), await startBroker(3, zk)];
    const controller = await controllerOf(brokers);
    expect(controller.controller.epoch).toBe(1);
    expect(controller.controller.epochZkVersion).toBe(1);
    const kzk = new KafkaZkClient(await connectTestSession({ connectString: zk }));
    expect(await kzk.getSortedBrokerList()).toEqual([1, 2, 3]);
    expect(await kzk.getControllerId()).toBe(controller.brokerId);
    expect(await kzk.getControllerEpoch()).toEqual({ epoch: 1, epochZkVersion: 1 });
    const clusterIds = new Set(brokers.map((b) => b.clusterId));
    expect(clusterIds.size).toBe(1);
    expect(await kzk.getClusterId()).toBe(brokers[0].clusterId);
    for (const b of brokers) {
      expect((await kzk.getBrokerAndEpoch(b.brokerId))?.epoch).toBe(b.brokerEpoch);
      await waitFor(
        'controller known',
        () => b.controller.activeControllerId === controller.brokerId,
      );
      const meta = fs.readFileSync(path.join(b.config.logDirs[0], 'meta.properties'), 'utf8');
      expect(meta).toContain(`broker.id=${b.brokerId}`);
      expect(meta).toContain(`cluster.id=${b.clusterId}`);
    }
    // the failover's fenced bookkeeping write happened
    expect(JSON.parse((await kzk.getDataAndStat('/feature'))!.data!.toString())).toEqual({
      features: {},
      version: 2, // IBP 3.5 (>= 3.3): FeatureZNode V2
      status: 1,
    });
  });

  it('moves the controller on a clean shutdown and reports brokers going and coming', async () => {
    const zk = zkConnectForTest();
    const b1 = await startBroker(1, zk);
    const b2 = await startBroker(2, zk);
    const first = await controllerOf([b1, b2]);
    const other = first === b1 ? b2 : b1;
    const changes: BrokerChange[] = [];
    other.controller.on('brokerChange', (c: BrokerChange) => changes.push(c));
    const failover = new Promise<{ epoch: number }>((r) => other.controller.once('failover', r));
    await first.shutdown();
    expect((await failover).epoch).toBe(2);
    expect(other.isController()).toBe(true);
    const b3 = await startBroker(3, zk);
    await waitFor('broker 3 seen by the controller', () =>
      changes.some((c) => c.newBrokers.includes(3)),
    );
    expect(other.controller.liveBrokers.get(3)?.epoch).toBe(b3.brokerEpoch);
    await b3.shutdown();
    await waitFor('broker 3 gone', () => changes.some((c) => c.deadBrokers.includes(3)));
    expect([...other.controller.liveBrokers.keys()]).toEqual([other.brokerId]);
  });

  it('after a session expiry the controller resigns, re-registers with a new epoch, and another broker takes over', async () => {
    const zk = zkConnectForTest();
    const b1 = await startBroker(1, zk);
    const b2 = await startBroker(2, zk);
    const old = await controllerOf([b1, b2]);
    const other = old === b1 ? b2 : b1;
    const oldBrokerEpoch = old.brokerEpoch;
    const oldToken = old.controller.epochZkVersion;
    const resigned = new Promise((r) => old.controller.once('resignation', r));
    const reregistered = new Promise<{ brokerEpoch: number }>((r) => old.once('registered', r));
    await old.zkClient.zk.forceExpire();
    await resigned;
    expect((await reregistered).brokerEpoch).toBeGreaterThan(oldBrokerEpoch);
    await waitFor('the other broker as controller', () => other.isController());
    expect(other.controller.epoch).toBe(2);
    await waitFor(
      'old controller learns the new one',
      () => old.controller.activeControllerId === other.brokerId,
    );
    expect(old.isController()).toBe(false);
    // the new controller knows the old one under its new broker epoch
    const newEpoch = old.brokerEpoch;
    await waitFor(
      'new broker epoch at the controller',
      () => other.controller.liveBrokers.get(old.brokerId)?.epoch === newEpoch,
    );
    // the old controller's token is fenced
    await expect(old.zkClient.deleteController(oldToken)).rejects.toThrow('is stale');
    expect(await old.zkClient.getControllerId()).toBe(other.brokerId);
  });

  it('refuses a duplicate broker id and leaves the first broker registered', async () => {
    const zk = zkConnectForTest();
    const b1 = await startBroker(1, zk);
    const err = await startBroker(1, zk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerIdInUseError);
    expect((err as Error).message).toContain('broker.id 1 is already registered');
    expect(b1.state).toBe('RunningAsBroker');
    const kzk = new KafkaZkClient(await connectTestSession({ connectString: zk }));
    expect((await kzk.getBrokerAndEpoch(1))?.epoch).toBe(b1.brokerEpoch);
  });

  it('refuses to start against the wrong cluster (meta.properties)', async () => {
    const dir = makeTempDir('kzoo-broker-meta-');
    onCleanup(() => removeDir(dir));
    const b = await startBroker(1, zkConnectForTest(), { 'log.dirs': dir });
    await b.shutdown();
    const err = await startBroker(1, zkConnectForTest(), { 'log.dirs': dir }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain("doesn't match stored clusterId");
  });

  it('fails fast with a clear error when ZooKeeper is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    const err = await startBroker(1, `127.0.0.1:${port}`, {
      'zookeeper.connection.timeout.ms': '1000',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkConnectionTimeoutError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('shutdown() during start() stops it before registration', async () => {
    const zk = zkConnectForTest();
    const dir = makeTempDir('kzoo-broker-early-');
    onCleanup(() => removeDir(dir));
    const broker = new Broker({
      'broker.id': '5',
      'zookeeper.connect': zk,
      'log.dirs': dir,
      listeners: 'PLAINTEXT://127.0.0.1:9092',
    });
    const started = broker.start();
    const stopped = broker.shutdown();
    await expect(started).rejects.toThrow(BrokerShutDownDuringStartup);
    await stopped;
    expect(broker.state).toBe('NotRunning');
    const kzk = new KafkaZkClient(await connectTestSession({ connectString: zk }));
    expect(await kzk.getBroker(5)).toBeNull();
  });
});
