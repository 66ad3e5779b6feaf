/**
 * Prometheus metrics with broker processes (compiled JS: run `npx tsc -b` first): each
 * broker serves /metrics on its own kzoo.metrics.port, with Kafka's names as the JMX
 * exporter maps them; the values are checked against the cluster's state (ZooKeeper's
 * controller, a follower SIGKILLed, a produce).
 */
import { ApiKeys, Connection } from '@kzoo/protocol';
import { freePorts, waitFor } from '@kzoo/testkit';
import { onCleanup, TestCluster } from '@kzoo/testkit/jest';
import { batchOf, randomTopic } from './cluster';

type Samples = Map<string, number>;

/** GET /metrics, parsed into `name{labels}` -> value (labels as printed). */
async function scrape(port: number): Promise<Samples> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics on ${port}: ${res.status}`);
  const out: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('Broker > metrics (processes)', () => {
  it('serves Kafka-named metrics whose values follow the cluster: one active controller, under-replicated after a follower dies, bytes in after a produce', async () => {
    const cluster = await TestCluster.start({ brokers: [], sessionTimeoutMs: 4000 });
    const ports = await freePorts(3);
    const metricsPort = new Map<number, number>();
    await Promise.all(
      [1, 2, 3].map((id) => {
        metricsPort.set(id, ports[id - 1]);
        return cluster.startBroker(id, {
          'kzoo.metrics.port': ports[id - 1],
          'replica.fetch.wait.max.ms': 100,
        });
      }),
    );
    const scrapeOf = (id: number) => scrape(metricsPort.get(id)!);

    // Active controller count: 1 on exactly the broker /controller names, 0 on the others.
    const controller = (await cluster.waitForController()).brokerId;
    await waitFor(
      'ActiveControllerCount 1 on the controller only',
      async () => {
        const counts = await Promise.all(
          [1, 2, 3].map(async (id) =>
            (await scrapeOf(id)).get('kafka_controller_kafkacontroller_activecontrollercount'),
          ),
        );
        return counts.join(',') === [1, 2, 3].map((id) => (id === controller ? 1 : 0)).join(',');
      },
      { timeoutMs: 20000 },
    );

    // A topic led by 1, replicated on all three, fully in sync.
    const topic = randomTopic();
    const c1 = await Connection.connect({ host: '127.0.0.1', port: cluster.broker(1).port });
    onCleanup(() => c1.close());
    const created = await c1.request(ApiKeys.CreateTopics, 0, {
      topics: [
        {
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }],
          configs: [],
        },
      ],
      timeoutMs: 15000,
      validateOnly: false,
    });
    expect(created.topics[0].errorCode).toBe(0);
    await waitFor(
      'broker 1 to lead the partition with a full ISR',
      async () => {
        const m = await scrapeOf(1);
        return (
          m.get('kafka_server_replicamanager_leadercount') === 1 &&
          m.get('kafka_server_replicamanager_underreplicatedpartitions') === 0
        );
      },
      { timeoutMs: 20000 },
    );

    // Bytes in and messages in grow on the leader by what it appended.
    const before = await scrapeOf(1);
    const batch = batchOf([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const produced = await c1.request(ApiKeys.Produce, 0, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10000,
      topics: [{ name: topic, partitions: [{ index: 0, records: batch }] }],
    });
    expect(produced.topics[0].partitions[0].errorCode).toBe(0);
    const after = await scrapeOf(1);
    const perTopic = `{topic="${topic}"}`;
    expect(before.get(`kafka_server_brokertopicmetrics_bytesin_total${perTopic}`)).toBeUndefined();
    expect(after.get(`kafka_server_brokertopicmetrics_bytesin_total${perTopic}`)).toBe(
      batch.length,
    );
    expect(after.get(`kafka_server_brokertopicmetrics_messagesin_total${perTopic}`)).toBe(3);
    expect(
      (after.get('kafka_server_brokertopicmetrics_bytesin_total') ?? 0) -
        (before.get('kafka_server_brokertopicmetrics_bytesin_total') ?? 0),
    ).toBe(batch.length);
    // The followers fetched it: replication bytes out on the leader, no client bytes in elsewhere.
    await waitFor(
      'the followers to fetch the batch',
      async () =>
        ((await scrapeOf(1)).get(
          `kafka_server_brokertopicmetrics_replicationbytesout_total${perTopic}`,
        ) ?? 0) >=
        2 * batch.length,
      { timeoutMs: 20000 },
    );
    for (const id of [2, 3])
      expect(
        (await scrapeOf(id)).get(`kafka_server_brokertopicmetrics_bytesin_total${perTopic}`),
      ).toBeUndefined();
    // The follower side, as Kafka names it: each follower's fetcher thread from broker 1 sent
    // fetches and appended the batch (FetcherStats), and its lag behind the leader's high
    // watermark (FetcherLagMetrics, and the broker's MaxLag) is 0 once it caught up.
    const fetcher = 'clientId="ReplicaFetcherThread-0-1"';
    const lagOf = `kafka_server_fetcherlagmetrics_consumerlag{${fetcher},topic="${topic}",partition="0"}`;
    for (const id of [2, 3]) {
      await waitFor(
        `broker ${id} caught up: ConsumerLag and MaxLag 0`,
        async () => {
          const m = await scrapeOf(id);
          return (
            m.get(lagOf) === 0 &&
            m.get('kafka_server_replicafetchermanager_maxlag{clientId="Replica"}') === 0
          );
        },
        { timeoutMs: 20000 },
      );
      const m = await scrapeOf(id);
      expect(m.get(`kafka_server_fetcherstats_requests_total{${fetcher}}`)).toBeGreaterThan(0);
      expect(m.get(`kafka_server_fetcherstats_bytes_total{${fetcher}}`)).toBe(batch.length);
    }
    // The leader follows nothing here: no lag series for the partition.
    expect((await scrapeOf(1)).get(lagOf)).toBeUndefined();
    // Idle now: the followers' fetches park on leader 1 and expire every
    // replica.fetch.wait.max.ms (100 ms); no consumer fetched, no produce timed out.
    await waitFor(
      'parked follower fetches expiring on the leader',
      async () =>
        ((await scrapeOf(1)).get(
          'kafka_server_delayedfetchmetrics_expires_total{fetcherType="follower"}',
        ) ?? 0) >= 2,
      { timeoutMs: 20000 },
    );
    const idle = await scrapeOf(1);
    expect(idle.get('kafka_server_delayedfetchmetrics_expires_total{fetcherType="consumer"}')).toBe(
      0,
    );
    expect(idle.get('kafka_server_delayedproducemetrics_expires_total')).toBe(0);
    expect(
      idle.get('kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Produce"}'),
    ).toBe(0);
    expect(
      idle.get('kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Fetch"}'),
    ).toBeLessThanOrEqual(2); // at most one parked fetch per follower
    // The produce was timed under Kafka's request name.
    expect(
      after.get('kafka_network_requestmetrics_totaltimems_count{request="Produce"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(after.get('kafka_server_sessionexpirelistener_sessionstate{state="CONNECTED"}')).toBe(1);
    expect(
      after.get('kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms_count'),
    ).toBeGreaterThan(0);

    // A follower (not the controller) SIGKILLed: once its session expires, the controller
    // takes it out of the ISR and the partition is under-replicated — on the leader only.
    const victim = [2, 3].find((id) => id !== controller)!;
    const survivors = [1, 2, 3].filter((id) => id !== victim);
    await cluster.broker(victim).kill('SIGKILL');
    await waitFor(
      `UnderReplicatedPartitions 1 on leader 1 (and 1 summed over brokers ${survivors})`,
      async () => {
        const urp = await Promise.all(
          survivors.map(
            async (id) =>
              (await scrapeOf(id)).get('kafka_server_replicamanager_underreplicatedpartitions') ??
              -1,
          ),
        );
        return urp[0] === 1 && urp.reduce((a, b) => a + b, 0) === 1;
      },
      { timeoutMs: 30000 },
    );
    // The controller's BrokerChange was timed; no partition went offline.
    const c = await scrapeOf(controller);
    expect(
      c.get('kafka_controller_controllerstats_leaderelectionrateandtimems_count'),
    ).toBeGreaterThanOrEqual(1);
    expect(c.get('kafka_controller_kafkacontroller_offlinepartitionscount')).toBe(0);
    expect(c.get('kafka_controller_controllerstats_uncleanleaderelections_total')).toBe(0);

    // Only GET /metrics is served.
    const res = await fetch(`http://127.0.0.1:${metricsPort.get(1)}/other`);
    expect(res.status).toBe(404);
  });
});
