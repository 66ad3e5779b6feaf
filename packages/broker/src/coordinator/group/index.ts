// coordinator/group: the group coordinator (Kafka's kafka.coordinator.group).
//   GroupMetadata/MemberMetadata (state machine), GroupCoordinator (+Types, GroupConfig): the protocol,
//   DelayedJoin, DelayedHeartbeat (on ../../server/DelayedOperation), OffsetStore (ZooKeeper), coordinatorSelection, the Broker component
import * as groupMetadata from './GroupMetadata';
import * as memberMetadata from './MemberMetadata';
import * as groupCoordinator from './GroupCoordinator';
import * as groupConfig from './GroupConfig';
import * as offsetStore from './OffsetStore';
import * as coordinatorSelection from './coordinator-selection';
import * as groupCoordinatorComponent from './GroupCoordinatorComponent';

export type { GroupOverview, MemberSummary, GroupSummary } from './GroupMetadata';
export import GroupState = groupMetadata.GroupState;
export import VALID_PREVIOUS_STATES = groupMetadata.VALID_PREVIOUS_STATES;
export import IllegalGroupStateTransitionError = groupMetadata.IllegalGroupStateTransitionError;
export import GroupMetadata = groupMetadata.GroupMetadata;

export type {
  GroupProtocol,
  JoinGroupResult,
  JoinGroupResultMember,
  SyncGroupResult,
} from './MemberMetadata';
export import MemberMetadata = memberMetadata.MemberMetadata;
export import NEW_MEMBER_JOIN_TIMEOUT_MS = memberMetadata.NEW_MEMBER_JOIN_TIMEOUT_MS;

export import GroupCoordinator = groupCoordinator.GroupCoordinator;

export type {
  JoinGroupParams,
  SyncGroupParams,
  HeartbeatParams,
  LeaveGroupResult,
  OffsetCommitParams,
  PartitionResult,
  OffsetFetchResult,
  GroupCoordinatorOptions,
} from './GroupCoordinatorTypes';

export type { GroupConfig } from './GroupConfig';
export import groupConfigFrom = groupConfig.groupConfigFrom;
export import GROUP_CONFIG_KEYS = groupConfig.GROUP_CONFIG_KEYS;
export import GROUP_CONFIG_DEFAULTS = groupConfig.GROUP_CONFIG_DEFAULTS;

export type { CommittedOffset, OffsetStore } from './OffsetStore';
export import validateCommittedOffsets = offsetStore.validateCommittedOffsets;
export import sortOffsets = offsetStore.sortOffsets;
export import InMemoryOffsetStore = offsetStore.InMemoryOffsetStore;
export import ZkOffsetStore = offsetStore.ZkOffsetStore;

export import javaStringHashCode = coordinatorSelection.javaStringHashCode;
export import kafkaAbs = coordinatorSelection.kafkaAbs;
export import partitionForGroup = coordinatorSelection.partitionForGroup;
export import coordinatorForGroup = coordinatorSelection.coordinatorForGroup;
export import OFFSETS_TOPIC_NUM_PARTITIONS = coordinatorSelection.OFFSETS_TOPIC_NUM_PARTITIONS;

export import GroupCoordinatorComponent = groupCoordinatorComponent.GroupCoordinatorComponent;
