// records: Kafka's RecordBatch v2 codec. Pure functions, no I/O.
//   batch.ts        header read/validate/rewrite, builder, lazy record iterator, iterateBatches
//   control.ts      control records: commit/abort markers of transactions (KIP-98)
//   compression.ts, varint.ts, murmur2.ts: codecs (Kafka ids), zigzag varints, the partitioner hash
//   crc32c.ts       CRC-32C: the native three-chain addon (native/crc32c.c), else @node-rs/crc32
// batch.ts's values re-exported by name, before the star exports: tsc compiles `export *`
// to one shared getter (`function () { return m[k]; }`) whose keyed load goes megamorphic
// across all names (~7-10 % of a log append's CPU in a profile, offsets and masks read per
// batch); a named re-export gets its own getter with a plain property load.
export {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  DELETE_HORIZON_FLAG_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  batchSizeAt,
  buildRecordBatch,
  computeBatchCrc,
  crc32cOf,
  iterateBatches,
  readBatchHeader,
  readInt64,
  records,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
  writeInt64,
} from './batch';
export * from './batch';
export * from './compression';
export * from './varint';
export * from './murmur2';
export * from './control';
export { crc32cImplementation } from './crc32c';
