/**
 * What one request costs end to end, against the per-message floor (loopbackRoundTrip):
 * requests sent one at a time from this process over kzoo's own Connection to broker
 * processes, and the CPU of every process involved (the brokers from /proc, this process
 * from process.cpuUsage) per request. One in flight, so each request pays its whole path:
 * wake-ups, system calls, framing, decode, the handler, the encode — and for an acks=all
 * produce on RF=3 the replication it waits for (the followers' fetch responses and their
 * next fetches that move the high watermark). A latency run at a set load is made of such
 * requests; this says which part of their cost is the machine's floor and which is kzoo's.
 */
import { Admin } from '@kzoo/client';
import { Connection } from '@kzoo/protocol';
import { buildRecordBatch } from '@kzoo/records';
import { processCpuTimesMs } from '../perf/self-stats';

export interface BudgetBroker {
  id: number;
  port: number;
  pid: number | undefined;
}

export interface RequestCost {
  /** Wall time per request, µs. */
  wallUs: number;
  /** CPU per request of each broker (in the order given), µs. */
  brokersUs: number[];
  /** CPU per request of this process (the client), µs. */
  clientUs: number;
  /** All of it: brokers and client. */
  totalUs: number;
}

/** The records of a produce in the budget: 130 of 100 bytes (one ~13 KiB batch). */
export const BUDGET_RECORDS = 130;
const RECORD_BYTES = 100;
/** Unmeasured requests before each round of the one-broker budget. */
const WARMUP = 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (pid: number | undefined) => {
  const t = pid === undefined ? undefined : processCpuTimesMs(pid);
  return t ? t.userMs + t.systemMs : NaN;
};

/**
 * Runs `send` `count` times one after the other (after `warmup` unmeasured ones), `rounds`
 * times; returns the round with the median total CPU.
 */
async function measure(
  brokers: BudgetBroker[],
  send: () => Promise<unknown>,
  count: number,
  warmup: number,
  rounds: number,
): Promise<RequestCost> {
  const results: RequestCost[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < warmup; i++) await send();
    const b0 = brokers.map((b) => cpuMs(b.pid));
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await send();
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / count;
    const c = process.cpuUsage(c0);
    const brokersUs = brokers.map((b, i) => ((cpuMs(b.pid) - b0[i]) * 1000) / count);
    const clientUs = (c.user + c.system) / count;
    results.push({
      wallUs,
      brokersUs,
      clientUs,
      totalUs: clientUs + brokersUs.reduce((a, x) => a + x, 0),
    });
  }
  // Without /proc the brokers' CPU is NaN: then the first round (its wall time stands).
  const m = median(results.map((x) => x.totalUs));
  return results.find((x) => x.totalUs === m) ?? results[0];
}

/** The leader of partition 0 of `topic` (a new topic of 1 partition, waited for). */
async function createOnePartition(bootstrap: string, topic: string, rf: number): Promise<number> {
  const admin = new Admin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: rf }]);
    const end = Date.now() + 60000;
    for (;;) {
      const [d] = await admin.describeTopics([topic]).catch(() => [undefined]);
      const p = d?.partitions[0];
      if (p && p.leader >= 0 && p.isr.length === rf) return p.leader;
      if (Date.now() > end) throw new Error(`topic ${topic}: no leader and full ISR after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.close();
  }
}

export interface SingleBrokerBudget {
  apiVersions: RequestCost;
  produce: RequestCost;
  fetch: RequestCost;
}

/**
 * One broker: ApiVersions (the request path with no work behind it), a Produce of one
 * batch of BUDGET_RECORDS records with acks=1, and a Fetch of one such batch.
 */
export async function singleBrokerBudget(
  broker: BudgetBroker,
  topic: string,
  count = 10000,
  rounds = 3,
): Promise<SingleBrokerBudget> {
  await createOnePartition(`127.0.0.1:${broker.port}`, topic, 1);
  const conn = await Connection.connect({ host: '127.0.0.1', port: broker.port });
  try {
    const batch = budgetBatch();
    const brokers = [broker];
    const apiVersions = await measure(
      brokers,
      () => conn.request(18, 0, { clientSoftwareName: 'kzoo-bench', clientSoftwareVersion: '0' }),
      count,
      WARMUP,
      rounds,
    );
    const produce = await measure(
      brokers,
      async () => {
        const res = await conn.request(0, 0, produceBody(topic, batch, 1));
        const code = res.topics[0]?.partitions[0]?.errorCode;
        if (code !== 0) throw new Error(`budget produce: error ${code}`);
      },
      count,
      WARMUP,
      rounds,
    );
    // Every produce above appended one batch: fetch them back one by one, round after round.
    const batches = (count + WARMUP) * rounds;
    let next = 0;
    const fetch = await measure(
      brokers,
      async () => {
        const offset = (next++ % batches) * BUDGET_RECORDS;
        const res = await conn.request(1, 0, {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: batch.length,
          isolationLevel: 0,
          topics: [
            {
              topic,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: -1,
                  fetchOffset: offset,
                  logStartOffset: -1,
                  partitionMaxBytes: batch.length,
                },
              ],
            },
          ],
        });
        const p = res.responses[0]?.partitions[0];
        if (!p || p.errorCode !== 0 || p.records.length !== batch.length)
          throw new Error(
            `budget fetch at ${offset}: error ${p?.errorCode}, ${p?.records.length} bytes`,
          );
      },
      count,
      WARMUP,
      rounds,
    );
    return { apiVersions, produce, fetch };
  } finally {
    await conn.close();
  }
}

/**
 * Three brokers, RF=3, min.insync.replicas as the brokers have it: a Produce of one batch
 * with acks=all, to the leader; the cost of each broker, the leader first.
 */
export async function replicatedProduceBudget(
  brokers: BudgetBroker[],
  topic: string,
  count = 5000,
  rounds = 3,
): Promise<RequestCost & { leader: number }> {
  const bootstrap = brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
  const leaderId = await createOnePartition(bootstrap, topic, brokers.length);
  const leader = brokers.find((b) => b.id === leaderId);
  if (!leader) throw new Error(`budget topic ${topic}: leader ${leaderId} is not a bench broker`);
  const ordered = [leader, ...brokers.filter((b) => b !== leader)];
  const conn = await Connection.connect({ host: '127.0.0.1', port: leader.port });
  try {
    const batch = budgetBatch();
    const cost = await measure(
      ordered,
      async () => {
        const res = await conn.request(0, 0, produceBody(topic, batch, -1));
        const code = res.topics[0]?.partitions[0]?.errorCode;
        if (code !== 0) throw new Error(`budget acks=all produce: error ${code}`);
      },
      count,
      500,
      rounds,
    );
    return { ...cost, leader: leaderId };
  } finally {
    await conn.close();
  }
}

function budgetBatch(): Buffer {
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  return buildRecordBatch({
    records: Array.from({ length: BUDGET_RECORDS }, () => ({ value })),
  });
}

function produceBody(topic: string, records: Buffer, acks: number) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 30000,
    topics: [{ name: topic, partitions: [{ index: 0, records }] }],
  };
}

/**
 * Both budgets, a line each request, against `floorCpuUs` (loopbackRoundTrip's CPU per round
 * trip); returns the body of the SUMMARY line, or undefined when a budget failed (printed:
 * the bench's other figures stand).
 */
export async function printRequestBudget(
  single: BudgetBroker,
  three: BudgetBroker[],
  floorCpuUs: number,
): Promise<string | undefined> {
  console.log(
    `\n## per-request budget: requests one at a time from this process over kzoo's Connection, ` +
      `CPU of every process per request (the floor: ${floorCpuUs.toFixed(1)} µs per round trip)`,
  );
  let one: SingleBrokerBudget;
  let rf3: RequestCost & { leader: number };
  try {
    one = await singleBrokerBudget(single, 'budget-1');
    rf3 = await replicatedProduceBudget(three, 'budget-3');
  } catch (e) {
    console.log(`# per-request budget failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
  // `trips`: the round trips between processes the request makes (an acks=all produce on
  // RF=3: the producer's, and each follower's fetch response and its next fetch).
  const line = (what: string, c: RequestCost, brokers: string, trips = 1) =>
    console.log(
      `${what}: ${c.wallUs.toFixed(1)} µs wall, CPU ${brokers} + client ` +
        `${c.clientUs.toFixed(1)} = ${c.totalUs.toFixed(1)} µs ` +
        `(${(c.totalUs / (trips * floorCpuUs)).toFixed(2)}× the floor of its ${trips} round trip${trips > 1 ? 's' : ''})`,
    );
  const broker = (c: RequestCost) => `broker ${c.brokersUs[0].toFixed(1)}`;
  line('ApiVersions -> 1 broker', one.apiVersions, broker(one.apiVersions));
  line(
    `Produce of ${BUDGET_RECORDS} records, acks=1 -> 1 broker`,
    one.produce,
    broker(one.produce),
  );
  line(`Fetch of one ${BUDGET_RECORDS}-record batch <- 1 broker`, one.fetch, broker(one.fetch));
  const [lead, ...followers] = rf3.brokersUs;
  line(
    `Produce of ${BUDGET_RECORDS} records, acks=all -> 3 brokers, RF=3`,
    rf3,
    `leader ${lead.toFixed(1)} + followers ${followers.map((f) => f.toFixed(1)).join(' + ')}`,
    1 + followers.length,
  );
  const cpu = (c: RequestCost) => `${c.totalUs.toFixed(1)} us cpu ${c.wallUs.toFixed(1)} us wall`;
  return (
    `apiversions-1 ${cpu(one.apiVersions)}; produce-acks1-1 ${cpu(one.produce)}; ` +
    `fetch-1 ${cpu(one.fetch)}; produce-all-rf3 ${cpu(rf3)} (brokers ` +
    `${rf3.brokersUs.reduce((a, x) => a + x, 0).toFixed(1)} us, leader first ` +
    `${rf3.brokersUs.map((x) => x.toFixed(1)).join(' ')}); ${BUDGET_RECORDS} records of 100 B per produce`
  );
}
