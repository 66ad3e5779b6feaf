import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue } from './TransactionLog';
import {
  TRANSACTION_STATES,
  TransactionMetadata,
  VALID_PREVIOUS_TXN_STATES,
  type TxnTransitMetadata,
} from './TransactionMetadata';

const ongoing: TxnTransitMetadata = {
  transactionalId: 'etl-ü',
  producerId: 4000,
  producerEpoch: 7,
  txnTimeoutMs: 60000,
  state: 'Ongoing',
  partitions: [
    { topic: 'out', partition: 0 },
    { topic: 'out', partition: 2 },
    { topic: 'audit', partition: 1 },
  ],
  txnStartTimestamp: 1_700_000_000_000,
  txnLastUpdateTimestamp: 1_700_000_000_500,
  pendingOffsets: [{ groupId: 'g', offsets: [{ topic: 'in', partition: 3, offset: 42 }] }],
};

describe('Broker > TransactionCoordinator > TransactionLog', () => {
  test('key and value round-trip, in the layout the header documents', () => {
    const key = encodeTxnKey(ongoing.transactionalId);
    expect(key.readInt16BE(0)).toBe(0); // key version
    expect(decodeTxnKey(key)).toBe('etl-ü');
    const value = encodeTxnValue(ongoing);
    expect(value.readInt16BE(0)).toBe(0); // value version
    expect(Number(value.readBigInt64BE(2))).toBe(4000);
    expect(value.readInt16BE(10)).toBe(7);
    expect(value.readInt32BE(12)).toBe(60000);
    expect(value.readInt8(16)).toBe(1); // Ongoing
    const back = decodeTxnValue(ongoing.transactionalId, value);
    expect({
      ...back,
      partitions: new Set(back.partitions.map((p) => `${p.topic}-${p.partition}`)),
    }).toEqual({
      ...ongoing,
      partitions: new Set(['out-0', 'out-2', 'audit-1']),
    });
  });

  test('a truncated value is refused with CORRUPT_MESSAGE', () => {
    const value = encodeTxnValue(ongoing);
    expect(() => decodeTxnValue('x', value.subarray(0, 20))).toThrow(/CORRUPT_MESSAGE/);
  });
});

describe('Broker > TransactionCoordinator > TransactionMetadata', () => {
  test('transitions follow Kafka’s valid previous states, and nothing else', () => {
    for (const from of TRANSACTION_STATES)
      for (const to of TRANSACTION_STATES) {
        const m = new TransactionMetadata('t', { ...ongoing, state: from });
        const legal = from === to || VALID_PREVIOUS_TXN_STATES[to].includes(from);
        if (legal) expect(m.prepare({ state: to }).state).toBe(to);
        else expect(() => m.prepare({ state: to })).toThrow(/illegal transition/);
      }
  });

  test('prepare does not change the current state; apply does', () => {
    const m = new TransactionMetadata('t', { ...ongoing });
    const next = m.prepare({ state: 'PrepareCommit' });
    expect(m.state).toBe('Ongoing');
    m.apply(next);
    expect(m.state).toBe('PrepareCommit');
    expect(m.partitions.size).toBe(3);
    m.apply(m.prepare({ state: 'CompleteCommit', partitions: [], pendingOffsets: [] }));
    expect([m.state, m.partitions.size, m.pendingOffsets.size]).toEqual(['CompleteCommit', 0, 0]);
  });
});
