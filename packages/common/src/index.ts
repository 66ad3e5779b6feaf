// common: what every kzoo package shares.
//   errors.ts      Kafka's error-code table and KafkaError
//   time.ts        injected clock and scheduler (Time, MockTime): the only timers
//   Logger.ts, properties.ts: structured logs, Kafka's properties format
//   config.ts      ConfigDef/AbstractConfig: Kafka's config definitions, parsing, README tables
//   RepeatedWarning.ts   one WARN for a failure that repeats on every retry
//   ExponentialBackoff.ts  Kafka's jittered exponential backoff (reconnects, connect timeouts)
//   TopicPartition.ts    Kafka's TopicPartition and its one string form, `<topic>-<partition>`
//   Sanitizer.ts   Kafka's Sanitizer: client ids and users as znode names and metric tags
//   QuotaConfigs.ts  the client/user quota keys (producer_byte_rate, ...)
//   process-env.ts, process-heap.ts  the environment and V8 heap growth of the processes kzoo runs
//   v8-shapes.ts   keeping V8's hidden classes steady on hot paths (emptyObjectArray)
export * from './errors';
export * from './time';
export * from './Logger';
export * from './properties';
export * from './config';
export * from './RepeatedWarning';
export * from './ExponentialBackoff';
export * from './TopicPartition';
export * from './Sanitizer';
export * from './QuotaConfigs';
export * from './process-env';
export * from './process-heap';
export * from './v8-shapes';
