import * as fs from 'node:fs';
import * as path from 'node:path';
import { Broker, KafkaConfig } from '@kzoo/broker';
import { KafkaZkClient } from '@kzoo/zk';
import { freePort, makeTempDir, removeDir } from '@kzoo/testkit';
import { connectTestSession, onCleanup, zkConnectForTest } from '@kzoo/testkit/jest';

function newLogDir(): string {
  const dir = makeTempDir('kzoo-broker-id-');
  onCleanup(() => removeDir(dir));
  return dir;
}

/** An in-process broker without broker.id (Kafka's default -1), shut down after the test. */
async function brokerConfig(
  zk: string,
  logDir: string,
  extra: Record<string, string> = {},
): Promise<KafkaConfig> {
  return new KafkaConfig({
    listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`,
    'log.dirs': logDir,
    'zookeeper.connect': zk,
    'zookeeper.session.timeout.ms': '2000',
    'controlled.shutdown.enable': 'false',
    ...extra,
  });
}

async function startBroker(
  zk: string,
  logDir: string,
  extra: Record<string, string> = {},
): Promise<Broker> {
  const broker = new Broker(await brokerConfig(zk, logDir, extra));
  onCleanup(() => broker.shutdown());
  await broker.start();
  return broker;
}

async function zkClient(zk: string): Promise<KafkaZkClient> {
  const kzk = new KafkaZkClient(await connectTestSession({ connectString: zk }));
  return kzk;
}

const storedId = (dir: string) =>
  /^broker\.id=(\d+)$/m.exec(fs.readFileSync(path.join(dir, 'meta.properties'), 'utf8'))?.[1];

describe('broker > Broker > broker id generation', () => {
  it('gives brokers without broker.id the ids 1001 and 1002 and registers them', async () => {
    const zk = zkConnectForTest();
    const [d1, d2] = [newLogDir(), newLogDir()];
    const b1 = await startBroker(zk, d1);
    const b2 = await startBroker(zk, d2);
    expect(b1.config.brokerId).toBe(-1);
    expect([b1.brokerId, b2.brokerId]).toEqual([1001, 1002]);
    const kzk = await zkClient(zk);
    expect(await kzk.getSortedBrokerList()).toEqual([1001, 1002]);
    expect((await kzk.getBroker(1002))?.endpoints).toEqual(b2.advertisedListeners);
    expect((await kzk.getBrokerAndEpoch(1001))?.epoch).toBe(b1.brokerEpoch);
    expect((await kzk.getDataAndStat('/brokers/seqid'))!.stat.version).toBe(2);
    expect([storedId(d1), storedId(d2)]).toEqual(['1001', '1002']);
    expect(b1.dataPlane.metadataCache.brokerId).toBe(1001);
    expect(b1.dataPlane.replicaManager.brokerId).toBe(1001);
  });

  it('keeps the generated id across a restart (meta.properties)', async () => {
    const zk = zkConnectForTest();
    const d1 = newLogDir();
    const first = await startBroker(zk, d1);
    expect(first.brokerId).toBe(1001);
    await first.shutdown();
    const again = await startBroker(zk, d1);
    expect(again.brokerId).toBe(1001);
    const kzk = await zkClient(zk);
    expect(await kzk.getSortedBrokerList()).toEqual([1001]);
    // no new sequence id was taken
    expect((await kzk.getDataAndStat('/brokers/seqid'))!.stat.version).toBe(1);
    // the next new broker still gets the next id
    expect((await startBroker(zk, newLogDir())).brokerId).toBe(1002);
  });

  it('prefers the id in meta.properties over generating one', async () => {
    const zk = zkConnectForTest();
    const dir = newLogDir();
    fs.writeFileSync(path.join(dir, 'meta.properties'), 'version=0\nbroker.id=42\n');
    const b = await startBroker(zk, dir);
    expect(b.brokerId).toBe(42);
    const kzk = await zkClient(zk);
    expect(await kzk.getSortedBrokerList()).toEqual([42]);
    expect((await kzk.getDataAndStat('/brokers/seqid'))!.stat.version).toBe(0);
    // the cluster id was added to the stored metadata, the id kept
    expect(storedId(dir)).toBe('42');
    expect(fs.readFileSync(path.join(dir, 'meta.properties'), 'utf8')).toContain(
      `cluster.id=${b.clusterId}`,
    );
  });

  it('refuses broker.id=-1 when broker.id.generation.enable is false, and ids above the reserved range', async () => {
    const zk = zkConnectForTest();
    const dir = newLogDir();
    await expect(brokerConfig(zk, dir, { 'broker.id.generation.enable': 'false' })).rejects.toThrow(
      'Invalid value -1 for configuration broker.id: broker.id must be greater than or equal to 0',
    );
    await expect(brokerConfig(zk, dir, { 'broker.id': '1001' })).rejects.toThrow(
      'not greater than reserved.broker.max.id (1000)',
    );
    expect(fs.readdirSync(dir)).toEqual([]);
    const kzk = await zkClient(zk);
    expect(await kzk.getSortedBrokerList()).toEqual([]);
  });
});
