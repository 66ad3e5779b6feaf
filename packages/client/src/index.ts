// client: kzoo's Producer, Consumer (assign and group modes) and Admin, internals named as Kafka's Java client.
//   Producer.ts, ProducerBatch.ts, RecordAccumulator.ts, Sender.ts, partitioner.ts, TransactionManager.ts: the producer path
//   Consumer.ts, ConsumerCoordinator.ts, Fetcher.ts: the consumer; Admin.ts; Metadata.ts, NetworkClient.ts, config.ts: shared;
//   assignors/: range, roundrobin, sticky (the group leader's partition assignment)
export * from './config';
export { Metadata, Cluster, type Node, type PartitionInfo, type TopicInfo } from './Metadata';
export { NetworkClient } from './NetworkClient';
export {
  Producer,
  type ProducerRecord,
  type RecordMetadata,
  type ClientOptions,
  type SendCallback,
  type RecordCallback,
  type CompletedBatch,
  type CustomPartitioner,
} from './Producer';
export { TransactionManager } from './TransactionManager';
export { DefaultPartitioner, StickyPartitionCache } from './partitioner';
export { RecordAccumulator } from './RecordAccumulator';
export {
  Consumer,
  type ConsumerRecord,
  type TopicPartition,
  type ConsumerOptions,
  type ConsumerRebalanceListener,
  type OffsetAndPartition,
  type RunOptions,
} from './Consumer';
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
} from './Admin';
export type {
  ClientQuotaAlteration,
  ClientQuotaDescription,
  ClientQuotaEntity,
  ClientQuotaEntityType,
  ClientQuotaFilter,
  ClientQuotaFilterComponent,
} from './ClientQuotas';
export * from './assignors';
