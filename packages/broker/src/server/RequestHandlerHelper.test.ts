import { KafkaError, MockTime, createLogger } from '@kzoo/common';
import { ApiKeys, apiRegistry } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { RequestTimes } from '../network/RequestTimes';
import type { BrokerContext } from './BrokerContext';
import { KafkaApis, type AnyHandler } from './KafkaApis';
import { ClientQuotas } from './QuotaFactory';

/** request_percentage=1 (10 ms of the loop a second); handlers here take 50 ms each. */
function setup() {
  const time = new MockTime();
  const quotas = new ClientQuotas({}, time);
  quotas.updateQuotaConfig(null, 'app', { request_percentage: '1' });
  const broker = {
    brokerId: 1,
    time,
    logger: createLogger('test'),
    clientQuotas: quotas,
  } as unknown as BrokerContext;
  const busy = (ms: number) => time.tick(ms);
  const table: Record<number, AnyHandler> = {
    // a synchronous handler
    [ApiKeys.Heartbeat]: (() => {
      busy(50);
      return { throttleTimeMs: 0, errorCode: 0 };
    }) as AnyHandler,
    // an async one: 50 ms before its first await, 500 ms after it
    [ApiKeys.ListGroups]: (async () => {
      busy(50);
      await Promise.resolve();
      busy(500);
      return { throttleTimeMs: 0, errorCode: 0, groups: [] };
    }) as AnyHandler,
    [ApiKeys.LeaderAndIsr]: (() => {
      busy(50);
      return { errorCode: 0, partitionErrors: [] };
    }) as AnyHandler,
    [ApiKeys.FindCoordinator]: (() => {
      busy(50);
      throw new KafkaError('COORDINATOR_NOT_AVAILABLE', 'not yet');
    }) as AnyHandler,
    // a Kafka-only API without the field (SaslHandshake)
    17: (() => {
      busy(50);
      return { errorCode: 0, mechanisms: [] };
    }) as AnyHandler,
  };
  const apis = new KafkaApis(broker, table);
  const throttles: number[] = [];
  /** A request as the SocketServer hands it over while it times requests. */
  const ctx = (apiKey: number, clientId = 'app', timed = true): RequestContext => ({
    header: { apiKey, apiVersion: 0, correlationId: 1, clientId },
    body: {},
    connectionId: 'conn',
    clientAddress: '127.0.0.1:1',
    listenerName: 'PLAINTEXT',
    wire: 'kzoo',
    apiVersions: apiRegistry.ranges,
    closeConnection: () => {},
    throttle: (ms) => throttles.push(ms),
    times: timed ? new RequestTimes(time, time.nanoseconds(), 0n) : undefined,
  });
  /** handle() then what the SocketServer does once the handler's synchronous part returned. */
  const handle = (c: RequestContext): unknown => {
    try {
      return apis.handle(c);
    } finally {
      c.times?.localComplete();
    }
  };
  return { time, quotas, handle, ctx, throttles };
}

describe('broker > server > request quota around the handlers (KafkaApis, RequestHandlerHelper)', () => {
  it('records each request’s handler time; over request_percentage the response carries the throttle and the connection is muted', () => {
    const { quotas, handle, ctx, throttles } = setup();
    // 50 ms = 5 %·s: the first (0.5 %) and second (1 %) are within a 10 s window
    expect(handle(ctx(ApiKeys.Heartbeat))).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    expect(handle(ctx(ApiKeys.Heartbeat))).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    // the third: O = 15 %·s / 10.1 s, (O − 1) / 1 × 10.1 s = 4.9 s, bounded to one window
    expect(handle(ctx(ApiKeys.Heartbeat))).toEqual({ throttleTimeMs: 1000, errorCode: 0 });
    expect(throttles).toEqual([1000]);
    const [s] = quotas.request.sensorValues();
    expect(s).toMatchObject({ tags: { user: '', clientId: 'app' }, throttleTimeMs: 1000 });
    // another client is not held to app's quota
    expect(handle(ctx(ApiKeys.Heartbeat, 'other'))).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    expect(throttles).toEqual([1000]);
  });

  it('counts an async handler up to its first await', async () => {
    const { quotas, handle, ctx } = setup();
    for (let i = 0; i < 2; i++)
      await expect(handle(ctx(ApiKeys.ListGroups))).resolves.toMatchObject({ throttleTimeMs: 0 });
    // 2 × 50 ms recorded when each answered, 550 ms apart: 10 %·s / 10.55 s (the
    // 2 × 500 ms after the await would be 110 %·s)
    const [s] = quotas.request.sensorValues();
    expect(s!.rate).toBeCloseTo(10 / 10.55, 9);
  });

  it('exempts cluster actions: their time goes to exempt-request-time, never throttled', () => {
    const { quotas, handle, ctx, throttles } = setup();
    for (let i = 0; i < 5; i++)
      expect(handle(ctx(ApiKeys.LeaderAndIsr))).toEqual({ errorCode: 0, partitionErrors: [] });
    expect(throttles).toEqual([]);
    expect(quotas.request.sensorValues()).toEqual([]);
    expect(quotas.request.exemptRequestTime()).toBeGreaterThan(0);
  });

  it('throttles a failed request too, and an API without the field only by muting', () => {
    const { handle, ctx, throttles } = setup();
    for (let i = 0; i < 2; i++) expect(() => handle(ctx(ApiKeys.FindCoordinator))).toThrow();
    expect(throttles).toEqual([]);
    expect(() => handle(ctx(ApiKeys.FindCoordinator))).toThrow(KafkaError);
    expect(throttles).toEqual([1000]); // the network layer puts it in the error body
    expect(handle(ctx(17))).toEqual({ errorCode: 0, mechanisms: [] });
    expect(throttles).toEqual([1000, 1000]);
  });

  it('measures nothing for requests the listener does not time', () => {
    const { quotas, handle, ctx, throttles } = setup();
    for (let i = 0; i < 5; i++)
      expect(handle(ctx(ApiKeys.Heartbeat, 'app', false))).toEqual({
        throttleTimeMs: 0,
        errorCode: 0,
      });
    expect(throttles).toEqual([]);
    expect(quotas.request.sensorValues()).toEqual([]);
  });
});
