import { KafkaError, Logger } from '@kzoo/common';
import {
  acksValue,
  parseAdminConfig,
  parseConsumerConfig,
  parseHostPort,
  parseProducerConfig,
} from './config';

describe('Client > config', () => {
  test('producer defaults are Kafka 3.x defaults', () => {
    const c = parseProducerConfig({ 'bootstrap.servers': 'h:9092' });
    expect(c['bootstrap.servers']).toEqual(['h:9092']);
    expect(c.acks).toBe('all');
    expect(c['batch.size']).toBe(16384);
    expect(c['linger.ms']).toBe(0);
    expect(c['compression.type']).toBe('none');
    expect(c['request.timeout.ms']).toBe(30000);
    expect(c['retry.backoff.ms']).toBe(100);
    expect(c['metadata.max.age.ms']).toBe(300000);
    expect(c['max.in.flight.requests.per.connection']).toBe(5);
    expect(c['delivery.timeout.ms']).toBe(120000);
    expect(c.retries).toBe(2147483647);
  });

  test('consumer defaults', () => {
    const c = parseConsumerConfig({ 'bootstrap.servers': ['a:1', 'b:2'] });
    expect(c['auto.offset.reset']).toBe('latest');
    expect(c['fetch.min.bytes']).toBe(1);
    expect(c['fetch.max.wait.ms']).toBe(500);
    expect(c['fetch.max.bytes']).toBe(52428800);
    expect(c['max.partition.fetch.bytes']).toBe(1048576);
    expect(c['max.poll.records']).toBe(500);
    expect(c['group.id']).toBeNull();
  });

  test('string values are parsed as Kafka properties would be', () => {
    const c = parseProducerConfig({
      'bootstrap.servers': 'a:1, b:2',
      'linger.ms': '5',
      acks: '1',
      'compression.type': 'ZSTD',
    });
    expect(c['bootstrap.servers']).toEqual(['a:1', 'b:2']);
    expect(c['linger.ms']).toBe(5);
    expect(acksValue(c.acks)).toBe(1);
    expect(acksValue('all')).toBe(-1);
    expect(c['compression.type']).toBe('zstd');
  });

  test.each([
    [{ 'linger.ms': -1 }, 'Invalid value -1 for configuration linger.ms: Value must be at least 0'],
    [
      { 'linger.ms': 'soon' },
      'Invalid value soon for configuration linger.ms: Not a number of type LONG',
    ],
    [
      { acks: '2' },
      'Invalid value 2 for configuration acks: String must be one of (case insensitive): all, -1, 0, 1',
    ],
    [
      { 'compression.type': 'brotli' },
      'Invalid value brotli for configuration compression.type: String must be one of (case insensitive): none, gzip, snappy, lz4, zstd',
    ],
    [
      { 'batch.size': 2 ** 31 },
      'Invalid value 2147483648 for configuration batch.size: Not a number of type INT',
    ],
    [{ 'enable.idempotence': 'yes' }, 'Expected value to be either true or false'],
    [{ 'enable.idempotence': true, acks: '1' }, 'enable.idempotence=true conflicts with acks=1'],
    [
      { 'enable.idempotence': 'true', 'max.in.flight.requests.per.connection': 6 },
      'max.in.flight.requests.per.connection=6',
    ],
    [{ 'enable.idempotence': true, retries: 0 }, 'retries=0'],
  ])('bad producer config %j is INVALID_CONFIG', (extra, msg) => {
    let err: unknown;
    try {
      parseProducerConfig({ 'bootstrap.servers': 'h:1', ...extra });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('INVALID_CONFIG');
    expect((err as KafkaError).message).toContain(msg);
  });

  test('an unknown key is a warning naming it, for producer, consumer and admin alike', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    try {
      expect(parseProducerConfig({ 'bootstrap.servers': 'h:1', 'linger.sm': 5 })['linger.ms']).toBe(
        0,
      );
      parseConsumerConfig({ 'bootstrap.servers': 'h:1', 'group.idd': 'g' });
      parseAdminConfig({ 'bootstrap.servers': 'h:1', acks: 'all' });
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        "The configuration 'linger.sm' was supplied but isn't a known config.",
        "The configuration 'group.idd' was supplied but isn't a known config.",
        "The configuration 'acks' was supplied but isn't a known config.",
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  test('consumer values in Kafka words', () => {
    expect(() =>
      parseConsumerConfig({ 'bootstrap.servers': 'h:1', 'max.poll.records': 0 }),
    ).toThrow(
      new KafkaError(
        'INVALID_CONFIG',
        'Invalid value 0 for configuration max.poll.records: Value must be at least 1',
      ),
    );
    expect(
      parseConsumerConfig({ 'bootstrap.servers': 'h:1', 'auto.offset.reset': 'EARLIEST' })[
        'auto.offset.reset'
      ],
    ).toBe('earliest');
  });

  test('idempotence: on by default with acks=all, turned off by a conflicting default-less setting', () => {
    const d = parseProducerConfig({ 'bootstrap.servers': 'h:1' });
    expect([d['enable.idempotence'], d.acks]).toEqual([true, 'all']);
    expect(
      parseProducerConfig({ 'bootstrap.servers': 'h:1', acks: '1' })['enable.idempotence'],
    ).toBe(false);
    expect(
      parseProducerConfig({
        'bootstrap.servers': 'h:1',
        'max.in.flight.requests.per.connection': 10,
      })['enable.idempotence'],
    ).toBe(false);
    expect(
      parseProducerConfig({ 'bootstrap.servers': 'h:1', acks: '-1', 'enable.idempotence': true })[
        'enable.idempotence'
      ],
    ).toBe(true);
  });

  test("reconnect backoff and connection setup timeout: Kafka's keys, defaults and validation on every client", () => {
    for (const parse of [parseProducerConfig, parseConsumerConfig, parseAdminConfig]) {
      const c = parse({ 'bootstrap.servers': 'h:1' });
      expect([
        c['reconnect.backoff.ms'],
        c['reconnect.backoff.max.ms'],
        c['socket.connection.setup.timeout.ms'],
        c['socket.connection.setup.timeout.max.ms'],
      ]).toEqual([50, 1000, 10000, 30000]);
      expect(() => parse({ 'bootstrap.servers': 'h:1', 'reconnect.backoff.max.ms': -1 })).toThrow(
        'Invalid value -1 for configuration reconnect.backoff.max.ms: Value must be at least 0',
      );
    }
    expect(
      parseProducerConfig({
        'bootstrap.servers': 'h:1',
        'reconnect.backoff.ms': '20',
        'reconnect.backoff.max.ms': '5000',
      })['reconnect.backoff.max.ms'],
    ).toBe(5000);
  });

  test("reconnect.backoff.ms set without reconnect.backoff.max.ms is a fixed backoff, with Kafka's warning", () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    try {
      const c = parseConsumerConfig({ 'bootstrap.servers': 'h:1', 'reconnect.backoff.ms': 200 });
      expect([c['reconnect.backoff.ms'], c['reconnect.backoff.max.ms']]).toEqual([200, 200]);
      parseAdminConfig({
        'bootstrap.servers': 'h:1',
        'socket.connection.setup.timeout.ms': 40000,
      });
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        'Disabling exponential reconnect backoff because reconnect.backoff.ms is set, but reconnect.backoff.max.ms is not.',
        "Configuration 'socket.connection.setup.timeout.ms' with value '40000' is greater than configuration 'socket.connection.setup.timeout.max.ms' with value '30000'. A static connection setup timeout with value '30000' will be applied.",
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  test('bootstrap.servers is required and checked', () => {
    expect(() => parseAdminConfig({})).toThrow(/bootstrap.servers is required/);
    expect(() => parseAdminConfig({ 'bootstrap.servers': 'nohost' })).toThrow(/HOST:PORT/);
    expect(
      parseConsumerConfig({ 'bootstrap.servers': 'h:1', 'group.id': 'g' })['session.timeout.ms'],
    ).toBe(45000);
    expect(() =>
      parseConsumerConfig({
        'bootstrap.servers': 'h:1',
        'group.id': 'g',
        'session.timeout.ms': 1000,
        'heartbeat.interval.ms': 1000,
      }),
    ).toThrow(/heartbeat.interval.ms \(1000\) must be lower than session.timeout.ms/);
    expect(parseHostPort('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
    expect(parseHostPort('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    expect(() => parseHostPort('h:70000')).toThrow(KafkaError);
  });
});
