import { MockTime, createLogger } from '@kzoo/common';
import type { FetchRequest, FetchResponseTopic, ProduceRequest } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import { RequestTimes } from '../network/RequestTimes';
import type { BrokerContext } from '../server/BrokerContext';
import { ClientQuotas } from '../server/QuotaFactory';
import { handleProduce } from './00-produce';
import { handleFetch } from './01-fetch';

const KIB = 1024;

function setup() {
  const time = new MockTime();
  const quotas = new ClientQuotas({}, time);
  const fetched: FetchRequest[] = [];
  let fetchBytes = 0;
  /** How long the log append / read keeps the (mock) loop busy. */
  let busyMs = 0;
  const broker = {
    brokerId: 1,
    time,
    logger: createLogger('test'),
    clientQuotas: quotas,
    replicaManager: {
      appendRecords: async (_acks: number, _t: number, topics: ProduceRequest['topics']) => {
        time.tick(busyMs);
        return topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            index: p.index,
            errorCode: 0,
            baseOffset: 0,
            logAppendTimeMs: -1,
            logStartOffset: 0,
            errorMessage: null,
          })),
        }));
      },
      fetchMessages: async (req: FetchRequest): Promise<FetchResponseTopic[]> => {
        time.tick(busyMs);
        fetched.push(req);
        return [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 1,
                lastStableOffset: 1,
                logStartOffset: 0,
                records: Buffer.alloc(fetchBytes),
              },
            ],
          },
        ];
      },
    },
  } as unknown as BrokerContext;
  const throttles: number[] = [];
  /** A request of `clientId`; `timed`: the listener times it (a request quota is set). */
  const ctx = (clientId: string, timed = false) =>
    ({
      header: { apiKey: 0, apiVersion: 0, correlationId: 1, clientId },
      throttle: (ms: number) => throttles.push(ms),
      times: timed ? new RequestTimes(time, time.nanoseconds(), 0n) : undefined,
    }) as unknown as RequestContext;
  return {
    time,
    quotas,
    broker,
    ctx,
    throttles,
    fetched,
    setFetchBytes: (n: number) => (fetchBytes = n),
    setBusyMs: (ms: number) => (busyMs = ms),
  };
}

const produceOf = (bytes: number, acks = 1): ProduceRequest => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topics: [{ name: 't', partitions: [{ index: 0, records: Buffer.alloc(bytes) }] }],
});

const fetchOf = (replicaId = -1): FetchRequest => ({
  replicaId,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 50 * 1024 * 1024,
  isolationLevel: 0,
  topics: [
    {
      topic: 't',
      partitions: [
        {
          partition: 0,
          currentLeaderEpoch: -1,
          fetchOffset: 0,
          logStartOffset: -1,
          partitionMaxBytes: 1 << 20,
        },
      ],
    },
  ],
});

describe('broker > handlers > client quota throttling', () => {
  it('Produce: the record bytes count; over producer_byte_rate the response carries the throttle time and the connection is muted for it', async () => {
    const { quotas, broker, ctx, throttles } = setup();
    // no quota: nothing recorded, nothing throttled
    expect((await handleProduce(broker, produceOf(500 * KIB), ctx('app')))!.throttleTimeMs).toBe(0);
    quotas.updateQuotaConfig(null, 'app', { producer_byte_rate: String(100 * KIB) });
    // 1000 KiB in a 10 s window is exactly the quota
    expect((await handleProduce(broker, produceOf(1000 * KIB), ctx('app')))!.throttleTimeMs).toBe(
      0,
    );
    // 100 KiB more: (110 − 100) / 100 × 10 s
    const res = await handleProduce(broker, produceOf(100 * KIB), ctx('app'));
    expect(res!.throttleTimeMs).toBe(1000);
    expect(throttles).toEqual([1000]);
    // another client id is not limited by app's quota
    expect((await handleProduce(broker, produceOf(2000 * KIB), ctx('other')))!.throttleTimeMs).toBe(
      0,
    );
    // acks=0 has no response, but the connection is muted all the same
    expect(await handleProduce(broker, produceOf(100 * KIB, 0), ctx('app'))).toBeUndefined();
    expect(throttles).toEqual([1000, 2000]);
  });

  it('Fetch: capped at the quota window, throttled answers carry no data and count nothing; followers are never throttled', async () => {
    const { quotas, broker, ctx, throttles, fetched, setFetchBytes } = setup();
    quotas.updateQuotaConfig(null, '<default>', { consumer_byte_rate: String(100 * KIB) });
    setFetchBytes(600 * KIB);
    const first = await handleFetch(broker, fetchOf(), ctx('c'));
    expect(fetched[0]!.maxBytes).toBe(1000 * KIB); // 100 KiB/s × (11 − 1) × 1 s
    expect(first.throttleTimeMs).toBe(0);
    expect(first.responses[0]!.partitions[0]!.records.length).toBe(600 * KIB);
    const second = await handleFetch(broker, fetchOf(), ctx('c'));
    expect(second.throttleTimeMs).toBe(2000); // (120 − 100) / 100 × 10 s
    expect(second.responses).toEqual([]);
    expect(throttles).toEqual([2000]);
    // the throttled bytes were taken back: 600 KiB recorded, not 1200
    setFetchBytes(400 * KIB);
    expect((await handleFetch(broker, fetchOf(), ctx('c'))).throttleTimeMs).toBe(0);
    // a follower (replicaId >= 0) reads on, uncapped and unthrottled
    setFetchBytes(5000 * KIB);
    const follower = await handleFetch(broker, fetchOf(2), ctx('c'));
    expect(follower.throttleTimeMs).toBe(0);
    expect(fetched[fetched.length - 1]!.maxBytes).toBe(50 * 1024 * 1024);
    expect(throttles).toEqual([2000]);
  });

  it('Produce: the request time counts against request_percentage; the larger of the two throttles is taken (KIP-219); acks=0 is exempt', async () => {
    const { quotas, broker, ctx, throttles, setBusyMs } = setup();
    quotas.updateQuotaConfig(null, 'app', { request_percentage: '1' });
    setBusyMs(50); // each append keeps the loop 50 ms: 5 %·s
    for (let i = 0; i < 2; i++)
      expect((await handleProduce(broker, produceOf(KIB), ctx('app', true)))!.throttleTimeMs).toBe(
        0,
      );
    // 15 %·s over ~10 s: over 1 %, the throttle bounded at one window
    expect((await handleProduce(broker, produceOf(KIB), ctx('app', true)))!.throttleTimeMs).toBe(
      1000,
    );
    expect(throttles).toEqual([1000]);
    expect(quotas.request.sensorValues()[0]!.throttleTimeMs).toBe(1000);
    // with producer_byte_rate too, the byte throttle is the larger: it is the one taken
    quotas.updateQuotaConfig(null, 'app', {
      request_percentage: '1',
      producer_byte_rate: String(100 * KIB),
    });
    const res = await handleProduce(broker, produceOf(1500 * KIB), ctx('app', true));
    expect(res!.throttleTimeMs).toBeGreaterThan(1000);
    expect(throttles).toEqual([1000, res!.throttleTimeMs]);
    expect(quotas.produce.sensorValues()[0]!.throttleTimeMs).toBe(res!.throttleTimeMs);
    // acks=0: no request throttle (only the byte quota mutes it); its time is exempt
    quotas.updateQuotaConfig(null, 'app', { request_percentage: '1' });
    const exemptBefore = quotas.request.exemptRequestTime();
    expect(await handleProduce(broker, produceOf(KIB, 0), ctx('app', true))).toBeUndefined();
    expect(throttles).toHaveLength(2);
    expect(quotas.request.exemptRequestTime()).toBeGreaterThan(exemptBefore);
  });

  it('Fetch: over request_percentage the answer is empty and its bytes do not count; a follower’s time is exempt', async () => {
    const { quotas, broker, ctx, throttles, setFetchBytes, setBusyMs } = setup();
    quotas.updateQuotaConfig(null, 'c', {
      request_percentage: '1',
      consumer_byte_rate: String(1000 * KIB),
    });
    setFetchBytes(100 * KIB);
    setBusyMs(50);
    for (let i = 0; i < 2; i++)
      expect((await handleFetch(broker, fetchOf(), ctx('c', true))).throttleTimeMs).toBe(0);
    const throttled = await handleFetch(broker, fetchOf(), ctx('c', true));
    expect(throttled).toEqual({ throttleTimeMs: 1000, errorCode: 0, responses: [] });
    expect(throttles).toEqual([1000]);
    // the request throttle is the one recorded; the 100 KiB read were taken back
    expect(quotas.request.sensorValues()[0]!.throttleTimeMs).toBe(1000);
    expect(quotas.fetch.sensorValues()[0]!.throttleTimeMs).toBe(0);
    // (fetches 50 ms apart from the first: 200 KiB over 10.1 s, not 300 KiB)
    expect(quotas.fetch.sensorValues()[0]!.rate).toBeCloseTo((200 * KIB) / 10.1, 6);
    // followers read on, whatever their time; it counts as exempt
    const exemptBefore = quotas.request.exemptRequestTime();
    for (let i = 0; i < 5; i++)
      expect((await handleFetch(broker, fetchOf(2), ctx('c', true))).throttleTimeMs).toBe(0);
    expect(throttles).toEqual([1000]);
    expect(quotas.request.exemptRequestTime()).toBeGreaterThan(exemptBefore);
  });
});
