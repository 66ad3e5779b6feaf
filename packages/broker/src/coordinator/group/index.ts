// coordinator/group: the group coordinator (Kafka's kafka.coordinator.group).
//   GroupMetadata/MemberMetadata (state machine, members), GroupCoordinator (Join/Sync/Heartbeat/
//   Leave, offsets, admin), DelayedOperation + DelayedJoin (timers), OffsetStore, coordinatorSelection
export * from './GroupMetadata';
export * from './MemberMetadata';
export * from './GroupCoordinator';
export { MockTimer, SystemTimer, type Timer, type TimerTaskHandle } from './DelayedOperation';
export * from './OffsetStore';
export * from './coordinatorSelection';
export * from './GroupCoordinatorComponent';
