// zk: ZooKeeper for kzoo, the way Kafka uses it.
//   session.ts (ZkSession: promise API, typed errors, watches, re-session after expiry)
//   znodes.ts (Kafka's znode paths + JSON codecs), KafkaZkClient.ts (Kafka's ZK operations)
import * as errors from './errors';
import * as session from './session';
import * as znodes from './znodes';
import * as ibp from './ibp';
import * as kafkaZk from './KafkaZk';
import * as kafkaZkClient from './KafkaZkClient';
import * as inMemoryKafkaZkClient from './InMemoryKafkaZkClient';

export type { ZkErrorCode } from './errors';
export import zkErrorFromCode = errors.zkErrorFromCode;
export import toZkError = errors.toZkError;
export import ZkError = errors.ZkError;
export import NoNodeError = errors.NoNodeError;
export import NodeExistsError = errors.NodeExistsError;
export import BadVersionError = errors.BadVersionError;
export import NotEmptyError = errors.NotEmptyError;
export import SessionExpiredError = errors.SessionExpiredError;
export import ConnectionLossError = errors.ConnectionLossError;
export import ZkConnectionTimeoutError = errors.ZkConnectionTimeoutError;
export import ZkSessionClosedError = errors.ZkSessionClosedError;

export type {
  CreateMode,
  ZkStat,
  WatchEventType,
  WatchEvent,
  Watcher,
  ZkData,
  ZkOp,
  ZkOpResult,
  ZkSessionState,
  ZkSessionOptions,
  ParsedConnectString,
} from './session';
export import parseConnectString = session.parseConnectString;
export import sessionIdHex = session.sessionIdHex;
export import closeSessionFromOutside = session.closeSessionFromOutside;
export import joinPath = session.joinPath;
export import ZkSession = session.ZkSession;

export type {
  TopicPartition,
  EndPoint,
  SupportedFeature,
  BrokerInfo,
  BrokerRegistration,
  ReplicaAssignment,
  TopicAssignment,
  LeaderIsrAndControllerEpoch,
  ControllerRegistration,
  PartitionReplicas,
  ConfigType,
  ProducerIdBlock,
  FeatureZNodeData,
} from './znodes';
export import randomKafkaUuid = znodes.randomKafkaUuid;
export import endpointString = znodes.endpointString;
export import parseEndpoint = znodes.parseEndpoint;
export import featureDataEqual = znodes.featureDataEqual;
export import ZNodeDecodeError = znodes.ZNodeDecodeError;
export import ClusterZNode = znodes.ClusterZNode;
export import ClusterIdZNode = znodes.ClusterIdZNode;
export import BrokersZNode = znodes.BrokersZNode;
export import BrokerIdsZNode = znodes.BrokerIdsZNode;
export import BrokerSequenceIdZNode = znodes.BrokerSequenceIdZNode;
export import BrokerIdZNode = znodes.BrokerIdZNode;
export import TopicsZNode = znodes.TopicsZNode;
export import TopicZNode = znodes.TopicZNode;
export import TopicPartitionsZNode = znodes.TopicPartitionsZNode;
export import TopicPartitionZNode = znodes.TopicPartitionZNode;
export import TopicPartitionStateZNode = znodes.TopicPartitionStateZNode;
export import ControllerZNode = znodes.ControllerZNode;
export import ControllerEpochZNode = znodes.ControllerEpochZNode;
export import IsrChangeNotificationZNode = znodes.IsrChangeNotificationZNode;
export import IsrChangeNotificationSequenceZNode = znodes.IsrChangeNotificationSequenceZNode;
export import LogDirEventNotificationZNode = znodes.LogDirEventNotificationZNode;
export import LogDirEventNotificationSequenceZNode = znodes.LogDirEventNotificationSequenceZNode;
export import AdminZNode = znodes.AdminZNode;
export import DeleteTopicsZNode = znodes.DeleteTopicsZNode;
export import DeleteTopicsTopicZNode = znodes.DeleteTopicsTopicZNode;
export import ReassignPartitionsZNode = znodes.ReassignPartitionsZNode;
export import PreferredReplicaElectionZNode = znodes.PreferredReplicaElectionZNode;
export import ConfigZNode = znodes.ConfigZNode;
export import ConfigTypes = znodes.ConfigTypes;
export import ConfigEntityName = znodes.ConfigEntityName;
export import ConfigEntityTypeZNode = znodes.ConfigEntityTypeZNode;
export import ConfigEntityZNode = znodes.ConfigEntityZNode;
export import ConfigEntityChangeNotificationZNode = znodes.ConfigEntityChangeNotificationZNode;
export import ConfigEntityChangeNotificationSequenceZNode = znodes.ConfigEntityChangeNotificationSequenceZNode;
export import ConsumerPathZNode = znodes.ConsumerPathZNode;
export import ConsumerGroupZNode = znodes.ConsumerGroupZNode;
export import ConsumerGroupOffsetsZNode = znodes.ConsumerGroupOffsetsZNode;
export import ConsumerOffset = znodes.ConsumerOffset;
export import ProducerIdBlockZNode = znodes.ProducerIdBlockZNode;
export import FeatureZNode = znodes.FeatureZNode;
export import PersistentZkPaths = znodes.PersistentZkPaths;

export type { ZkFormats } from './ibp';
export import parseIbp = ibp.parseIbp;
export import ibpAtLeast = ibp.ibpAtLeast;
export import zkFormatsFor = ibp.zkFormatsFor;

export type {
  ControllerEpochAndZkVersion,
  BrokerAndEpoch,
  ConsumerOffsetEntry,
  PartitionStateAndZkVersion,
  TopicAssignmentAndZkVersion,
  LeaderAndIsrUpdate,
  UpdateLeaderAndIsrResult,
  ProducerIdBlockAndZkVersion,
  ZkSessionEvent,
  KafkaZk,
} from './KafkaZk';
export import leaderAndIsrOf = kafkaZk.leaderAndIsrOf;
export import KafkaZkDerivedReads = kafkaZk.KafkaZkDerivedReads;

export type { KafkaZkClientOptions } from './KafkaZkClient';
export import ControllerMovedError = kafkaZkClient.ControllerMovedError;
export import BrokerIdInUseError = kafkaZkClient.BrokerIdInUseError;
export import KafkaZkClient = kafkaZkClient.KafkaZkClient;

export import InMemoryZooKeeper = inMemoryKafkaZkClient.InMemoryZooKeeper;
export import InMemoryKafkaZkClient = inMemoryKafkaZkClient.InMemoryKafkaZkClient;
