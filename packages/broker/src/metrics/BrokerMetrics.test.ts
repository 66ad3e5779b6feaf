import { MockTime } from '@kzoo/common';
import { ApiKeys } from '@kzoo/protocol';
import { Broker } from '../Broker';
import type { RequestContext } from '../network';
import { BrokerTopicStats } from './BrokerTopicStats';

function ctx(apiKey: number, body: unknown = {}): RequestContext {
  return {
    header: { apiKey, apiVersion: 7, correlationId: 1, clientId: null },
    body,
    connectionId: 'c',
    clientAddress: '127.0.0.1:1',
    listenerName: 'PLAINTEXT',
    wire: 'kzoo',
    apiVersions: [],
    closeConnection: () => undefined,
  };
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Broker > metrics > BrokerTopicStats', () => {
  it('counts client appends as bytes/messages in, fetches as bytes out or replication bytes out', () => {
    const s = new BrokerTopicStats();
    s.recordAppend('a', 100, 3);
    s.recordAppend('b', 10, 1);
    s.recordFetch('a', 40, false);
    s.recordFetch('a', 70, true);
    s.recordFetch('b', 0, false);
    expect(s.allTopics).toEqual({
      bytesIn: 110,
      messagesIn: 4,
      bytesOut: 40,
      replicationBytesOut: 70,
    });
    expect(new Map(s.entries()).get('a')).toEqual({
      bytesIn: 100,
      messagesIn: 3,
      bytesOut: 40,
      replicationBytesOut: 70,
    });
    s.removeTopic('a');
    expect([...s.entries()].map(([t]) => t)).toEqual(['b']);
  });
});

describe('Broker > metrics > BrokerMetrics', () => {
  const config = { 'zookeeper.connect': '127.0.0.1:1', 'broker.id': 1 };

  it('gives each broker its own registry: two brokers in one process do not mix', async () => {
    const time = new MockTime();
    const b1 = new Broker(config, { time });
    const b2 = new Broker({ ...config, 'broker.id': 2 }, { time });
    expect(b1.metrics.registry).not.toBe(b2.metrics.registry);
    b1.metrics.brokerTopicStats.recordAppend('t', 500, 5);
    const m1 = await b1.metrics.metrics();
    const m2 = await b2.metrics.metrics();
    expect(value(m1, 'kafka_server_brokertopicmetrics_bytesin_total{topic="t"}')).toBe(500);
    expect(value(m1, 'kafka_server_brokertopicmetrics_messagesin_total')).toBe(5);
    expect(value(m2, 'kafka_server_brokertopicmetrics_bytesin_total{topic="t"}')).toBeUndefined();
    // Not started: no controller, nothing led, the session closed.
    expect(value(m1, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(0);
    expect(value(m1, 'kafka_server_replicamanager_underreplicatedpartitions')).toBe(0);
    expect(value(m1, 'kafka_server_sessionexpirelistener_sessionstate{state="CLOSED"}')).toBe(1);
    expect(value(m1, 'kafka_server_kafkaserver_brokerstate')).toBe(0);
  });

  it('times each request under Kafka request name, Fetch split into FetchConsumer and FetchFollower (on the mock clock)', async () => {
    const time = new MockTime();
    const b = new Broker(config, { time });
    let release: (v: unknown) => void = () => undefined;
    const handler = b.metrics.instrument((c) =>
      c.header.apiKey === ApiKeys.Produce ? new Promise((r) => (release = r)) : { ok: true },
    );
    const pending = handler(ctx(ApiKeys.Produce)) as Promise<unknown>;
    time.tick(30);
    release({ ok: true });
    await pending;
    handler(ctx(ApiKeys.Fetch, { replicaId: 2 }));
    handler(ctx(ApiKeys.Fetch, { replicaId: -1 }));
    const m = await b.metrics.metrics();
    const produce = 'kafka_network_requestmetrics_totaltimems';
    expect(value(m, `${produce}_count{request="Produce"}`)).toBe(1);
    expect(value(m, `${produce}_sum{request="Produce"}`)).toBe(30);
    expect(value(m, `${produce}_bucket{le="25",request="Produce"}`)).toBe(0);
    expect(value(m, `${produce}_bucket{le="50",request="Produce"}`)).toBe(1);
    expect(value(m, `${produce}_count{request="FetchFollower"}`)).toBe(1);
    expect(value(m, `${produce}_count{request="FetchConsumer"}`)).toBe(1);
    expect(
      value(m, 'kafka_network_requestmetrics_requests_total{request="Produce",version="7"}'),
    ).toBe(1);
  });
});
