import { KafkaError } from '@kzoo/common';
import { buildRecordBatch, records, type RecordInput } from '@kzoo/records';
import { BatchRecords, type ConsumerRecord } from './batch-records';

function all(b: BatchRecords): ConsumerRecord[] {
  const out: ConsumerRecord[] = [];
  for (let r = b.next(); r; r = b.next()) out.push(r);
  return out;
}

const inputs: RecordInput[] = [
  { key: 'k1', value: 'hello', timestamp: 1000 },
  { key: null, value: 'no key', timestamp: 999 },
  { key: 'k3', value: null, timestamp: 1_700_000_000_000 },
  { value: Buffer.from([0, 1, 2, 255]), headers: [{ key: 'a', value: '1' }] },
  {
    value: 'é'.repeat(300),
    headers: [
      { key: 'ünï', value: null },
      { key: 'b', value: 'x' },
    ],
  },
  { value: '', offsetDelta: 7 },
];

describe('Client > BatchRecords', () => {
  test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'decodes what @kzoo/records’ records() decodes (%s), as ConsumerRecords',
    (compression) => {
      for (const timestampType of ['CreateTime', 'LogAppendTime'] as const) {
        const bytes = buildRecordBatch({
          baseOffset: 42,
          records: inputs,
          compression,
          timestampType,
          now: 5000,
          maxTimestamp: timestampType === 'LogAppendTime' ? 777 : undefined,
        });
        const want = [...records(bytes)].map((r) => ({ topic: 't', partition: 3, ...r }));
        const got = all(new BatchRecords(bytes, 't', 3));
        expect(got).toEqual(want);
        expect(got.map((r) => r.offset)).toEqual([42, 43, 44, 45, 46, 49]);
      }
    },
  );

  test('a record running past its declared length, or bytes after the last, are CORRUPT_MESSAGE', () => {
    const bytes = buildRecordBatch({ records: [{ value: 'abc' }, { value: 'def' }], now: 1 });
    // One record fewer declared than written: bytes are left after the last.
    const fewer = Buffer.from(bytes);
    fewer.writeInt32BE(1, 57);
    const b = new BatchRecords(fewer, 't', 0);
    expect(b.next()?.value?.toString()).toBe('abc');
    expect(() => b.next()).toThrow(KafkaError);
    expect(() => [...records(fewer)]).toThrow(KafkaError);
    // A truncated batch.
    expect(() => new BatchRecords(bytes.subarray(0, bytes.length - 2), 't', 0)).toThrow(
      /truncated batch/,
    );
  });
});
