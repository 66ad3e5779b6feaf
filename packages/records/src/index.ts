// records: Kafka's RecordBatch v2 codec. Pure functions, no I/O.
//   batch.ts        header read/validate/rewrite, builder, lazy record iterator, iterateBatches
//   control.ts      control records: commit/abort markers of transactions (KIP-98)
//   compression.ts, varint.ts, murmur2.ts: codecs (Kafka ids), zigzag varints, the partitioner hash
//   crc32c.ts       CRC-32C: the native addon (native/crc32c.c: AVX-512 folding or three
//                   SSE 4.2 chains), else @node-rs/crc32
//
// Every value is exported as a plain data property (`exports.X = batch.X`), not through
// `export ... from`: tsc compiles a re-export to an accessor (a getter per name), and an
// exports object with this many accessors is kept in dictionary mode by V8, so every
// `records_1.X` read in the log, broker and client was a call to the generic LoadIC
// builtin plus the getter (~10 % of a log append's JavaScript in a profile). Data
// properties keep the object fast and let the optimiser fold the reads. A guard test
// checks that every export of the modules below is here.

import * as batch from './batch';
import * as compression from './compression';
import * as varint from './varint';
import * as hash from './murmur2';
import * as control from './control';
import * as crc from './crc32c';

export type {
  TimestampType,
  RecordHeader,
  KafkaRecord,
  RecordBatchHeader,
  BatchView,
  RecordInput,
  BuildRecordBatchOptions,
} from './batch';
export type { CompressionCodec, CompressionName } from './compression';
export type { ControlRecordTypeName, EndTxnMarker } from './control';

export const BASE_OFFSET_OFFSET = batch.BASE_OFFSET_OFFSET;
export const LENGTH_OFFSET = batch.LENGTH_OFFSET;
export const PARTITION_LEADER_EPOCH_OFFSET = batch.PARTITION_LEADER_EPOCH_OFFSET;
export const MAGIC_OFFSET = batch.MAGIC_OFFSET;
export const CRC_OFFSET = batch.CRC_OFFSET;
export const ATTRIBUTES_OFFSET = batch.ATTRIBUTES_OFFSET;
export const LAST_OFFSET_DELTA_OFFSET = batch.LAST_OFFSET_DELTA_OFFSET;
export const BASE_TIMESTAMP_OFFSET = batch.BASE_TIMESTAMP_OFFSET;
export const MAX_TIMESTAMP_OFFSET = batch.MAX_TIMESTAMP_OFFSET;
export const PRODUCER_ID_OFFSET = batch.PRODUCER_ID_OFFSET;
export const PRODUCER_EPOCH_OFFSET = batch.PRODUCER_EPOCH_OFFSET;
export const BASE_SEQUENCE_OFFSET = batch.BASE_SEQUENCE_OFFSET;
export const RECORDS_COUNT_OFFSET = batch.RECORDS_COUNT_OFFSET;
export const LOG_OVERHEAD = batch.LOG_OVERHEAD;
export const RECORD_BATCH_OVERHEAD = batch.RECORD_BATCH_OVERHEAD;
export const CURRENT_MAGIC = batch.CURRENT_MAGIC;
export const COMPRESSION_CODEC_MASK = batch.COMPRESSION_CODEC_MASK;
export const TIMESTAMP_TYPE_MASK = batch.TIMESTAMP_TYPE_MASK;
export const TRANSACTIONAL_FLAG_MASK = batch.TRANSACTIONAL_FLAG_MASK;
export const CONTROL_FLAG_MASK = batch.CONTROL_FLAG_MASK;
export const DELETE_HORIZON_FLAG_MASK = batch.DELETE_HORIZON_FLAG_MASK;
export const NO_PRODUCER_ID = batch.NO_PRODUCER_ID;
export const NO_PRODUCER_EPOCH = batch.NO_PRODUCER_EPOCH;
export const NO_SEQUENCE = batch.NO_SEQUENCE;
export const NO_PARTITION_LEADER_EPOCH = batch.NO_PARTITION_LEADER_EPOCH;
export const NO_TIMESTAMP = batch.NO_TIMESTAMP;
export const readInt64 = batch.readInt64;
export const writeInt64 = batch.writeInt64;
export const readBatchHeader = batch.readBatchHeader;
export const crc32cOf = batch.crc32cOf;
export const computeBatchCrc = batch.computeBatchCrc;
export const validateBatch = batch.validateBatch;
export const setBaseOffset = batch.setBaseOffset;
export const setPartitionLeaderEpoch = batch.setPartitionLeaderEpoch;
export const batchSizeAt = batch.batchSizeAt;
export const iterateBatches = batch.iterateBatches;
export const records = batch.records;
export const buildRecordBatch = batch.buildRecordBatch;
export const compressionCodec = compression.compressionCodec;
export const compress = compression.compress;
export const decompress = compression.decompress;
export const sizeOfVarint = varint.sizeOfVarint;
export const sizeOfVarlong = varint.sizeOfVarlong;
export const writeVarint = varint.writeVarint;
export const writeVarlong = varint.writeVarlong;
export const murmur2 = hash.murmur2;
export const toPositive = hash.toPositive;
export const partitionForKey = hash.partitionForKey;
export const CONTROL_RECORD_KEY_VERSION = control.CONTROL_RECORD_KEY_VERSION;
export const END_TXN_MARKER_VERSION = control.END_TXN_MARKER_VERSION;
export const ControlRecordType = control.ControlRecordType;
export const encodeControlRecordKey = control.encodeControlRecordKey;
export const controlRecordType = control.controlRecordType;
export const buildEndTxnMarkerBatch = control.buildEndTxnMarkerBatch;
export const readEndTxnMarker = control.readEndTxnMarker;
export const RecordReader = batch.RecordReader;
export type RecordReader = batch.RecordReader;
export const VarintReader = varint.VarintReader;
export type VarintReader = varint.VarintReader;
export const crc32cImplementation = crc.crc32cImplementation;
