import { LONG_MAX, MockTime } from '@kzoo/common';
import {
  ANONYMOUS_USER,
  ClientIdConfigHandler,
  ClientQuotaManager,
  UserConfigHandler,
} from './ClientQuotaManager';
import { ClientQuotas } from './QuotaFactory';

const D = '<default>';
const U = ANONYMOUS_USER;

describe('broker > server > ClientQuotaManager', () => {
  describe("resolution order over Kafka's eight entity levels", () => {
    it('takes the most specific quota set, and falls back as quotas are removed', () => {
      const q = new ClientQuotaManager('Produce', {}, new MockTime());
      const levels: Array<[string | null, string | null, number]> = [
        [null, D, 10], // /config/clients/<default>
        [null, 'c', 20], // /config/clients/c
        [D, null, 30], // /config/users/<default>
        [D, D, 40], // /config/users/<default>/clients/<default>
        [D, 'c', 50], // /config/users/<default>/clients/c
        [U, null, 60], // /config/users/ANONYMOUS
        [U, D, 70], // /config/users/ANONYMOUS/clients/<default>
        [U, 'c', 80], // /config/users/ANONYMOUS/clients/c
      ];
      // [quota of client c, quota of another client] once each level is set, in turn
      const expected: Array<[number, number]> = [
        [10, 10],
        [20, 10],
        [30, 30],
        [40, 40],
        [50, 40],
        [60, 60],
        [70, 70],
        [80, 70],
      ];
      expect(q.quota(U, 'c')).toBe(LONG_MAX);
      levels.forEach(([user, clientId, bound], i) => {
        q.updateQuota(user, clientId, bound);
        expect([q.quota(U, 'c'), q.quota(U, 'other')]).toEqual(expected[i]);
        // another user: ANONYMOUS's own quotas are not hers
        expect(q.quota('alice', 'c')).toBe([10, 20, 30, 40, 50, 50, 50, 50][i]);
      });
      for (let i = levels.length - 1; i > 0; i--) {
        const [user, clientId] = levels[i]!;
        q.updateQuota(user, clientId, null);
        expect([q.quota(U, 'c'), q.quota(U, 'other')]).toEqual(expected[i - 1]);
      }
      q.updateQuota(null, D, null);
      expect(q.quota(U, 'c')).toBe(LONG_MAX);
    });

    it("measures under Kafka's metric tags: per client with client-id quotas, per user with user quotas", () => {
      const q = new ClientQuotaManager('Fetch', {}, new MockTime());
      q.updateQuota(null, 'c', 100);
      expect(q.quotaMetricTags(U, 'c')).toEqual({ user: '', clientId: 'c' });
      const users = new ClientQuotaManager('Fetch', {}, new MockTime());
      users.updateQuota(D, null, 100);
      expect(users.quotaMetricTags(U, 'c')).toEqual({ user: U, clientId: '' });
      // two levels: the level in force decides
      users.updateQuota(null, 'c', 50);
      expect(users.quotaMetricTags(U, 'c')).toEqual({ user: U, clientId: '' });
      users.updateQuota(D, null, null);
      expect(users.quotaMetricTags(U, 'c')).toEqual({ user: '', clientId: 'c' });
    });
  });

  describe('recordAndGetThrottleTimeMs', () => {
    it('throttles an overshoot for (O − T) / T × W, W at least ten one-second windows', () => {
      const time = new MockTime();
      const q = new ClientQuotaManager('Produce', {}, time);
      q.updateQuota(null, 'c', 1000);
      // 10,000 bytes over the minimum window of 10 s is exactly the quota
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 10000)).toBe(0);
      // 11,000 bytes: O = 1100 B/s, (1100 − 1000) / 1000 × 10 s = 1000 ms
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 1000)).toBe(1000);
      // another client is measured apart
      expect(q.recordAndGetThrottleTimeMs(U, 'other', 1000)).toBe(0);
      // 20 s later the samples are gone: back within the quota
      time.tick(20000);
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 5000)).toBe(0);
    });

    it('keeps a client that waits out its throttle times at the quota (simulated 120 s)', () => {
      const time = new MockTime();
      const q = new ClientQuotaManager('Produce', {}, time);
      const bound = 100 * 1024;
      q.updateQuota(null, 'c', bound);
      const start = time.milliseconds();
      let bytes = 0;
      let throttled = 0;
      // a client that could send 16 KiB every 10 ms (1.6 MB/s) if left alone
      while (time.milliseconds() - start < 120000) {
        bytes += 16384;
        const t = q.recordAndGetThrottleTimeMs(U, 'c', 16384);
        if (t > 0) throttled++;
        time.tick(10 + t);
      }
      const rate = bytes / ((time.milliseconds() - start) / 1000);
      expect(throttled).toBeGreaterThan(0);
      // at most the quota plus the first ten windows' allowance spread over the run
      expect(rate).toBeLessThan(bound * 1.15);
      expect(rate).toBeGreaterThan(bound * 0.85);
    });

    it('stops throttling once the quota is removed', () => {
      const time = new MockTime();
      const q = new ClientQuotaManager('Produce', {}, time);
      q.updateQuota(null, D, 1000);
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 50000)).toBeGreaterThan(0);
      q.updateQuota(null, D, null);
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 50000)).toBe(0);
    });

    it('records nothing before any quota exists, and caps a fetch at the quota window', () => {
      const q = new ClientQuotaManager('Fetch', {}, new MockTime());
      expect(q.quotasEnabled).toBe(false);
      expect(q.maybeRecordAndGetThrottleTimeMs(U, 'c', 1e12)).toBe(0);
      expect(q.sensorValues()).toEqual([]);
      expect(q.getMaxValueInQuotaWindow(U, 'c')).toBe(Infinity);
      q.updateQuota(null, 'c', 2000);
      expect(q.quotasEnabled).toBe(true);
      expect(q.getMaxValueInQuotaWindow(U, 'c')).toBe(2000 * 10);
      expect(q.getMaxValueInQuotaWindow(U, 'other')).toBe(Infinity);
    });

    it('takes back an unrecorded fetch, and averages throttle times for the metrics', () => {
      const time = new MockTime();
      const q = new ClientQuotaManager('Fetch', {}, time);
      q.updateQuota(null, 'c', 1000);
      const t = q.recordAndGetThrottleTimeMs(U, 'c', 30000);
      expect(t).toBe(20000); // 3000 B/s over a 10 s window: (3000 − 1000) / 1000 × 10 s
      q.unrecordQuotaSensor(U, 'c', 30000);
      q.throttle(U, 'c', t);
      q.throttle(U, 'c', 1000);
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 1000)).toBe(0);
      expect(q.sensorValues()).toEqual([
        { tags: { user: '', clientId: 'c' }, rate: 100, throttleTimeMs: 10500 },
      ]);
    });

    it('honours quota.window.num and quota.window.size.seconds', () => {
      const time = new MockTime();
      const q = new ClientQuotaManager(
        'Produce',
        { numQuotaSamples: 3, quotaWindowSizeSeconds: 2 },
        time,
      );
      q.updateQuota(null, 'c', 1000);
      // minimum window (3 − 1) × 2 s = 4 s: 5000 bytes is 1250 B/s, 1000 ms over
      expect(q.recordAndGetThrottleTimeMs(U, 'c', 5000)).toBe(1000);
      expect(() => new ClientQuotaManager('Produce', { numQuotaSamples: 0 })).toThrow(
        /at least one sample of at least one second, got 0 × 1000 ms/,
      );
    });
  });

  describe('config handlers (clients, users, users/<u>/clients/<c>)', () => {
    it('apply each entity’s complete quota set to the three managers', () => {
      const quotas = new ClientQuotas({}, new MockTime());
      new ClientIdConfigHandler(quotas).processConfigChanges('app%201', {
        producer_byte_rate: '1024',
        consumer_byte_rate: '2048',
      });
      expect(quotas.produce.quota(U, 'app 1')).toBe(1024);
      expect(quotas.fetch.quota(U, 'app 1')).toBe(2048);
      const users = new UserConfigHandler(quotas);
      users.processConfigChanges('ANONYMOUS/clients/app%201', { request_percentage: '50' });
      expect(quotas.request.entityQuota(U, 'app 1')).toBe(50);
      users.processConfigChanges('<default>', { producer_byte_rate: '512' });
      expect(quotas.produce.quota(U, 'app 1')).toBe(512); // a user quota beats a client-id one
      users.processConfigChanges('<default>', {});
      expect(quotas.produce.quota(U, 'app 1')).toBe(1024);
      new ClientIdConfigHandler(quotas).processConfigChanges('app%201', {});
      expect(quotas.produce.quota(U, 'app 1')).toBe(LONG_MAX);
      expect(() => users.processConfigChanges('a/b', {})).toThrow(
        /Invalid quota entity path: a\/b/,
      );
    });
  });
});
