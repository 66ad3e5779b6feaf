/**
 * DelayedHeartbeat (Kafka's DelayedHeartbeat.scala): a member's session in the
 * coordinator's purgatory, expiring unless a heartbeat (or join/sync) comes first.
 */
import { DelayedOperation } from '../../server/DelayedOperation';
import type { GroupCoordinatorCallbacks } from './DelayedJoin';
import type { GroupMetadata } from './GroupMetadata';

/** A member's session: expires unless a heartbeat (or join/sync) comes before the deadline. */
export class DelayedHeartbeat extends DelayedOperation {
  constructor(
    private readonly coordinator: GroupCoordinatorCallbacks,
    private readonly group: GroupMetadata,
    private readonly memberId: string,
    private readonly isPending: boolean,
    private readonly deadlineMs: number,
    timeoutMs: number,
  ) {
    super(timeoutMs);
  }

  tryComplete(): boolean {
    return this.coordinator.tryCompleteHeartbeat(
      this.group,
      this.memberId,
      this.isPending,
      this.deadlineMs,
      () => this.forceComplete(),
    );
  }

  override onExpiration(): void {
    this.coordinator.onExpireHeartbeat(this.group, this.memberId, this.isPending, this.deadlineMs);
  }

  onComplete(): void {}
}
