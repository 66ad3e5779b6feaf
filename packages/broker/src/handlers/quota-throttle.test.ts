import { MockTime, createLogger } from '@kzoo/common';
import type { FetchRequest, FetchResponseTopic, ProduceRequest } from '@kzoo/protocol';
import type { RequestContext } from '../network';
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
  const broker = {
    brokerId: 1,
    time,
    logger: createLogger('test'),
    clientQuotas: quotas,
    replicaManager: {
      appendRecords: async (_acks: number, _t: number, topics: ProduceRequest['topics']) =>
        topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            index: p.index,
            errorCode: 0,
            baseOffset: 0,
            logAppendTimeMs: -1,
            logStartOffset: 0,
            errorMessage: null,
          })),
        })),
      fetchMessages: async (req: FetchRequest): Promise<FetchResponseTopic[]> => {
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
  const ctx = (clientId: string) =>
    ({
      header: { apiKey: 0, apiVersion: 0, correlationId: 1, clientId },
      throttle: (ms: number) => throttles.push(ms),
    }) as unknown as RequestContext;
  return {
    time,
    quotas,
    broker,
    ctx,
    throttles,
    fetched,
    setFetchBytes: (n: number) => (fetchBytes = n),
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
});
