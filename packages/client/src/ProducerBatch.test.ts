import { buildRecordBatch, records, validateBatch } from '@kzoo/records';
import * as rec from '@kzoo/records';
import {
  ProducerBatch,
  maxRecordSize,
  varintForTests,
  type EncodedFields,
  type RecordCallback,
  type RecordMetadata,
  type SendCall,
} from './ProducerBatch';

function call(): SendCall {
  return {
    results: [],
    pending: 1 << 30,
    done: false,
    resolve: () => undefined,
    reject: () => undefined,
  };
}

function f(
  key: string | null,
  value: string | Buffer | null,
  headers?: Record<string, string | null>,
): EncodedFields {
  return {
    key: key === null ? null : Buffer.from(key),
    value,
    valueLength: value === null ? 0 : Buffer.byteLength(value),
    headers: headers
      ? Object.entries(headers).map(([k, v]) => ({
          key: k,
          keyLength: Buffer.byteLength(k),
          value: v,
          valueLength: v === null ? 0 : Buffer.byteLength(v),
        }))
      : null,
  };
}

describe('Client > ProducerBatch', () => {
  const inputs: Array<[string | null, string | Buffer | null, Record<string, string | null>?]> = [
    ['k1', 'hello'],
    [null, 'no key'],
    ['k3', null],
    ['k4', Buffer.from([0, 1, 2, 255])],
    ['k5', 'with headers', { a: '1', b: null, ünï: 'çødé' }],
    [null, 'é'.repeat(200)],
  ];

  test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'built bytes decode with @kzoo/records (%s) and equal buildRecordBatch for no compression',
    (codecName) => {
      const codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[codecName] as
        0 | 1 | 2 | 3 | 4;
      const b = new ProducerBatch('t', 0, 16384, 1000, 0);
      const ts = [1000, 1005, 999, 2000, 2000, 1500];
      inputs.forEach(([k, v, h], i) => {
        const fields = f(k, v, h);
        expect(b.tryAppend(ts[i], fields, call(), 0)).toBe(true);
        expect(maxRecordSize(fields)).toBeGreaterThan(0);
      });
      const bytes = b.close(codec);
      expect(validateBatch(bytes)).toBe(bytes.length);
      const decoded = [...records(bytes)];
      expect(decoded).toHaveLength(inputs.length);
      decoded.forEach((r, i) => {
        const [k, v, h] = inputs[i];
        expect(r.offset).toBe(i);
        expect(r.timestamp).toBe(ts[i]);
        expect(r.key === null ? null : r.key.toString()).toBe(k);
        expect(r.value === null ? null : r.value.toString('latin1')).toBe(
          v === null ? null : Buffer.from(v).toString('latin1'),
        );
        expect(r.headers.map((x) => [x.key, x.value && x.value.toString()])).toEqual(
          Object.entries(h ?? {}),
        );
      });
      if (codec === 0) {
        const reference = buildRecordBatch({
          records: inputs.map(([k, v, h], i) => ({
            key: k,
            value: v,
            timestamp: ts[i],
            headers: Object.entries(h ?? {}).map(([key, value]) => ({ key, value })),
          })),
        });
        expect(bytes.equals(reference)).toBe(true);
      }
    },
  );

  test('tryAppend refuses a record that does not fit and marks the batch full', () => {
    const b = new ProducerBatch('t', 0, 120, 0, 0);
    expect(b.tryAppend(0, f(null, 'x'.repeat(40)), call(), 0)).toBe(true);
    expect(b.isFull()).toBe(false);
    expect(b.tryAppend(0, f(null, 'x'.repeat(40)), call(), 0)).toBe(false);
    expect(b.isFull()).toBe(true);
    expect(b.count).toBe(1);
  });

  test('complete resolves each call once, with baseOffset + index and LogAppendTime', async () => {
    const b = new ProducerBatch('t', 3, 16384, 0, 0);
    const results: Array<Promise<unknown>> = [];
    for (let c = 0; c < 2; c++) {
      let sc!: SendCall;
      results.push(
        new Promise((resolve, reject) => {
          sc = { results: new Array(2), pending: 2, done: false, resolve, reject };
        }),
      );
      for (let i = 0; i < 2; i++) b.tryAppend(5, f(null, 'v'), sc, i);
    }
    b.close(0);
    b.complete(100, 777);
    expect(await Promise.all(results)).toEqual([
      [
        { topic: 't', partition: 3, offset: 100, timestamp: 777 },
        { topic: 't', partition: 3, offset: 101, timestamp: 777 },
      ],
      [
        { topic: 't', partition: 3, offset: 102, timestamp: 777 },
        { topic: 't', partition: 3, offset: 103, timestamp: 777 },
      ],
    ]);
  });

  test('a RecordCallback gets each record of the batch by slot: offset, timestamp, metadata', () => {
    const b = new ProducerBatch('t', 2, 16384, 0, 0);
    const seen: Array<[Error | null, number, number, RecordMetadata]> = [];
    const cb: RecordCallback = {
      onCompletion(err, batch, slot) {
        seen.push([err, batch!.offsetOf(slot), batch!.timestampOf(slot), batch!.metadataOf(slot)]);
      },
    };
    const ts = [1000, 1003, 998];
    ts.forEach((t) => b.tryAppend(t, f(null, 'v'), cb, 0));
    b.close(0);
    b.complete(40, -1);
    expect(seen).toEqual(
      ts.map((t, i) => [
        null,
        40 + i,
        t,
        { topic: 't', partition: 2, offset: 40 + i, timestamp: t },
      ]),
    );
    seen.length = 0;
    b.complete(50, -1); // completes once
    expect(seen).toEqual([]);
  });

  test('a RecordCallback sees -1 offsets with acks=0, LogAppendTime, and the batch on failure', () => {
    const acks0 = new ProducerBatch('t', 0, 16384, 0, 0);
    const got: Array<[Error | null, string | undefined, number, number]> = [];
    const cb: RecordCallback = {
      onCompletion: (err, batch, slot) =>
        got.push([err, batch?.topic, batch!.offsetOf(slot), batch!.timestampOf(slot)]),
    };
    acks0.tryAppend(7, f(null, 'a'), cb, 0);
    acks0.tryAppend(8, f(null, 'b'), cb, 0);
    acks0.complete(-1, -1);
    expect(got).toEqual([
      [null, 't', -1, 7],
      [null, 't', -1, 8],
    ]);
    got.length = 0;
    const appendTime = new ProducerBatch('t', 0, 16384, 0, 0);
    appendTime.tryAppend(7, f(null, 'a'), cb, 0);
    appendTime.complete(9, 555);
    expect(got).toEqual([[null, 't', 9, 555]]);
    expect(appendTime.createTimeOf(0)).toBe(7); // the CreateTime as sent
    got.length = 0;
    const failed = new ProducerBatch('t', 0, 16384, 0, 0);
    failed.tryAppend(7, f(null, 'a'), cb, 0);
    const err = new Error('boom');
    failed.fail(err);
    expect(got).toEqual([[err, 't', -1, 7]]);
  });

  test('per-record slots are released once finished, cleared, and serve the next batch', () => {
    const first = new ProducerBatch('t', 0, 16384, 0, 200);
    const calls = Array.from({ length: 300 }, () => call()); // past the first capacity
    calls.forEach((c, i) => first.tryAppend(i, f(null, 'v'), c, i));
    expect(first.releaseSlots()).toBeUndefined(); // not finished yet
    first.complete(0, -1);
    const slots = first.releaseSlots()!;
    expect(slots.capacity).toBeGreaterThanOrEqual(300);
    expect(slots.waiters.slice(0, 300).every((w) => w === undefined)).toBe(true);
    expect(first.releaseSlots()).toBeUndefined(); // taken once
    expect(() => first.timestampOf(0)).toThrow('the batch of t-0 was released');
    const next = new ProducerBatch('t', 1, 16384, 0, 0, undefined, slots);
    const offsets: number[] = [];
    const cb: RecordCallback = {
      onCompletion: (_err, batch, slot) =>
        offsets.push(batch!.offsetOf(slot) * 10000 + batch!.timestampOf(slot)),
    };
    next.tryAppend(5, f(null, 'x'), cb, 0);
    next.tryAppend(6, f(null, 'y'), cb, 0);
    next.complete(3, -1);
    expect(offsets).toEqual([30005, 40006]);
  });
});

describe('Client > ProducerBatch > varints', () => {
  test('local varint helpers encode as @kzoo/records does', () => {
    const { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } = varintForTests;
    const ints = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      300,
      2 ** 30 - 1,
      -(2 ** 30),
      2 ** 31 - 1,
      -(2 ** 31),
    ];
    const longs = [
      ...ints,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 40 + 3,
      -(2 ** 45),
      Number.MAX_SAFE_INTEGER >> 1,
      1_700_000_000_000,
    ];
    for (const n of ints) {
      const a = Buffer.alloc(10);
      const b = Buffer.alloc(10);
      expect(writeVarint(a, 0, n)).toBe(rec.writeVarint(b, 0, n));
      expect(a).toEqual(b);
      expect(sizeOfVarint(n)).toBe(rec.sizeOfVarint(n));
    }
    for (const n of longs) {
      const a = Buffer.alloc(10);
      const b = Buffer.alloc(10);
      expect(writeVarlong(a, 0, n)).toBe(rec.writeVarlong(b, 0, n));
      expect(a).toEqual(b);
      expect(sizeOfVarlong(n)).toBe(rec.sizeOfVarlong(n));
    }
  });

  test('a single-record callback waiter gets its own result (CreateTime kept), or the error', () => {
    const b = new ProducerBatch('t', 1, 16384, 0, 0);
    const got: Array<[Error | null, RecordMetadata[] | undefined]> = [];
    const cb = (err: Error | null, rs?: RecordMetadata[]) => got.push([err, rs]);
    b.tryAppend(40, f(null, 'a'), cb, 0);
    b.tryAppend(42, f(null, 'b'), cb, 0);
    b.close(0);
    b.complete(7, -1);
    b.complete(9, -1); // a second completion changes nothing
    expect(got).toEqual([
      [null, [{ topic: 't', partition: 1, offset: 7, timestamp: 40 }]],
      [null, [{ topic: 't', partition: 1, offset: 8, timestamp: 42 }]],
    ]);
    const failed = new ProducerBatch('t', 1, 16384, 0, 0);
    const errs: Array<Error | null> = [];
    failed.tryAppend(1, f(null, 'c'), (err) => errs.push(err), 0);
    const boom = new Error('boom');
    failed.fail(boom);
    failed.fail(new Error('again'));
    expect(errs).toEqual([boom]);
  });
});
