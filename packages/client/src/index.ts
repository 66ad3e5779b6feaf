// client: kzoo's Producer, Consumer (assign and group modes) and Admin, internals named as Kafka's Java client.
//   producer.ts, producer-batch.ts, accumulator.ts, sender.ts, partitioner.ts, transaction-manager.ts: the producer path
//   consumer.ts, consumer-coordinator.ts, fetcher.ts: the consumer; admin.ts; metadata.ts, network-client.ts, config.ts: shared;
//   assignors/: range, roundrobin, sticky (the group leader's partition assignment)
export * from './config';
export { Metadata, Cluster, type Node, type PartitionInfo, type TopicInfo } from './metadata';
export { NetworkClient } from './network-client';
export {
  Producer,
  type ProducerRecord,
  type RecordMetadata,
  type ClientOptions,
  type SendCallback,
  type CustomPartitioner,
} from './producer';
export { TransactionManager } from './transaction-manager';
export { DefaultPartitioner, StickyPartitionCache } from './partitioner';
export { RecordAccumulator } from './accumulator';
export {
  Consumer,
  type ConsumerRecord,
  type TopicPartition,
  type ConsumerOptions,
  type ConsumerRebalanceListener,
  type OffsetAndPartition,
  type RunOptions,
} from './consumer';
export {
  Admin,
  type NewTopic,
  type CreateTopicsOptions,
  type TopicDescription,
  type PartitionDescription,
  type ClusterDescription,
  type NewPartitions,
  type GroupListing,
  type GroupDescription,
  type MemberDescription,
  type PartitionOffset,
  type OffsetSpec,
  type ElectLeadersResult,
  type PartitionReassignmentResult,
  type OngoingPartitionReassignmentInfo,
  type ConfigResource,
  type ConfigEntry,
  type ConfigSynonym,
  type ConfigSourceName,
  type ResourceConfig,
  type AlterConfigOp,
  type TransactionListing,
  type TransactionDescription,
} from './admin';
export * from './assignors';
