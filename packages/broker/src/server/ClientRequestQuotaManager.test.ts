import { MockTime } from '@kzoo/common';
import { RequestTimes } from '../network/RequestTimes';
import { ANONYMOUS_USER } from './ClientQuotaManager';
import { ClientRequestQuotaManager, type QuotaRequest } from './ClientRequestQuotaManager';
import { ClientQuotas } from './QuotaFactory';

const D = '<default>';

/** A request of `clientId` whose handler keeps the (mock) loop busy for `busyMs`. */
function request(time: MockTime, clientId: string, busyMs: number, decodeMs = 0): QuotaRequest {
  const times = new RequestTimes(time, time.nanoseconds(), BigInt(decodeMs) * 1_000_000n);
  time.tick(busyMs);
  times.localComplete();
  return { header: { clientId }, times };
}

/** Records `busyMs` of handler time for `clientId`; the throttle time. */
function record(q: ClientRequestQuotaManager, time: MockTime, clientId: string, busyMs: number) {
  return q.maybeRecordRequestAndGetThrottleTimeMs(
    request(time, clientId, busyMs),
    time.milliseconds(),
  );
}

describe('broker > server > ClientRequestQuotaManager', () => {
  it('measures handler time as a percentage of one loop and throttles (O − T) / T × W', () => {
    const time = new MockTime();
    const q = new ClientRequestQuotaManager({}, time);
    q.updateQuota(null, 'app', 1); // request_percentage=1: 10 ms of the loop a second
    // 90 ms busy = 9 %·s over the minimum window of ten 1 s samples: 0.9 %
    expect(record(q, time, 'app', 90)).toBe(0);
    expect(q.sensorValues()[0]!.rate).toBeCloseTo(0.9, 9);
    // 15 ms more, 15 ms later: O = 10.5 %·s / 10.015 s; (O − 1) / 1 × 10.015 s = 485 ms
    expect(record(q, time, 'app', 15)).toBe(485);
  });

  it('bounds the throttle at one quota window (Kafka’s maxThrottleTimeMs)', () => {
    const time = new MockTime();
    const q = new ClientRequestQuotaManager({}, time);
    q.updateQuota(null, 'app', 1);
    // 1 s busy: O = 100 %·s / 10 s = 10 %, unbounded (10 − 1) / 1 × 10 s = 90 s; bounded to 1 s
    expect(record(q, time, 'app', 1000)).toBe(1000);
    const two = new ClientRequestQuotaManager({ quotaWindowSizeSeconds: 2 }, time);
    two.updateQuota(null, 'app', 1);
    // O = 300 %·s / 20 s = 15 %: bounded to one 2 s window
    expect(record(two, time, 'app', 3000)).toBe(2000);
  });

  it('records nothing before a request quota is set, nor for a request the listener did not time', () => {
    const time = new MockTime();
    const q = new ClientRequestQuotaManager({}, time);
    const r = request(time, 'app', 5000);
    expect(q.maybeRecordRequestAndGetThrottleTimeMs(r, time.milliseconds())).toBe(0);
    expect(r.times!.recordNetworkThreadTimeCallback).toBeUndefined();
    expect(q.sensorValues()).toEqual([]);
    q.updateQuota(null, 'app', 1);
    expect(q.maybeRecordRequestAndGetThrottleTimeMs({ header: { clientId: 'app' } }, 0)).toBe(0);
    expect(q.sensorValues()).toEqual([]);
  });

  it('records the network time (decode, encode, write) once written, without a throttle; it weighs on the next request', () => {
    const time = new MockTime();
    const q = new ClientRequestQuotaManager({}, time);
    q.updateQuota(null, 'app', 1);
    // 40 ms decoding it, 50 ms in its handler: the handler's 5 %·s are recorded (0.5 %)
    const r = request(time, 'app', 50, 40);
    expect(q.maybeRecordRequestAndGetThrottleTimeMs(r, time.milliseconds())).toBe(0);
    expect(q.sensorValues()[0]!.rate).toBeCloseTo(0.5, 9);
    // encoding and writing the response: 15 ms; the 55 ms of network time once written
    r.times!.networkThreadTimeNanos += 15_000_000n;
    r.times!.recordNetworkThreadTimeCallback!(Number(r.times!.networkThreadTimeNanos));
    expect(q.sensorValues()[0]!.rate).toBeCloseTo(1.05, 9);
    // no throttle for it, but the next request of the client: (1.05 − 1) / 1 × 10 s
    expect(record(q, time, 'app', 0)).toBe(500);
  });

  it('keeps exempt requests out of the client’s quota: exempt-request-time only', () => {
    const time = new MockTime();
    const q = new ClientRequestQuotaManager({}, time);
    q.updateQuota(null, D, 1);
    const exempt = request(time, 'broker-2-fetcher-0', 3000);
    q.maybeRecordExempt(exempt);
    exempt.times!.recordNetworkThreadTimeCallback!(1_000_000_000);
    // 3 s handler + 1 s network time = 400 %·s over the 30 s minimum window of 2 × 30 s
    expect(q.exemptRequestTime()).toBeCloseTo(400 / 30, 9);
    expect(q.sensorValues()).toEqual([]);
    expect(record(q, time, 'broker-2-fetcher-0', 1)).toBe(0);
  });

  it('resolves the quota by user and client entity as the byte quotas do', () => {
    const time = new MockTime();
    const quotas = new ClientQuotas({}, time);
    const q = quotas.request;
    // a <default> user quota: every client of ANONYMOUS shares one sensor (user tags)
    quotas.updateQuotaConfig(D, null, { request_percentage: '1' });
    expect(q.quota(ANONYMOUS_USER, 'a')).toBe(1);
    expect(record(q, time, 'a', 60)).toBe(0);
    expect(record(q, time, 'b', 60)).toBeGreaterThan(0); // a's time counts for b
    expect(q.sensorValues().map((s) => s.tags)).toEqual([{ user: ANONYMOUS_USER, clientId: '' }]);
    // ANONYMOUS's own client 'c' entity comes first: its own sensor and bound
    quotas.updateQuotaConfig(ANONYMOUS_USER, 'c', { request_percentage: '50' });
    expect(q.quota(ANONYMOUS_USER, 'c')).toBe(50);
    expect(record(q, time, 'c', 500)).toBe(0);
    // a client-id quota only throttles that client
    const other = new ClientQuotas({}, time);
    other.updateQuotaConfig(null, 'a', { request_percentage: '1' });
    expect(record(other.request, time, 'a', 200)).toBeGreaterThan(0);
    expect(record(other.request, time, 'b', 5000)).toBe(0);
    // removed: no bound
    other.updateQuotaConfig(null, 'a', {});
    expect(record(other.request, time, 'a', 200)).toBe(0);
  });
});
