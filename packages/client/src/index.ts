// client: kzoo's Producer, Consumer (assign and group modes) and Admin, internals named as Kafka's Java client.
//   Producer.ts, ProducerBatch.ts, RecordAccumulator.ts, Sender.ts, partitioner.ts, TransactionManager.ts: the producer path
//   Consumer.ts, ConsumerCoordinator.ts, Fetcher.ts: the consumer; Admin.ts; Metadata.ts, NetworkClient.ts, config.ts: shared;
//   assignors/: range, roundrobin, sticky (the group leader's partition assignment)
import * as config from './config';
import * as metadata from './Metadata';
import * as networkClient from './NetworkClient';
import * as producer from './Producer';
import * as transactionManager from './TransactionManager';
import * as partitioner from './partitioner';
import * as recordAccumulator from './RecordAccumulator';
import * as consumer from './Consumer';
import * as admin from './Admin';
import * as assignors from './assignors';

export type {
  ClientQuotaAlteration,
  ClientQuotaDescription,
  ClientQuotaEntity,
  ClientQuotaEntityType,
  ClientQuotaFilter,
  ClientQuotaFilterComponent,
} from './ClientQuotas';

export type {
  CommonClientConfig,
  ProducerConfig,
  ConsumerConfig,
  AdminConfig,
  ConfigInput,
  HostPort,
} from './config';
export import parseHostPort = config.parseHostPort;
export import bootstrapServers = config.bootstrapServers;
export import parseProducerConfig = config.parseProducerConfig;
export import parseConsumerConfig = config.parseConsumerConfig;
export import parseAdminConfig = config.parseAdminConfig;
export import acksValue = config.acksValue;
export import PRODUCER_CONFIG_DEF = config.PRODUCER_CONFIG_DEF;
export import CONSUMER_CONFIG_DEF = config.CONSUMER_CONFIG_DEF;
export import ADMIN_CONFIG_DEF = config.ADMIN_CONFIG_DEF;

export type { Node, PartitionInfo, TopicInfo } from './Metadata';
export import Metadata = metadata.Metadata;
export import Cluster = metadata.Cluster;

export import NetworkClient = networkClient.NetworkClient;

export type {
  ProducerRecord,
  RecordMetadata,
  ClientOptions,
  SendCallback,
  RecordCallback,
  CompletedBatch,
  CustomPartitioner,
} from './Producer';
export import Producer = producer.Producer;

export import TransactionManager = transactionManager.TransactionManager;

export import DefaultPartitioner = partitioner.DefaultPartitioner;
export import StickyPartitionCache = partitioner.StickyPartitionCache;

export import RecordAccumulator = recordAccumulator.RecordAccumulator;

export type {
  ConsumerRecord,
  TopicPartition,
  ConsumerOptions,
  ConsumerRebalanceListener,
  OffsetAndPartition,
  RunOptions,
} from './Consumer';
export import Consumer = consumer.Consumer;

export type {
  NewTopic,
  CreateTopicsOptions,
  TopicDescription,
  PartitionDescription,
  ClusterDescription,
  NewPartitions,
  GroupListing,
  GroupDescription,
  MemberDescription,
  PartitionOffset,
  OffsetSpec,
  ElectLeadersResult,
  PartitionReassignmentResult,
  OngoingPartitionReassignmentInfo,
  ConfigResource,
  ConfigEntry,
  ConfigSynonym,
  ConfigSourceName,
  ResourceConfig,
  AlterConfigOp,
  TransactionListing,
  TransactionDescription,
} from './Admin';
export import Admin = admin.Admin;

export type {
  ConsumerPartitionAssignor,
  MemberInfo,
  StickyUserData,
  Subscription,
  Assignment,
} from './assignors';
export import createAssignors = assignors.createAssignors;
export import compareMembers = assignors.compareMembers;
export import RangeAssignor = assignors.RangeAssignor;
export import RoundRobinAssignor = assignors.RoundRobinAssignor;
export import StickyAssignor = assignors.StickyAssignor;
export import stickyAssign = assignors.stickyAssign;
export import encodeStickyUserData = assignors.encodeStickyUserData;
export import decodeStickyUserData = assignors.decodeStickyUserData;
export import groupByTopic = assignors.groupByTopic;
export import encodeSubscription = assignors.encodeSubscription;
export import decodeSubscription = assignors.decodeSubscription;
export import encodeAssignment = assignors.encodeAssignment;
export import decodeAssignment = assignors.decodeAssignment;
export import CONSUMER_PROTOCOL_TYPE = assignors.CONSUMER_PROTOCOL_TYPE;
