/**
 * Control records (KIP-98): the single record of a control batch (attribute bit 5,
 * always transactional too) that ends a producer's transaction on a partition.
 * Kafka's formats, all big-endian:
 *   key   (ControlRecordType):     int16 version (0) | int16 type (0 ABORT, 1 COMMIT)
 *   value (EndTransactionMarker):  int16 version (0) | int32 coordinatorEpoch
 * The transaction coordinator writes them (WriteTxnMarkers); clients never produce them.
 */
import { KafkaError, getInt16, getInt32, setInt16, setInt32 } from '@kzoo/common';
import { buildRecordBatch, records } from './batch';

export const CONTROL_RECORD_KEY_VERSION = 0;
export const END_TXN_MARKER_VERSION = 0;

/** Kafka's ControlRecordType ids. */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
export type ControlRecordTypeName = keyof typeof ControlRecordType;

export interface EndTxnMarker {
  type: 'ABORT' | 'COMMIT';
  coordinatorEpoch: number;
}

export function encodeControlRecordKey(type: number): Buffer {
  const b = Buffer.alloc(4);
  setInt16(b, 0, CONTROL_RECORD_KEY_VERSION);
  setInt16(b, 2, type);
  return b;
}

/** The type of a control record from its key; throws CORRUPT_MESSAGE on a short key. */
export function controlRecordType(key: Buffer | null): number {
  if (!key || key.length < 4)
    throw new KafkaError('CORRUPT_MESSAGE', `control record key of ${key?.length ?? 0} bytes`);
  return getInt16(key, 2);
}

/** Builds the control batch of a commit or abort marker for one producer. */
export function buildEndTxnMarkerBatch(o: {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestamp: number;
}): Buffer {
  const value = Buffer.alloc(6);
  setInt16(value, 0, END_TXN_MARKER_VERSION);
  setInt32(value, 2, o.coordinatorEpoch);
  return buildRecordBatch({
    records: [
      {
        key: encodeControlRecordKey(o.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT),
        value,
        timestamp: o.timestamp,
      },
    ],
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    isTransactional: true,
    isControlBatch: true,
    now: o.timestamp,
  });
}

/**
 * Reads the marker of a control batch at `pos` of `buf` (the batch's one record), or
 * null when the record is not an end-transaction marker (an unknown control type).
 */
export function readEndTxnMarker(buf: Buffer, pos = 0): EndTxnMarker | null {
  for (const r of records(buf, pos)) {
    const type = controlRecordType(r.key);
    if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) return null;
    const coordinatorEpoch = r.value && r.value.length >= 6 ? getInt32(r.value, 2) : -1;
    return { type: type === ControlRecordType.COMMIT ? 'COMMIT' : 'ABORT', coordinatorEpoch };
  }
  return null;
}
