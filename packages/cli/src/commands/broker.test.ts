import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brokerConfigFromArgs } from './broker';

describe('cli > broker start > config', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-cli-cfg-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a Kafka properties file; --override and flags win', () => {
    const file = path.join(dir, 'server.properties');
    fs.writeFileSync(
      file,
      [
        'broker.id=7',
        'listeners=PLAINTEXT://127.0.0.1:9092',
        'log.dirs=/var/lib/kafka',
        'zookeeper.connect=zk:2181/kafka',
        'zookeeper.session.timeout.ms=6000',
      ].join('\n'),
    );
    const fromFile = brokerConfigFromArgs({ config: file, host: '127.0.0.1', override: [] });
    expect(fromFile.brokerId).toBe(7);
    expect(fromFile.zkSessionTimeoutMs).toBe(6000);
    const c = brokerConfigFromArgs({
      config: file,
      host: '127.0.0.1',
      override: ['broker.rack=r2', 'zookeeper.session.timeout.ms=3000'],
      id: 8,
      port: 9099,
      'data-dir': '/tmp/k8',
    });
    expect(c.brokerId).toBe(8);
    expect(c.listeners[0].port).toBe(9099);
    expect(c.logDirs).toEqual(['/tmp/k8']);
    expect(c.rack).toBe('r2');
    expect(c.zkSessionTimeoutMs).toBe(3000);
    expect(c.zkConnect).toBe('zk:2181/kafka');
  });

  it('builds a config from flags alone and names bad input', () => {
    const c = brokerConfigFromArgs({
      id: 1,
      zk: '127.0.0.1:2181/k',
      port: 9092,
      host: '127.0.0.1',
      override: [],
    });
    expect(c.listeners[0]).toMatchObject({ host: '127.0.0.1', port: 9092 });
    expect(() => brokerConfigFromArgs({ id: 1, host: '127.0.0.1', override: [] })).toThrow(
      'zookeeper.connect',
    );
    expect(() =>
      brokerConfigFromArgs({ id: 1, zk: 'z:1', host: 'h', override: ['nokey'] }),
    ).toThrow('key=value');
    expect(() =>
      brokerConfigFromArgs({ config: path.join(dir, 'missing'), host: 'h', override: [] }),
    ).toThrow('cannot read config file');
  });
});
