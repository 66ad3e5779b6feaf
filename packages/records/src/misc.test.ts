import { crc32c } from './crc32c';
import { murmur2, partitionForKey, toPositive } from './murmur2';
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from './varint';
import fc from 'fast-check';

describe('records > murmur2', () => {
  // Vectors from Kafka's clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %d as Kafka', (s, want) => {
    expect(murmur2(Buffer.from(s))).toBe(want);
  });
  test('toPositive and the partition choice', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(partitionForKey(Buffer.from('foobar'), 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});

describe('records > varint', () => {
  test('known zigzag encodings', () => {
    const b = Buffer.alloc(10);
    expect(b.subarray(0, writeVarint(b, 0, -1)).toString('hex')).toBe('01');
    expect(b.subarray(0, writeVarint(b, 0, 1)).toString('hex')).toBe('02');
    expect(b.subarray(0, writeVarint(b, 0, 300)).toString('hex')).toBe('d804');
    expect(b.subarray(0, writeVarint(b, 0, -2147483648)).toString('hex')).toBe('ffffffff0f');
  });
  test('property: varint and varlong round trip with the right sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.maxSafeInteger(),
        (i, l) => {
          const b = Buffer.alloc(20);
          const e1 = writeVarint(b, 0, i);
          expect(e1).toBe(sizeOfVarint(i));
          const l2 = Math.trunc(l / 2) || 0; // zigzag doubles: stay safe (and no -0)
          const e2 = writeVarlong(b, e1, l2);
          expect(e2 - e1).toBe(sizeOfVarlong(l2));
          const r = new VarintReader(b, 0);
          expect(r.varint()).toBe(i);
          expect(r.varlong()).toBe(l2);
        },
      ),
    );
  });
});

describe('records > crc32c', () => {
  // RFC 3720 (iSCSI) B.4 and the standard "123456789" check value of CRC-32C.
  test.each([
    ['123456789', 0xe3069283],
    ['', 0],
  ])('crc32c(%j) = %d', (s, want) => {
    expect(crc32c(Buffer.from(s))).toBe(want);
  });
  test('32 zero bytes and 32 0xff bytes (RFC 3720 B.4)', () => {
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });
  test('unaligned views: the same value as an aligned copy of the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.nat(64), (bytes, skip) => {
        // Batches start anywhere in a produce request.
        const b = Buffer.from(bytes).subarray(Math.min(skip, bytes.length));
        expect(crc32c(b)).toBe(crc32c(Buffer.from(b)));
      }),
      { numRuns: 200 },
    );
  });
});
