import { ErrorCode, KafkaError, MockTime, createLogger } from '@kzoo/common';
import { ApiKeys, KAFKA_API_VERSIONS, apiRegistry, type HeartbeatRequest } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from './BrokerContext';
import { API_HANDLERS, KafkaApis, type AnyHandler } from './KafkaApis';

const time = new MockTime();
const broker = {
  brokerId: 1,
  time,
  logger: createLogger('test'),
  controller: () => null,
  groupCoordinator: () => null,
  clusterId: () => 'c',
} as unknown as BrokerContext;

function ctx(apiKey: number, body: unknown = {}): RequestContext & { closed: boolean } {
  const c = {
    header: { apiKey, apiVersion: 0, correlationId: 7, clientId: 'test' },
    body,
    connectionId: 'conn',
    clientAddress: '127.0.0.1:1',
    listenerName: 'PLAINTEXT',
    wire: 'kzoo' as const,
    apiVersions: apiRegistry.ranges,
    closed: false,
    closeConnection: () => {
      c.closed = true;
    },
  };
  return c;
}

const heartbeats: HeartbeatRequest[] = [];
const table: Record<number, AnyHandler> = {
  [ApiKeys.Heartbeat]: ((_b: BrokerContext, req: HeartbeatRequest) => {
    heartbeats.push(req);
    return { throttleTimeMs: 0, errorCode: 0 };
  }) as AnyHandler,
};

describe('broker > KafkaApis', () => {
  it('has a handler for every API either wire protocol advertises, and no other', () => {
    const handled = Object.keys(API_HANDLERS)
      .map(Number)
      .sort((a, b) => a - b);
    const advertised = new Set([
      ...apiRegistry.ranges.map((r) => r.apiKey),
      ...KAFKA_API_VERSIONS.map((r) => r.apiKey),
    ]);
    expect(handled).toEqual([...advertised].sort((a, b) => a - b));
    expect(new KafkaApis(broker).apiKeys).toEqual(handled);
  });

  it('answers a key without a handler with UNSUPPORTED_VERSION', () => {
    const apis = new KafkaApis(broker, table);
    expect(() => apis.handle(ctx(ApiKeys.Fetch))).toThrow(KafkaError);
    expect(apis.handles(ApiKeys.Fetch)).toBe(false);
    expect(apis.handles(ApiKeys.Heartbeat)).toBe(true);
  });

  describe('controlKey (fault hook)', () => {
    const hb = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

    it('answers with an injected error, drops, closes, or passes through', () => {
      const apis = new KafkaApis(broker, table);
      heartbeats.length = 0;
      let n = 0;
      const remove = apis.controlKey(ApiKeys.Heartbeat, () => {
        n++;
        if (n === 1) return { error: 'NOT_COORDINATOR' };
        if (n === 2) return { drop: true };
        if (n === 3) return { close: true };
        return undefined;
      });
      let err: unknown;
      try {
        apis.handle(ctx(ApiKeys.Heartbeat, hb));
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: ErrorCode.NOT_COORDINATOR });
      expect(apis.handle(ctx(ApiKeys.Heartbeat, hb))).toBeUndefined();
      const c = ctx(ApiKeys.Heartbeat, hb);
      expect(apis.handle(c)).toBeUndefined();
      expect(c.closed).toBe(true);
      expect(heartbeats).toHaveLength(0);
      expect(apis.handle(ctx(ApiKeys.Heartbeat, hb))).toEqual({ throttleTimeMs: 0, errorCode: 0 });
      expect(heartbeats).toHaveLength(1);
      remove();
      apis.handle(ctx(ApiKeys.Heartbeat, hb));
      expect(n).toBe(4);
      expect(heartbeats).toHaveLength(2);
    });

    it('delays a request on the broker clock, and sees which wire and listener it came on', async () => {
      const apis = new KafkaApis(broker, table);
      heartbeats.length = 0;
      const seen: string[] = [];
      apis.controlKey(ApiKeys.Heartbeat, (r) => {
        seen.push(`${r.wire}/${r.listenerName}/${r.clientId}`);
        return { delayMs: 500 };
      });
      const p = apis.handle(ctx(ApiKeys.Heartbeat, hb)) as Promise<unknown>;
      await Promise.resolve();
      time.tick(499);
      await Promise.resolve();
      expect(heartbeats).toHaveLength(0);
      time.tick(1);
      await expect(p).resolves.toEqual({ throttleTimeMs: 0, errorCode: 0 });
      expect(heartbeats).toHaveLength(1);
      expect(seen).toEqual(['kzoo/PLAINTEXT/test']);
      apis.clearControls();
      expect(apis.handle(ctx(ApiKeys.Heartbeat, hb))).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    });
  });
});
