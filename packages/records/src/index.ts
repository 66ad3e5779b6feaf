// records: Kafka's RecordBatch v2 codec. Pure functions, no I/O.
//   batch.ts        header read/validate/rewrite, builder, lazy record iterator, iterateBatches
//   control.ts      control records: commit/abort markers of transactions (KIP-98)
//   compression.ts, varint.ts, murmur2.ts: codecs (Kafka ids), zigzag varints, the partitioner hash
//   crc32c.ts       CRC-32C: the native addon (native/crc32c.c: AVX-512 folding or three
//                   SSE 4.2 chains), else @node-rs/crc32
//
// Every value is exported as a plain data property (`export import X = batch.X` compiles to
// `exports.X = batch.X`), not through `export ... from`: tsc compiles a re-export to an
// accessor (a getter per name), and an exports object with this many accessors is kept in
// dictionary mode by V8, so every `records_1.X` read in the log, broker and client was a
// call to the generic LoadIC builtin plus the getter (~10 % of a log append's JavaScript
// in a profile). Data properties keep the object fast and let the optimiser fold the
// reads. Every package entry is written so (scripts/flatten-index.js; the architecture
// test checks); a guard test checks that every export of the modules below is here.

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

export import BASE_OFFSET_OFFSET = batch.BASE_OFFSET_OFFSET;
export import LENGTH_OFFSET = batch.LENGTH_OFFSET;
export import PARTITION_LEADER_EPOCH_OFFSET = batch.PARTITION_LEADER_EPOCH_OFFSET;
export import MAGIC_OFFSET = batch.MAGIC_OFFSET;
export import CRC_OFFSET = batch.CRC_OFFSET;
export import ATTRIBUTES_OFFSET = batch.ATTRIBUTES_OFFSET;
export import LAST_OFFSET_DELTA_OFFSET = batch.LAST_OFFSET_DELTA_OFFSET;
export import BASE_TIMESTAMP_OFFSET = batch.BASE_TIMESTAMP_OFFSET;
export import MAX_TIMESTAMP_OFFSET = batch.MAX_TIMESTAMP_OFFSET;
export import PRODUCER_ID_OFFSET = batch.PRODUCER_ID_OFFSET;
export import PRODUCER_EPOCH_OFFSET = batch.PRODUCER_EPOCH_OFFSET;
export import BASE_SEQUENCE_OFFSET = batch.BASE_SEQUENCE_OFFSET;
export import RECORDS_COUNT_OFFSET = batch.RECORDS_COUNT_OFFSET;
export import LOG_OVERHEAD = batch.LOG_OVERHEAD;
export import RECORD_BATCH_OVERHEAD = batch.RECORD_BATCH_OVERHEAD;
export import CURRENT_MAGIC = batch.CURRENT_MAGIC;
export import COMPRESSION_CODEC_MASK = batch.COMPRESSION_CODEC_MASK;
export import TIMESTAMP_TYPE_MASK = batch.TIMESTAMP_TYPE_MASK;
export import TRANSACTIONAL_FLAG_MASK = batch.TRANSACTIONAL_FLAG_MASK;
export import CONTROL_FLAG_MASK = batch.CONTROL_FLAG_MASK;
export import DELETE_HORIZON_FLAG_MASK = batch.DELETE_HORIZON_FLAG_MASK;
export import NO_PRODUCER_ID = batch.NO_PRODUCER_ID;
export import NO_PRODUCER_EPOCH = batch.NO_PRODUCER_EPOCH;
export import NO_SEQUENCE = batch.NO_SEQUENCE;
export import NO_PARTITION_LEADER_EPOCH = batch.NO_PARTITION_LEADER_EPOCH;
export import NO_TIMESTAMP = batch.NO_TIMESTAMP;
export import readInt64 = batch.readInt64;
export import writeInt64 = batch.writeInt64;
export import readBatchHeader = batch.readBatchHeader;
export import crc32cOf = batch.crc32cOf;
export import computeBatchCrc = batch.computeBatchCrc;
export import validateBatch = batch.validateBatch;
export import setBaseOffset = batch.setBaseOffset;
export import setPartitionLeaderEpoch = batch.setPartitionLeaderEpoch;
export import batchSizeAt = batch.batchSizeAt;
export import iterateBatches = batch.iterateBatches;
export import records = batch.records;
export import buildRecordBatch = batch.buildRecordBatch;
export import compressionCodec = compression.compressionCodec;
export import compress = compression.compress;
export import decompress = compression.decompress;
export import sizeOfVarint = varint.sizeOfVarint;
export import sizeOfVarlong = varint.sizeOfVarlong;
export import writeVarint = varint.writeVarint;
export import writeVarlong = varint.writeVarlong;
export import murmur2 = hash.murmur2;
export import toPositive = hash.toPositive;
export import partitionForKey = hash.partitionForKey;
export import CONTROL_RECORD_KEY_VERSION = control.CONTROL_RECORD_KEY_VERSION;
export import END_TXN_MARKER_VERSION = control.END_TXN_MARKER_VERSION;
export import ControlRecordType = control.ControlRecordType;
export import encodeControlRecordKey = control.encodeControlRecordKey;
export import controlRecordType = control.controlRecordType;
export import buildEndTxnMarkerBatch = control.buildEndTxnMarkerBatch;
export import readEndTxnMarker = control.readEndTxnMarker;
export import RecordReader = batch.RecordReader;
export import VarintReader = varint.VarintReader;
export import crc32cImplementation = crc.crc32cImplementation;
