// coordinator/group: the group coordinator (Kafka's kafka.coordinator.group).
//   GroupMetadata/MemberMetadata (state machine), GroupCoordinator (+Types, GroupConfig): the protocol,
//   DelayedJoin, DelayedHeartbeat (on ../../server/DelayedOperation), OffsetStore (ZooKeeper), coordinatorSelection, the Broker component
export * from './GroupMetadata';
export {
  MemberMetadata,
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  type GroupProtocol,
  type JoinGroupResult,
  type JoinGroupResultMember,
  type SyncGroupResult,
} from './MemberMetadata';
export * from './GroupCoordinator';
export * from './GroupCoordinatorTypes';
export * from './GroupConfig';
export * from './OffsetStore';
export * from './coordinator-selection';
export * from './GroupCoordinatorComponent';
