import { KafkaError } from '@kzoo/common';
import fc from 'fast-check';
import {
  buildRecordBatch,
  iterateBatches,
  readBatchHeader,
  records,
  RecordReader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
  CRC_OFFSET,
} from './batch';

// Two batches as a Kafka broker served them in a Fetch v4 response; written by the
// Scala/Java producer (producerId/epoch/sequence -1, CreateTime, no compression).
// Source: kafkajs' fixture src/protocol/requests/fetch/fixtures/v4_from_scala_producer_response.json
const JAVA_BATCHES = Buffer.from(
  '00000000000000000000005f000000000222ee4df30000000000000000016679fa31200000016679fa3120ffffffffffffffffffffffffffff000000015a0000000a4b45592d314456414c55452d4c6f72656d20697073756d20646f6c6f722073697420616d65742d310000000000000000010000005f000000000271b60f250000000000000000016679fa33220000016679fa3322ffffffffffffffffffffffffffff000000015a0000000a4b45592d324456414c55452d4c6f72656d20697073756d20646f6c6f722073697420616d65742d3200',
  'hex',
);
// A snappy batch (raw, unframed snappy as librdkafka/kafkajs write it) served by Kafka.
// Source: kafkajs' fixture src/protocol/requests/fetch/fixtures/v4_response_snappy.json
const SNAPPY_RAW_BATCH = Buffer.from(
  '000000000000000000000062000000000297ef6eaa00020000000000000168b91290b100000168b91290b1ffffffffffffffff0000000000000000000130445e0000000e6b65792d3134394476616c7565010a642d323031392d30322d30345431353a31333a34382e3138375a00',
  'hex',
);

function expectKafkaError(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KafkaError);
    expect((e as KafkaError).errorName).toBe(name);
    return;
  }
  throw new Error(`expected ${name}`);
}

describe('records > RecordBatch v2', () => {
  describe('Kafka-written vectors', () => {
    test('reads the header fields of batches written by the Java producer', () => {
      const all = [...iterateBatches(JAVA_BATCHES)];
      expect(all.map((b) => [b.baseOffset, b.lastOffset, b.size])).toEqual([
        [0, 0, 107],
        [1, 1, 107],
      ]);
      const h = readBatchHeader(JAVA_BATCHES, 0);
      expect(h).toMatchObject({
        batchLength: 95,
        partitionLeaderEpoch: 0,
        magic: 2,
        crc: 0x22ee4df3,
        compression: 0,
        timestampType: 'CreateTime',
        isTransactional: false,
        isControlBatch: false,
        lastOffsetDelta: 0,
        baseTimestamp: 0x16679fa3120,
        maxTimestamp: 0x16679fa3120,
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        recordCount: 1,
      });
      expect(validateBatch(JAVA_BATCHES, 0)).toBe(107);
      expect(validateBatch(JAVA_BATCHES, 107)).toBe(107);
    });

    test('decodes their records', () => {
      const rs = [...records(JAVA_BATCHES, 107)];
      expect(rs).toHaveLength(1);
      expect(rs[0].offset).toBe(1);
      expect(rs[0].timestamp).toBe(0x16679fa3322);
      expect(rs[0].key!.toString()).toBe('KEY-2');
      expect(rs[0].value!.toString()).toBe('VALUE-Lorem ipsum dolor sit amet-2');
      expect(rs[0].headers).toEqual([]);
    });

    test('builds byte-identical batches (same CRC) from the same fields', () => {
      for (const [i, pos] of [0, 107].entries()) {
        const h = readBatchHeader(JAVA_BATCHES, pos);
        const built = buildRecordBatch({
          baseOffset: h.baseOffset,
          partitionLeaderEpoch: 0,
          records: [
            {
              key: `KEY-${i + 1}`,
              value: `VALUE-Lorem ipsum dolor sit amet-${i + 1}`,
              timestamp: h.baseTimestamp,
            },
          ],
        });
        expect(built.toString('hex')).toBe(JAVA_BATCHES.subarray(pos, pos + 107).toString('hex'));
      }
    });

    test('reads a raw-snappy batch and checks its CRC', () => {
      expect(validateBatch(SNAPPY_RAW_BATCH)).toBe(110);
      const h = readBatchHeader(SNAPPY_RAW_BATCH);
      expect(h.compression).toBe(2);
      const rs = [...records(SNAPPY_RAW_BATCH)];
      expect(
        rs.map((r) => [r.offset, r.timestamp, r.key!.toString(), r.value!.toString()]),
      ).toEqual([[0, 1549293228209, 'key-149', 'value-149-2019-02-04T15:13:48.187Z']]);
      expect(rs[0].headers).toEqual([]);
    });

    test('the kcat sample record encodes as documented (len 19, key k1, value hello, h1=v1)', () => {
      const b = buildRecordBatch({
        records: [
          { key: 'k1', value: 'hello', headers: [{ key: 'h1', value: 'v1' }], timestamp: 5 },
        ],
      });
      expect(b.subarray(61).toString('hex')).toBe('26000000046b310a68656c6c6f02046831047631');
      expect(b.length).toBe(81);
    });
  });

  describe('round trips', () => {
    test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)('%s', (compression) => {
      const input = Array.from({ length: 300 }, (_, i) => ({
        key: i % 7 === 0 ? null : `key-${i}`,
        value: i % 11 === 0 ? null : 'v'.repeat(i),
        headers: i % 3 === 0 ? [{ key: 'h', value: i % 2 ? null : `x${i}` }] : [],
        timestamp: 1_700_000_000_000 + i * 3,
      }));
      const b = buildRecordBatch({
        records: input,
        compression,
        baseOffset: 1000,
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 7,
        partitionLeaderEpoch: 9,
        isTransactional: true,
      });
      expect(validateBatch(b)).toBe(b.length);
      const h = readBatchHeader(b);
      expect(h).toMatchObject({
        baseOffset: 1000,
        lastOffset: 1299,
        recordCount: 300,
        producerId: 42,
        producerEpoch: 3,
        baseSequence: 7,
        partitionLeaderEpoch: 9,
        isTransactional: true,
        maxTimestamp: 1_700_000_000_000 + 299 * 3,
      });
      const out = [...records(b)];
      expect(out).toHaveLength(300);
      out.forEach((r, i) => {
        expect(r.offset).toBe(1000 + i);
        expect(r.timestamp).toBe(input[i].timestamp);
        expect(r.key?.toString() ?? null).toBe(input[i].key);
        expect(r.value?.toString() ?? null).toBe(input[i].value);
        expect(r.headers.map((x) => ({ key: x.key, value: x.value?.toString() ?? null }))).toEqual(
          input[i].headers,
        );
      });
    });

    test('snappy is written xerial-framed, as the Java client does', () => {
      const b = buildRecordBatch({ records: [{ value: 'x'.repeat(100) }], compression: 'snappy' });
      expect(b.subarray(61, 69)).toEqual(
        Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0]),
      );
    });

    test('lz4 is an LZ4 frame with independent blocks', () => {
      const b = buildRecordBatch({ records: [{ value: 'y'.repeat(100) }], compression: 'lz4' });
      expect(b.readUInt32LE(61)).toBe(0x184d2204);
      expect(b[65] & 0x20).toBe(0x20); // FLG: block independence
    });

    test('LogAppendTime batches report maxTimestamp for every record', () => {
      const b = buildRecordBatch({
        records: [
          { value: 'a', timestamp: 1 },
          { value: 'b', timestamp: 2 },
        ],
        timestampType: 'LogAppendTime',
        maxTimestamp: 77,
      });
      expect([...records(b)].map((r) => r.timestamp)).toEqual([77, 77]);
    });

    test('delete horizon (KIP-534) keeps record timestamps', () => {
      const b = buildRecordBatch({
        records: [{ key: 'k', value: null, timestamp: 1000, offsetDelta: 4 }],
        deleteHorizonMs: 99_999,
        lastOffsetDelta: 9,
      });
      const h = readBatchHeader(b);
      expect(h.hasDeleteHorizonMs).toBe(true);
      expect(h.baseTimestamp).toBe(99_999);
      expect(h.lastOffsetDelta).toBe(9);
      const [r] = [...records(b)];
      expect([r.offset, r.timestamp, r.value]).toEqual([4, 1000, null]);
    });

    test('property: any records survive build + decode', () => {
      const rec = fc.record({
        key: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
        value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
        timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      });
      fc.assert(
        fc.property(
          fc.array(rec, { minLength: 1, maxLength: 30 }),
          fc.constantFrom('none', 'gzip', 'lz4'),
          (rs, c) => {
            const b = buildRecordBatch({
              compression: c as 'none',
              records: rs.map((r) => ({
                key: r.key && Buffer.from(r.key),
                value: r.value && Buffer.from(r.value),
                timestamp: r.timestamp,
              })),
            });
            validateBatch(b);
            const out = [...records(b)];
            expect(
              out.map((r) => [r.key && [...r.key], r.value && [...r.value], r.timestamp]),
            ).toEqual(rs.map((r) => [r.key && [...r.key], r.value && [...r.value], r.timestamp]));
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  describe('header rewrites', () => {
    test('setBaseOffset and setPartitionLeaderEpoch keep the CRC valid', () => {
      const b = Buffer.from(JAVA_BATCHES.subarray(0, 107));
      setBaseOffset(b, 0, 2 ** 40 + 5);
      setPartitionLeaderEpoch(b, 0, 17);
      expect(validateBatch(b)).toBe(107);
      expect(readBatchHeader(b)).toMatchObject({
        baseOffset: 2 ** 40 + 5,
        partitionLeaderEpoch: 17,
      });
      expect([...records(b)][0].offset).toBe(2 ** 40 + 5);
    });
  });

  describe('bad input', () => {
    const good = () => Buffer.from(JAVA_BATCHES.subarray(0, 107));
    test('CRC mismatch is CORRUPT_MESSAGE', () => {
      const b = good();
      b[80] ^= 1;
      expectKafkaError(() => validateBatch(b), 'CORRUPT_MESSAGE');
      const c = good();
      c[CRC_OFFSET] ^= 0x10;
      expectKafkaError(() => validateBatch(c), 'CORRUPT_MESSAGE');
    });
    test('legacy magic is UNSUPPORTED_VERSION, other magic INVALID_RECORD', () => {
      const b = good();
      b[16] = 1;
      expectKafkaError(() => validateBatch(b), 'UNSUPPORTED_VERSION');
      b[16] = 7;
      expectKafkaError(() => validateBatch(b), 'INVALID_RECORD');
    });
    test('truncated batch is CORRUPT_MESSAGE', () => {
      expectKafkaError(() => validateBatch(good().subarray(0, 100)), 'CORRUPT_MESSAGE');
      expectKafkaError(() => validateBatch(good().subarray(0, 10)), 'CORRUPT_MESSAGE');
      const b = good();
      b.writeInt32BE(20, 8);
      expectKafkaError(() => validateBatch(b), 'CORRUPT_MESSAGE');
    });
    test('iterateBatches stops cleanly at a partial trailing batch', () => {
      const views = [...iterateBatches(JAVA_BATCHES.subarray(0, 150))];
      expect(views.map((v) => v.baseOffset)).toEqual([0]);
      expect([...iterateBatches(Buffer.alloc(0))]).toEqual([]);
    });
    test('a garbled record is CORRUPT_MESSAGE, not a crash', () => {
      const b = good();
      b[61] = 0x7f; // record length far past the end
      expectKafkaError(() => [...records(b)], 'CORRUPT_MESSAGE');
    });
  });
});

describe('records > RecordReader', () => {
  it('reads what records() yields, then stops; a corrupt record throws as records() does', () => {
    const b = buildRecordBatch({
      baseOffset: 40,
      records: [
        { value: 'a', timestamp: 5 },
        { key: 'k', value: null, timestamp: 9, headers: [{ key: 'h', value: 'v' }] },
        { value: 'c', timestamp: 7, offsetDelta: 5 },
      ],
    });
    const r = new RecordReader(b);
    const got = [];
    while (r.advance())
      got.push({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: r.headers,
      });
    expect(got).toEqual([...records(b)]);
    expect(got.map((x) => x.offset)).toEqual([40, 41, 45]);
    expect(r.advance()).toBe(false);
    // A record length running past the batch (CRC not checked here, as in records()).
    const bad = Buffer.from(b);
    bad[61] = 0x7e;
    const reader = new RecordReader(bad);
    expect(() => reader.advance()).toThrow(/runs past the batch/);
    expect(() => [...records(bad)]).toThrow(/runs past the batch/);
  });
});
