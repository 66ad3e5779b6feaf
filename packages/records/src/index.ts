// records: Kafka's RecordBatch v2 codec. Pure functions, no I/O.
//   batch.ts        header read/validate/rewrite, builder, lazy record iterator, iterateBatches
//   control.ts      control records: commit/abort markers of transactions (KIP-98)
//   compression.ts, varint.ts, murmur2.ts: codecs (Kafka ids), zigzag varints, the partitioner hash
export * from './batch';
export * from './compression';
export * from './varint';
export * from './murmur2';
export * from './control';
