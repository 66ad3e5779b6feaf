// broker: the kzoo broker (Kafka's KafkaServer) as a library object.
//   Broker.ts, config.ts, network/ (SocketServer), server/ (DataPlane, KafkaApis, ReplicaManager, Partition, fetchers, ISR managers)
//   handlers/ (one file per API), admin/ (AdminZkClient, topic rules), controller/ (KafkaController, state machines, elections), coordinator/group/ (GroupCoordinator), coordinator/transaction/ (TransactionCoordinator)
import * as config from './config';
import * as broker from './Broker';
import * as controllerEventManager from './controller/ControllerEventManager';
import * as kafkaController from './controller/KafkaController';
import * as brokerMetadata from './server/BrokerMetadata';
import * as dataPlane from './server/DataPlane';
import * as kafkaApis from './server/KafkaApis';
import * as metadataCache from './server/MetadataCache';
import * as replicaManager from './server/ReplicaManager';
import * as partition from './server/Partition';
import * as producerIdManager from './server/ProducerIdManager';
import * as replica from './server/Replica';
import * as replicaFetcherManager from './server/ReplicaFetcherManager';
import * as replicaFetcherThread from './server/ReplicaFetcherThread';
import * as isrManager from './server/IsrManager';
import * as alterPartitionManager from './server/AlterPartitionManager';
import * as zkIsrManager from './server/ZkIsrManager';
import * as timer from './server/Timer';
import * as delayedOperation from './server/DelayedOperation';
import * as delayedFetch from './server/DelayedFetch';
import * as delayedProduce from './server/DelayedProduce';
import * as adminZkClient from './admin/AdminZkClient';
import * as adminUtils from './admin/AdminUtils';
import * as topic from './admin/Topic';
import * as controllerPartitions from './controller/ControllerPartitions';
import * as alterPartitionHandler from './controller/AlterPartitionHandler';
import * as states from './controller/states';
import * as network from './network';
import * as group from './coordinator/group';
import * as metrics from './metrics';
import * as transaction from './coordinator/transaction';

export type { ConfigInput } from './config';
export import logDefaultsFrom = config.logDefaultsFrom;
export import BROKER_CONFIG_DEF = config.BROKER_CONFIG_DEF;
export import KafkaConfig = config.KafkaConfig;

export type { BrokerState, BrokerComponent, BrokerOptions } from './Broker';
export import Broker = broker.Broker;
export import BrokerShutDownDuringStartup = broker.BrokerShutDownDuringStartup;

export type { ControllerEvent, ControllerEventType } from './controller/ControllerEventManager';
export import ControllerEventManager = controllerEventManager.ControllerEventManager;

export type { BrokerChange, KafkaControllerOptions } from './controller/KafkaController';
export import KafkaController = kafkaController.KafkaController;

export type { BrokerMetadata } from './server/BrokerMetadata';
export import readBrokerMetadata = brokerMetadata.readBrokerMetadata;
export import writeBrokerMetadata = brokerMetadata.writeBrokerMetadata;
export import storedBrokerId = brokerMetadata.storedBrokerId;
export import getOrGenerateBrokerId = brokerMetadata.getOrGenerateBrokerId;
export import checkBrokerMetadata = brokerMetadata.checkBrokerMetadata;
export import META_PROPERTIES = brokerMetadata.META_PROPERTIES;

export import DataPlane = dataPlane.DataPlane;

export type {
  ApiSettings,
  BrokerContext,
  Handler,
  KafkaOnlyHandler,
  AnyHandler,
  ControlledRequest,
  ControlAction,
  ControlFn,
} from './server/KafkaApis';
export import API_HANDLERS = kafkaApis.API_HANDLERS;
export import KafkaApis = kafkaApis.KafkaApis;

export import LEADER_DURING_DELETE = metadataCache.LEADER_DURING_DELETE;
export import MetadataCache = metadataCache.MetadataCache;

export type { ReplicaManagerOptions } from './server/ReplicaManager';
export import errorCodeOf = replicaManager.errorCodeOf;
export import ReplicaManager = replicaManager.ReplicaManager;

export type { PartitionReadResult, PartitionOptions } from './server/Partition';
export import Partition = partition.Partition;

export import PRODUCER_ID_BLOCK_SIZE = producerIdManager.PRODUCER_ID_BLOCK_SIZE;
export import ProducerIdManager = producerIdManager.ProducerIdManager;

export import Replica = replica.Replica;

export import ReplicaFetcherManager = replicaFetcherManager.ReplicaFetcherManager;

export type { FetcherConfig, SourceBroker, FetcherMetrics } from './server/ReplicaFetcherThread';
export import truncationPoint = replicaFetcherThread.truncationPoint;
export import fetchErrorLevel = replicaFetcherThread.fetchErrorLevel;
export import ReplicaFetcherThread = replicaFetcherThread.ReplicaFetcherThread;

export type { IsrUpdate, IsrUpdateResult, IsrManager } from './server/IsrManager';
export import usesAlterPartition = isrManager.usesAlterPartition;

export type { AlterPartitionManagerOptions } from './server/AlterPartitionManager';
export import AlterPartitionManager = alterPartitionManager.AlterPartitionManager;

export type { ZkIsrManagerOptions } from './server/ZkIsrManager';
export import ZkIsrManager = zkIsrManager.ZkIsrManager;

export type { TimerTaskHandle, Timer } from './server/Timer';
export import SystemTimer = timer.SystemTimer;
export import MockTimer = timer.MockTimer;

export import DelayedOperation = delayedOperation.DelayedOperation;
export import DelayedOperationPurgatory = delayedOperation.DelayedOperationPurgatory;

export type { FetchPartitionStatus } from './server/DelayedFetch';
export import DelayedFetch = delayedFetch.DelayedFetch;

export type { ProducePartitionStatus } from './server/DelayedProduce';
export import DelayedProduce = delayedProduce.DelayedProduce;

export type { CreateTopicResult } from './admin/AdminZkClient';
export import validateQuotaConfigs = adminZkClient.validateQuotaConfigs;
export import AdminZkClient = adminZkClient.AdminZkClient;

export import assignReplicasToBrokers = adminUtils.assignReplicasToBrokers;

export import detectInvalidTopic = topic.detectInvalidTopic;
export import validateTopicName = topic.validateTopicName;
export import isInternalTopic = topic.isInternalTopic;
export import hasCollisionChars = topic.hasCollisionChars;
export import unifyCollisionChars = topic.unifyCollisionChars;
export import hasCollision = topic.hasCollision;
export import MAX_TOPIC_NAME_LENGTH = topic.MAX_TOPIC_NAME_LENGTH;
export import GROUP_METADATA_TOPIC_NAME = topic.GROUP_METADATA_TOPIC_NAME;
export import TRANSACTION_STATE_TOPIC_NAME = topic.TRANSACTION_STATE_TOPIC_NAME;

export type {
  ControllerPartitionsOptions,
  ControlledShutdownResult,
} from './controller/ControllerPartitions';
export import ControllerPartitions = controllerPartitions.ControllerPartitions;

export type { AlterPartitionHandlerOptions } from './controller/AlterPartitionHandler';
export import AlterPartitionHandler = alterPartitionHandler.AlterPartitionHandler;

export import checkPartitionTransition = states.checkPartitionTransition;
export import checkReplicaTransition = states.checkReplicaTransition;
export import PartitionState = states.PartitionState;
export import PARTITION_VALID_PREVIOUS = states.PARTITION_VALID_PREVIOUS;
export import ReplicaState = states.ReplicaState;
export import REPLICA_VALID_PREVIOUS = states.REPLICA_VALID_PREVIOUS;
export import IllegalStateTransition = states.IllegalStateTransition;

export type {
  SocketServerOptions,
  RequestHandler,
  RequestContext,
  ConnectionStats,
  WireCodec,
  WireProtocol,
} from './network';
export import SocketServer = network.SocketServer;
export import RequestTimes = network.RequestTimes;
export import nativeCodec = network.nativeCodec;
export import kafkaCodec = network.kafkaCodec;
export import isNativeRequest = network.isNativeRequest;

export type {
  GroupProtocol,
  JoinGroupResult,
  JoinGroupResultMember,
  SyncGroupResult,
  GroupOverview,
  MemberSummary,
  GroupSummary,
  JoinGroupParams,
  SyncGroupParams,
  HeartbeatParams,
  LeaveGroupResult,
  OffsetCommitParams,
  PartitionResult,
  OffsetFetchResult,
  GroupCoordinatorOptions,
  GroupConfig,
  CommittedOffset,
  OffsetStore,
} from './coordinator/group';
export import MemberMetadata = group.MemberMetadata;
export import NEW_MEMBER_JOIN_TIMEOUT_MS = group.NEW_MEMBER_JOIN_TIMEOUT_MS;
export import GroupState = group.GroupState;
export import VALID_PREVIOUS_STATES = group.VALID_PREVIOUS_STATES;
export import IllegalGroupStateTransitionError = group.IllegalGroupStateTransitionError;
export import GroupMetadata = group.GroupMetadata;
export import GroupCoordinator = group.GroupCoordinator;
export import groupConfigFrom = group.groupConfigFrom;
export import GROUP_CONFIG_KEYS = group.GROUP_CONFIG_KEYS;
export import GROUP_CONFIG_DEFAULTS = group.GROUP_CONFIG_DEFAULTS;
export import validateCommittedOffsets = group.validateCommittedOffsets;
export import sortOffsets = group.sortOffsets;
export import InMemoryOffsetStore = group.InMemoryOffsetStore;
export import ZkOffsetStore = group.ZkOffsetStore;
export import javaStringHashCode = group.javaStringHashCode;
export import kafkaAbs = group.kafkaAbs;
export import partitionForGroup = group.partitionForGroup;
export import coordinatorForGroup = group.coordinatorForGroup;
export import OFFSETS_TOPIC_NUM_PARTITIONS = group.OFFSETS_TOPIC_NUM_PARTITIONS;
export import GroupCoordinatorComponent = group.GroupCoordinatorComponent;

export type { TopicStats, BrokerMetricsOptions } from './metrics';
export import METRICS_CONFIG_KEYS = metrics.METRICS_CONFIG_KEYS;
export import BrokerTopicStats = metrics.BrokerTopicStats;
export import RequestTimeHistogram = metrics.RequestTimeHistogram;
export import BrokerMetrics = metrics.BrokerMetrics;

export type {
  TransactionState,
  PendingOffset,
  TxnTransitMetadata,
  TransactionConfig,
  TransactionCoordinatorOptions,
  InitProducerIdResult,
  DescribedTransaction,
} from './coordinator/transaction';
export import transactionStateOf = transaction.transactionStateOf;
export import TransactionStateIds = transaction.TransactionStateIds;
export import TRANSACTION_STATES = transaction.TRANSACTION_STATES;
export import VALID_PREVIOUS_TXN_STATES = transaction.VALID_PREVIOUS_TXN_STATES;
export import TransactionMetadata = transaction.TransactionMetadata;
export import encodeTxnKey = transaction.encodeTxnKey;
export import decodeTxnKey = transaction.decodeTxnKey;
export import encodeTxnValue = transaction.encodeTxnValue;
export import decodeTxnValue = transaction.decodeTxnValue;
export import transactionConfigFrom = transaction.transactionConfigFrom;
export import TRANSACTION_CONFIG_KEYS = transaction.TRANSACTION_CONFIG_KEYS;
export import TRANSACTION_CONFIG_DEFAULTS = transaction.TRANSACTION_CONFIG_DEFAULTS;
export import appendErrorToCoordinatorError = transaction.appendErrorToCoordinatorError;
export import TransactionCoordinator = transaction.TransactionCoordinator;
export import writeTxnMarkers = transaction.writeTxnMarkers;
export import InterBrokerChannel = transaction.InterBrokerChannel;
export import TransactionCoordinatorComponent = transaction.TransactionCoordinatorComponent;
