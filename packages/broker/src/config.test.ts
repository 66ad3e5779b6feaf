import * as os from 'node:os';
import { KafkaError, Logger } from '@kzoo/common';
import { KafkaConfig } from './config';

const base = { 'broker.id': '1', 'zookeeper.connect': '127.0.0.1:2181/kzoo' };

describe('broker > KafkaConfig', () => {
  it("applies Kafka's defaults", () => {
    const c = new KafkaConfig(base);
    expect(c.brokerId).toBe(1);
    expect(c.zkSessionTimeoutMs).toBe(18000);
    expect(c.zkConnectionTimeoutMs).toBe(18000);
    expect(c.logDirs).toEqual(['/tmp/kafka-logs']);
    expect(c.listeners).toEqual([
      { listenerName: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
    ]);
    expect(c.advertisedListeners[0].host).toBe(os.hostname());
    expect(c.getBoolean('unclean.leader.election.enable')).toBe(false);
    expect(c.getInt('min.insync.replicas')).toBe(1);
    expect(c.getInt('replica.lag.time.max.ms')).toBe(30000);
    expect(c.interBrokerListenerName).toBe('PLAINTEXT');
    const generated = new KafkaConfig({ 'zookeeper.connect': base['zookeeper.connect'] });
    expect(generated.brokerId).toBe(-1);
    expect(generated.getBoolean('broker.id.generation.enable')).toBe(true);
    expect(generated.getInt('reserved.broker.max.id')).toBe(1000);
  });

  it('reads server.properties with Kafka key names, overrides winning', () => {
    const text = [
      '# a broker',
      'broker.id=3',
      'listeners=PLAINTEXT://127.0.0.1:9093,REPL://127.0.0.1:9094',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,REPL:PLAINTEXT',
      'advertised.listeners=PLAINTEXT://k3:9093,REPL://k3:9094',
      'log.dirs=/data/a,/data/b',
      'zookeeper.connect=zk1:2181,zk2:2181/kafka',
      'zookeeper.session.timeout.ms=6000',
      'zookeeper.connection.timeout.ms=2000',
      'broker.rack=r1',
      'some.unknown.key=kept',
    ].join('\n');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    const c = KafkaConfig.fromProperties(text, { 'zookeeper.session.timeout.ms': 2000 });
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      "The configuration 'some.unknown.key' was supplied but isn't a known config.",
    ]);
    warn.mockRestore();
    expect(c.brokerId).toBe(3);
    expect(c.listeners.map((l) => l.listenerName)).toEqual(['PLAINTEXT', 'REPL']);
    expect(c.advertisedListeners.map((l) => `${l.host}:${l.port}`)).toEqual(['k3:9093', 'k3:9094']);
    expect(c.logDirs).toEqual(['/data/a', '/data/b']);
    expect(c.zkConnect).toBe('zk1:2181,zk2:2181/kafka');
    expect(c.zkSessionTimeoutMs).toBe(2000);
    expect(c.zkConnectionTimeoutMs).toBe(2000);
    expect(c.rack).toBe('r1');
    expect(c.getOriginal('some.unknown.key')).toBe('kept');
  });

  it('rejects bad values with Kafka-style messages', () => {
    const bad = (extra: Record<string, string>) => () => new KafkaConfig({ ...base, ...extra });
    expect(bad({ 'broker.id': 'abc' })).toThrow(
      'Invalid value abc for configuration broker.id: Not a number of type INT',
    );
    expect(bad({ 'broker.id': '-2' })).toThrow(
      'broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id (1000)',
    );
    expect(bad({ 'broker.id': '1001' })).toThrow('reserved.broker.max.id');
    expect(bad({ 'broker.id': '2001', 'reserved.broker.max.id': '2000' })).toThrow(
      'not greater than reserved.broker.max.id (2000)',
    );
    expect(bad({ 'broker.id': '-1', 'broker.id.generation.enable': 'false' })).toThrow(
      'Invalid value -1 for configuration broker.id: broker.id must be greater than or equal to 0',
    );
    expect(bad({ 'reserved.broker.max.id': '-1' })).toThrow('reserved.broker.max.id');
    expect(bad({ 'zookeeper.session.timeout.ms': '1.5' })).toThrow(KafkaError);
    expect(bad({ 'delete.topic.enable': 'yes' })).toThrow('either true or false');
    expect(bad({ listeners: 'FOO://h:1' })).toThrow('listener.security.protocol.map');
    expect(bad({ listeners: 'PLAINTEXT://h:1,PLAINTEXT://h:2' })).toThrow('PLAINTEXT is repeated');
    expect(bad({ listeners: 'PLAINTEXT://0.0.0.0:9092' })).toThrow('nonroutable meta-address');
    expect(() => new KafkaConfig({ 'broker.id': '1' })).toThrow(
      'Missing required configuration "zookeeper.connect"',
    );
    const e = (() => {
      try {
        new KafkaConfig({ ...base, 'broker.id': 'x' });
      } catch (err) {
        return err as KafkaError;
      }
    })();
    expect(e?.errorName).toBe('INVALID_CONFIG');
  });

  it.each([
    ['queued.max.requests', '0', 'Value must be at least 1'],
    ['log.segment.bytes', '13', 'Value must be at least 14'],
    ['min.insync.replicas', '0', 'Value must be at least 1'],
    ['zookeeper.session.timeout.ms', '0', 'Value must be at least 1'],
    ['reserved.broker.max.id', '-1', 'Value must be at least 0'],
    ['log.cleanup.policy', 'shred', 'String must be one of: compact, delete'],
    ['log.message.timestamp.type', 'Now', 'String must be one of: CreateTime, LogAppendTime'],
    ['zookeeper.connect', '', 'String must be non-empty'],
    ['group.max.size', '0', 'Value must be at least 1'],
    ['broker.id', '2147483648', 'Not a number of type INT'],
    ['log.retention.ms', 'forever', 'Not a number of type LONG'],
  ])('%s=%s fails at construction: %s', (key, value, reason) => {
    expect(() => new KafkaConfig({ ...base, [key]: value })).toThrow(
      new KafkaError(
        'INVALID_CONFIG',
        `Invalid value ${value} for configuration ${key}: ${reason}`,
      ),
    );
  });

  it('keeps the typed getters, for every defined key', () => {
    const c = new KafkaConfig({ ...base, 'log.retention.ms': '-1', 'group.max.size': 50 });
    expect(c.getInt('log.retention.ms')).toBe(-1);
    expect(c.getLong('log.retention.check.interval.ms')).toBe(300000);
    expect(c.getIntOrNull('log.roll.ms')).toBeNull();
    expect(c.getList('log.cleanup.policy')).toEqual(['delete']);
    expect(c.getString('log.message.timestamp.type')).toBe('CreateTime');
    expect(c.getInt('group.max.size')).toBe(50);
    expect(c.getInt('group.initial.rebalance.delay.ms')).toBe(3000);
    expect(() => c.getInt('no.such.key')).toThrow("Unknown configuration 'no.such.key'");
  });

  it('binds 0.0.0.0 but advertises a routable address', () => {
    const c = new KafkaConfig({
      ...base,
      listeners: 'PLAINTEXT://0.0.0.0:9092',
      'advertised.listeners': 'PLAINTEXT://10.0.0.5:9092',
    });
    expect(c.listeners[0].host).toBe('0.0.0.0');
    expect(c.advertisedListeners[0].host).toBe('10.0.0.5');
  });
});

describe('broker > KafkaConfig > security protocols', () => {
  const bad = (extra: Record<string, string>) => () => new KafkaConfig({ ...base, ...extra });
  it('refuses SSL and SASL listeners, naming the protocol (only PLAINTEXT is served)', () => {
    expect(bad({ listeners: 'SSL://127.0.0.1:9093' })).toThrow(
      'Invalid value SSL://127.0.0.1:9093 for configuration listeners: security protocol SSL is not supported (listener SSL); kzoo serves PLAINTEXT only',
    );
    for (const p of ['SASL_PLAINTEXT', 'SASL_SSL'])
      expect(bad({ listeners: `PLAINTEXT://127.0.0.1:0,${p}://127.0.0.1:0` })).toThrow(
        `security protocol ${p} is not supported (listener ${p})`,
      );
    // a listener name mapped to SSL
    expect(
      bad({
        listeners: 'PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SSL',
      }),
    ).toThrow('security protocol SSL is not supported (listener SECURE)');
    expect(bad({ listeners: 'PLAINTEXT://127.0.0.1:0' })).not.toThrow();
  });
});

describe('broker > KafkaConfig > listener.wire.protocol.map', () => {
  const two = {
    ...base,
    listeners: 'PLAINTEXT://127.0.0.1:9092,EXTERNAL://127.0.0.1:9093',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT',
  };

  it('maps listeners to wire protocols, kzoo by default', () => {
    expect(new KafkaConfig(two).listenerWireProtocolMap).toEqual({
      PLAINTEXT: 'kzoo',
      EXTERNAL: 'kzoo',
    });
    const c = new KafkaConfig({ ...two, 'listener.wire.protocol.map': 'external:KAFKA' });
    expect(c.wireProtocolOf('EXTERNAL')).toBe('kafka');
    expect(c.wireProtocolOf('PLAINTEXT')).toBe('kzoo');
  });

  it.each([
    ['EXTERNAL:http', 'bad entry "EXTERNAL:http": expected NAME:kafka or NAME:kzoo'],
    ['OTHER:kafka', 'OTHER is not one of the listeners (PLAINTEXT, EXTERNAL)'],
    ['PLAINTEXT:kafka', 'the inter-broker listener PLAINTEXT must speak kzoo'],
  ])('refuses %s', (map, reason) => {
    expect(() => new KafkaConfig({ ...two, 'listener.wire.protocol.map': map })).toThrow(
      new KafkaError(
        'INVALID_CONFIG',
        `Invalid value ${map} for configuration listener.wire.protocol.map: ${reason}`,
      ),
    );
  });
});

describe('broker > KafkaConfig > kzoo.inter.broker.address.overrides', () => {
  const key = 'kzoo.inter.broker.address.overrides';

  it('dials the registered endpoint unless a peer is overridden', () => {
    const registered = { host: 'b2.example', port: 9092 };
    expect(new KafkaConfig(base).interBrokerAddress(2, registered)).toEqual(registered);
    const c = new KafkaConfig({ ...base, [key]: '2@127.0.0.1:40001, 3@[::1]:40002' });
    expect(c.interBrokerAddress(2, registered)).toEqual({ host: '127.0.0.1', port: 40001 });
    expect(c.interBrokerAddress(3, registered)).toEqual({ host: '::1', port: 40002 });
    expect(c.interBrokerAddress(4, registered)).toEqual(registered);
  });

  it('rejects a malformed entry or a peer listed twice, naming it', () => {
    expect(() => new KafkaConfig({ ...base, [key]: '2@host' })).toThrow(
      `Invalid value 2@host for configuration ${key}: bad entry "2@host": expected <brokerId>@host:port`,
    );
    expect(() => new KafkaConfig({ ...base, [key]: '2@h:70000' })).toThrow(/bad entry "2@h:70000"/);
    expect(() => new KafkaConfig({ ...base, [key]: '2@a:1,2@b:2' })).toThrow(
      /broker 2 is listed twice/,
    );
  });
});
