import { KafkaError, createLogger } from '@kzoo/common';
import { Admin, Consumer, Producer, type ConsumerRecord } from '@kzoo/client';
import { murmur2, toPositive } from '@kzoo/records';
import { waitFor } from '@kzoo/testkit';
import { onCleanup } from '@kzoo/testkit/jest';
import { createTopic, randomTopic, startTestBroker, type TestBroker } from './harness';

let tb: TestBroker;

beforeAll(async () => {
  tb = await startTestBroker();
});

function producer(config: Record<string, string | number> = {}): Producer {
  const p = new Producer({ 'bootstrap.servers': tb.bootstrap, acks: 1, ...config });
  onCleanup(() => p.close({ timeoutMs: 1000 }));
  return p;
}

function consumer(config: Record<string, string | number> = {}): Consumer {
  const c = new Consumer({
    'bootstrap.servers': tb.bootstrap,
    'auto.offset.reset': 'earliest',
    ...config,
  });
  onCleanup(() => c.close());
  return c;
}

/** Polls until `n` records arrived (or fails after `timeoutMs`). */
async function pollN(c: Consumer, n: number, timeoutMs = 15000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`got ${out.length} of ${n} records in ${timeoutMs} ms`);
    out.push(...(await c.poll(Math.min(left, 1000))));
  }
  return out;
}

const str = (b: Buffer | null) => (b === null ? null : b.toString());

describe('Client > Producer and Consumer', () => {
  test('keyed records go to murmur2 partitions and come back in order with their offsets', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 3);
    const p = producer();
    const records = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 7}`,
      value: `value-${i}`,
      headers: { h: `x${i}` },
    }));
    const meta = await p.send(topic, records);
    expect(meta).toHaveLength(30);
    meta.forEach((m, i) => {
      expect(m.topic).toBe(topic);
      expect(m.partition).toBe(toPositive(murmur2(Buffer.from(records[i].key))) % 3);
    });
    // Offsets per partition are 0..n-1 in send order.
    for (const part of [0, 1, 2]) {
      const offs = meta.filter((m) => m.partition === part).map((m) => m.offset);
      expect(offs).toEqual(offs.map((_, i) => i));
    }
    const c = consumer();
    c.assign([0, 1, 2].map((partition) => ({ topic, partition })));
    const got = await pollN(c, 30);
    for (const part of [0, 1, 2]) {
      const sent = meta
        .map((m, i) => ({ m, r: records[i] }))
        .filter(({ m }) => m.partition === part);
      const recv = got.filter((r) => r.partition === part);
      expect(
        recv.map((r) => [r.offset, str(r.key), str(r.value), str(r.headers[0].value)]),
      ).toEqual(sent.map(({ m, r }) => [m.offset, r.key, r.value, r.headers.h]));
      expect(recv.every((r, i) => r.timestamp === sent[i].m.timestamp)).toBe(true);
    }
  });

  test('null-key records stick to one partition per batch; explicit partitions are honoured', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 4);
    const p = producer({ 'linger.ms': 50 });
    const meta = await p.send(
      topic,
      Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` })),
    );
    expect(new Set(meta.map((m) => m.partition)).size).toBe(1);
    expect(meta.map((m) => m.offset)).toEqual(meta.map((_, i) => i));
    const explicit = await p.send(topic, [
      { value: 'a', partition: 2 },
      { value: 'b', partition: 2, key: 'k' },
    ]);
    expect(explicit.map((m) => m.partition)).toEqual([2, 2]);
    const c = consumer();
    c.assign([{ topic, partition: 2 }]);
    c.seek({ topic, partition: 2 }, explicit[0].offset);
    const got = await pollN(c, 2);
    expect(got.map((r) => [str(r.key), str(r.value)])).toEqual([
      [null, 'a'],
      ['k', 'b'],
    ]);
    await expect(p.send(topic, { value: 'x', partition: 4 })).rejects.toMatchObject({
      errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });

  test.each(['gzip', 'snappy', 'lz4', 'zstd'])('compression.type=%s round trip', async (codec) => {
    const topic = randomTopic(codec);
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({ 'compression.type': codec, 'linger.ms': 20 });
    const values = Array.from({ length: 200 }, (_, i) => `record ${i} ${'z'.repeat(i % 50)}`);
    const meta = await p.send(
      topic,
      values.map((value) => ({ value })),
    );
    expect(meta.map((m) => m.offset)).toEqual(values.map((_, i) => i));
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const got = await pollN(c, 200);
    expect(got.map((r) => str(r.value))).toEqual(values);
  });

  test('many sends batch together; flush waits; acks=0 returns offset -1 and still delivers', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({ 'linger.ms': 1000, 'batch.size': 1024 });
    const sends = Array.from({ length: 100 }, (_, i) =>
      p.send(topic, { value: `v${'-'.repeat(40)}${i}` }),
    );
    await p.flush();
    const meta = (await Promise.all(sends)).flat();
    expect(meta.map((m) => m.offset)).toEqual(meta.map((_, i) => i));
    const p0 = producer({ acks: 0 });
    const fire = await p0.send(topic, { value: 'fire-and-forget' });
    expect(fire[0].offset).toBe(-1);
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const got = await pollN(c, 101);
    expect(str(got[100].value)).toBe('fire-and-forget');
  });

  test('auto.offset.reset latest skips old records; earliest reads them; seek goes mid-batch', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({ 'linger.ms': 20 });
    await p.send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: `old${i}` })),
    );
    const tp = { topic, partition: 0 };
    const latest = consumer({ 'auto.offset.reset': 'latest' });
    latest.assign([tp]);
    expect(await latest.position(tp)).toBe(10);
    await p.send(topic, { value: 'new' });
    const got = await pollN(latest, 1);
    expect(got.map((r) => [r.offset, str(r.value)])).toEqual([[10, 'new']]);

    const earliest = consumer();
    earliest.assign([tp]);
    expect((await pollN(earliest, 11)).map((r) => r.offset)).toEqual([...Array(11).keys()]);

    // The batch holding offsets 0..9 comes back whole; records before 5 are skipped.
    earliest.seek(tp, 5);
    const mid = await pollN(earliest, 6);
    expect(mid.map((r) => r.offset)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(await earliest.position(tp)).toBe(11);

    earliest.seekToBeginning();
    expect(await earliest.position(tp)).toBe(0);
    earliest.seekToEnd();
    expect(await earliest.position(tp)).toBe(11);
  });

  test('a seek past the end resets by auto.offset.reset (OFFSET_OUT_OF_RANGE)', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    await producer().send(topic, [{ value: 'a' }, { value: 'b' }]);
    const tp = { topic, partition: 0 };
    const c = consumer();
    c.assign([tp]);
    c.seek(tp, 1000);
    const got = await pollN(c, 2);
    expect(got.map((r) => str(r.value))).toEqual(['a', 'b']);

    const strict = consumer({ 'auto.offset.reset': 'none' });
    strict.assign([tp]);
    strict.seek(tp, 1000);
    await expect(
      (async () => {
        for (let i = 0; i < 20; i++) await strict.poll(500);
      })(),
    ).rejects.toMatchObject({ errorName: 'OFFSET_OUT_OF_RANGE' });
  });

  test('pause stops a partition, resume brings it back', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 2);
    const p = producer();
    await p.send(topic, [
      { value: 'p0-a', partition: 0 },
      { value: 'p1-a', partition: 1 },
    ]);
    const c = consumer();
    const tps = [0, 1].map((partition) => ({ topic, partition }));
    c.assign(tps);
    c.pause([tps[1]]);
    expect(c.paused()).toEqual([tps[1]]);
    const first = await pollN(c, 1);
    expect(first.map((r) => r.partition)).toEqual([0]);
    expect(await c.poll(300)).toEqual([]);
    c.resume([tps[1]]);
    const second = await pollN(c, 1);
    expect(second.map((r) => [r.partition, str(r.value)])).toEqual([[1, 'p1-a']]);
  });

  test('the async iterator yields records as they are produced', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const p = producer();
    const sent = p.send(
      topic,
      ['x', 'y', 'z'].map((value) => ({ value })),
    );
    const seen: string[] = [];
    for await (const r of c) {
      seen.push(str(r.value)!);
      if (seen.length === 3) break;
    }
    await sent;
    expect(seen).toEqual(['x', 'y', 'z']);
  });

  test('callback form reports per-record results and errors', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 2);
    const p = producer();
    const results = await new Promise<unknown>((resolve, reject) =>
      p.send(
        topic,
        [
          { value: 'a', partition: 1 },
          { value: 'b', partition: 1 },
        ],
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
    expect(results).toMatchObject([
      { topic, partition: 1, offset: 0 },
      { topic, partition: 1, offset: 1 },
    ]);
    const err = await new Promise<unknown>((resolve) =>
      p.send(topic, { value: 'x', partition: 7 }, (e) => resolve(e)),
    );
    expect(err).toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });

  test('RecordCallback form: each record by batch and slot, in send order; errors without a batch', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 2);
    const p = producer();
    const got: Array<{ partition: number; offset: number; timestamp: number; value: string }> = [];
    const n = 50;
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < n; i++) {
        const value = `v${i}`;
        p.send(
          topic,
          { value, partition: 1, timestamp: 1000 + i },
          {
            onCompletion(err, batch, slot) {
              if (err) return reject(err);
              const m = batch!.metadataOf(slot);
              // metadataOf agrees with offsetOf/timestampOf (checked below, outside the producer).
              if (m.offset !== batch!.offsetOf(slot) || m.timestamp !== batch!.timestampOf(slot))
                return reject(new Error(`metadataOf ${JSON.stringify(m)} disagrees`));
              got.push({ partition: m.partition, offset: m.offset, timestamp: m.timestamp, value });
              if (got.length === n) resolve();
            },
          },
        );
      }
    });
    expect(got).toEqual(
      Array.from({ length: n }, (_, i) => ({
        partition: 1,
        offset: i,
        timestamp: 1000 + i,
        value: `v${i}`,
      })),
    );
    const c = consumer();
    c.assign([{ topic, partition: 1 }]);
    expect((await pollN(c, n)).map((r) => [r.offset, str(r.value)])).toEqual(
      got.map((g) => [g.offset, g.value]),
    );
    const errs = await Promise.all(
      [{ value: 'x', partition: 7 }, [{ value: 'y' }]].map(
        (records) =>
          new Promise<[unknown, unknown, number]>((resolve) =>
            p.send(topic, records as { value: string }, {
              onCompletion: (err, batch, slot) => resolve([err, batch, slot]),
            }),
          ),
      ),
    );
    expect(errs[0]).toEqual([
      expect.objectContaining({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' }),
      null,
      -1,
    ]);
    expect(errs[1]).toEqual([expect.objectContaining({ errorName: 'INVALID_REQUEST' }), null, -1]);
  });

  test('acks=0: several batches of one partition are all sent, and flush returns', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer({ acks: 0, 'batch.size': 1024 });
    const n = 200; // about 20 batches of one partition, sent before the first goes out
    let acked = 0;
    for (let i = 0; i < n; i++)
      p.send(topic, { value: `r${i}`.padEnd(80, '.') }, (err, res) => {
        if (!err && res![0].offset === -1) acked++;
      });
    await p.flush();
    expect(acked).toBe(n);
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const got = await pollN(c, n);
    expect(got.map((r) => str(r.value)!.replace(/\.+$/, ''))).toEqual(
      Array.from({ length: n }, (_, i) => `r${i}`),
    );
  });

  test('bad input is refused with a typed error and sends nothing', async () => {
    const topic = randomTopic();
    await createTopic(tb.bootstrap, topic, 1);
    const p = producer();
    await expect(
      p.send(topic, [{ value: 'ok' }, { value: 42 as unknown as string }]),
    ).rejects.toMatchObject({
      errorName: 'INVALID_RECORD',
    });
    await expect(p.send(topic, { value: 'x'.repeat(2_000_000) })).rejects.toMatchObject({
      errorName: 'MESSAGE_TOO_LARGE',
    });
    const meta = await p.send(topic, { value: 'first' });
    expect(meta[0].offset).toBe(0);
    expect(() => new Producer({ 'bootstrap.servers': tb.bootstrap, 'linger.ms': -1 })).toThrow(
      new KafkaError(
        'INVALID_CONFIG',
        'Invalid value -1 for configuration linger.ms: Value must be at least 0',
      ),
    );
    // An unknown key is a warning naming it, as Kafka's clients log it; the producer works.
    const logger = createLogger('producer');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});
    const typo = new Producer({ 'bootstrap.servers': tb.bootstrap, 'linger.sm': 1 }, { logger });
    onCleanup(() => typo.close());
    expect(warn).toHaveBeenCalledWith(
      "The configuration 'linger.sm' was supplied but isn't a known config.",
    );
    expect((await typo.send(topic, { value: 'second' }))[0].offset).toBe(1);
  });
});

describe('Client > Admin', () => {
  test('create, list, describe, delete topics and describe the cluster', async () => {
    const admin = new Admin({ 'bootstrap.servers': tb.bootstrap });
    onCleanup(() => admin.close());
    const topic = randomTopic('admin');
    await admin.createTopics([{ topic, numPartitions: 3, replicationFactor: 1 }], {
      validateOnly: true,
    });
    expect(await admin.listTopics()).not.toContain(topic);
    await createTopic(tb.bootstrap, topic, 3, { 'retention.ms': '60000' });
    expect(await admin.listTopics()).toContain(topic);
    const [d] = await admin.describeTopics([topic]);
    expect(d.name).toBe(topic);
    expect(d.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    expect(d.partitions.every((p) => p.leaderEpoch >= 0)).toBe(true);
    await expect(
      admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]),
    ).rejects.toMatchObject({
      errorName: 'TOPIC_ALREADY_EXISTS',
    });
    await expect(
      admin.createTopics([{ topic: 'bad/name', numPartitions: 1 }]),
    ).rejects.toMatchObject({
      errorName: 'INVALID_TOPIC_EXCEPTION',
    });
    await expect(
      admin.createTopics([{ topic: randomTopic(), numPartitions: 1, replicationFactor: 3 }]),
    ).rejects.toMatchObject({ errorName: 'INVALID_REPLICATION_FACTOR' });

    const cluster = await admin.describeCluster();
    expect(cluster.clusterId).toBe(tb.broker.clusterId);
    expect(cluster.brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(cluster.controller?.nodeId).toBe(1);

    await admin.deleteTopics([topic]);
    await expect(admin.deleteTopics([randomTopic()])).rejects.toMatchObject({
      errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await waitFor(
      `${topic} gone from listTopics`,
      async () => !(await admin.listTopics()).includes(topic),
      {
        timeoutMs: 15000,
      },
    );
    await expect(admin.describeTopics([topic])).rejects.toMatchObject({
      errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });
});
