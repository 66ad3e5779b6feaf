import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { brokerConfigFromArgs } from './commands/broker';

/**
 * docker-compose.yml is for users (no Docker engine runs in CI): parse it and check
 * that every broker service's command is a valid `kzoo broker start` whose config
 * makes a cluster: distinct ids, one ZooKeeper chroot, advertised on its own hostname.
 */
interface Service {
  image?: string;
  hostname?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}

function argsOf(command: string[]) {
  expect(command.slice(0, 2)).toEqual(['broker', 'start']);
  const args: { id?: number; zk?: string; 'data-dir'?: string; override: string[]; host: string } =
    { override: [], host: '127.0.0.1' };
  for (let i = 2; i < command.length; i += 2) {
    const [flag, value] = [command[i], command[i + 1]];
    if (flag === '--id') args.id = Number(value);
    else if (flag === '--zk') args.zk = value;
    else if (flag === '--data-dir') args['data-dir'] = value;
    else if (flag === '--override') args.override.push(value);
    else throw new Error(`unexpected flag ${flag} in docker-compose.yml`);
  }
  return args;
}

describe('cli > docker-compose.yml', () => {
  const file = path.join(__dirname, '../../../docker-compose.yml');
  const doc = parse(fs.readFileSync(file, 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };

  it('has a ZooKeeper and three brokers that wait for it', () => {
    const names = Object.keys(doc.services);
    expect(names).toEqual(['zookeeper', 'broker1', 'broker2', 'broker3']);
    expect(doc.services.zookeeper.image).toMatch(/^zookeeper:3\./);
    for (const b of ['broker1', 'broker2', 'broker3']) {
      expect(doc.services[b].depends_on?.zookeeper.condition).toBe('service_healthy');
    }
  });

  it('gives each broker a valid config: distinct ids, one chroot, its own advertised host', () => {
    const configs = ['broker1', 'broker2', 'broker3'].map((name) => {
      const svc = doc.services[name];
      const config = brokerConfigFromArgs(argsOf(svc.command!) as never);
      expect(config.advertisedListeners[0].host).toBe(svc.hostname);
      expect(config.listeners[0].host).toBe('0.0.0.0');
      return config;
    });
    expect(new Set(configs.map((c) => c.brokerId)).size).toBe(3);
    // Brokers talk kzoo among themselves; Kafka clients get a listener on the network and
    // one published on the host's loopback, at the same port inside and out.
    configs.forEach((c, i) => {
      expect(c.interBrokerListenerName).toBe('INTERNAL');
      expect(c.wireProtocolOf('INTERNAL')).toBe('kzoo');
      expect(c.wireProtocolOf('KAFKA')).toBe('kafka');
      expect(c.wireProtocolOf('EXTERNAL')).toBe('kafka');
      const external = c.advertisedListeners.find((l) => l.listenerName === 'EXTERNAL')!;
      expect(external.host).toBe('127.0.0.1');
      expect(doc.services[`broker${i + 1}`].ports).toEqual([
        `127.0.0.1:${external.port}:${external.port}`,
      ]);
    });
    expect(new Set(configs.map((c) => c.zkConnect))).toEqual(new Set(['zookeeper:2181/kzoo']));
  });
});
