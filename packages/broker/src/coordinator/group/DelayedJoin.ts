/**
 * The group coordinator's join-phase delayed operations (Kafka's DelayedJoin.scala and
 * InitialDelayedJoin): the join phase of a rebalance and the initial delay of an empty
 * group's first rebalance; plus the coordinator callbacks and purgatory keys they share
 * with DelayedHeartbeat (DelayedHeartbeat.ts).
 */
import { DelayedOperation, DelayedOperationPurgatory } from '../../server/DelayedOperation';
import type { GroupMetadata } from './GroupMetadata';

/** The coordinator callbacks the delayed operations drive. */
export interface GroupCoordinatorCallbacks {
  tryCompleteJoin(group: GroupMetadata, forceComplete: () => boolean): boolean;
  onCompleteJoin(group: GroupMetadata): void;
  tryCompleteHeartbeat(
    group: GroupMetadata,
    memberId: string,
    isPending: boolean,
    deadlineMs: number,
    forceComplete: () => boolean,
  ): boolean;
  onExpireHeartbeat(
    group: GroupMetadata,
    memberId: string,
    isPending: boolean,
    deadlineMs: number,
  ): void;
}

export const groupKey = (groupId: string): string => `group:${groupId}`;
export const memberKey = (groupId: string, memberId: string): string =>
  `member:${groupId}\u0000${memberId}`;

/**
 * The join phase: completes as soon as every known member has rejoined, or when the
 * rebalance timeout (the largest of the members') passes.
 */
export class DelayedJoin extends DelayedOperation {
  constructor(
    protected readonly coordinator: GroupCoordinatorCallbacks,
    protected readonly group: GroupMetadata,
    rebalanceTimeoutMs: number,
  ) {
    super(rebalanceTimeoutMs);
  }

  tryComplete(): boolean {
    return this.coordinator.tryCompleteJoin(this.group, () => this.forceComplete());
  }

  onComplete(): void {
    this.coordinator.onCompleteJoin(this.group);
  }
}

/**
 * The first rebalance of an empty group waits `group.initial.rebalance.delay.ms`, and
 * again (up to the rebalance timeout in all) each time a new member joined meanwhile,
 * so that a group whose consumers start together gets one rebalance, not many. It never
 * completes early.
 */
export class InitialDelayedJoin extends DelayedJoin {
  constructor(
    coordinator: GroupCoordinatorCallbacks,
    private readonly purgatory: DelayedOperationPurgatory<DelayedJoin>,
    group: GroupMetadata,
    private readonly configuredRebalanceDelayMs: number,
    delayMs: number,
    private readonly remainingMs: number,
  ) {
    super(coordinator, group, delayMs);
  }

  override tryComplete(): boolean {
    return false;
  }

  override onComplete(): void {
    if (this.group.newMemberAdded && this.remainingMs !== 0) {
      this.group.newMemberAdded = false;
      const delay = Math.min(this.configuredRebalanceDelayMs, this.remainingMs);
      const remaining = Math.max(this.remainingMs - this.delayMs, 0);
      this.purgatory.tryCompleteElseWatch(
        new InitialDelayedJoin(
          this.coordinator,
          this.purgatory,
          this.group,
          this.configuredRebalanceDelayMs,
          delay,
          remaining,
        ),
        [groupKey(this.group.groupId)],
      );
    } else {
      super.onComplete();
    }
  }
}
