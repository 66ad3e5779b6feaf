/**
 * Replica: what a partition leader knows of one follower (Kafka's `cluster.Replica`):
 * its log end offset (the fetchOffset of its last Fetch), log start offset and the
 * times that decide whether it is in sync.
 *
 * Kafka's lag rule (`updateFetchState`): a fetch at `t` whose fetchOffset reaches the
 * leader's LEO at that moment makes the follower caught up at `t`; one that reaches the
 * leader LEO of the follower's previous fetch makes it caught up at that previous
 * fetch's time. The leader drops a follower from the ISR when it has not been caught up
 * for `replica.lag.time.max.ms`.
 */
export class Replica {
  /** -1 = unknown (reset when this broker becomes leader). */
  logEndOffset = -1;
  logStartOffset = -1;
  lastCaughtUpTimeMs = 0;
  lastFetchTimeMs = 0;
  lastFetchLeaderLogEndOffset = 0;

  constructor(readonly brokerId: number) {}

  updateFetchState(
    fetchOffset: number,
    logStartOffset: number,
    fetchTimeMs: number,
    leaderEndOffset: number,
  ): void {
    if (fetchOffset >= leaderEndOffset)
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, fetchTimeMs);
    else if (fetchOffset >= this.lastFetchLeaderLogEndOffset)
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs);
    this.logStartOffset = logStartOffset;
    this.logEndOffset = fetchOffset;
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = fetchTimeMs;
  }

  /** On becoming leader (Kafka's resetLastCaughtUpTime): ISR members count as caught up now. */
  resetLastCaughtUpTime(leaderEndOffset: number, nowMs: number, lastCaughtUpTimeMs: number): void {
    this.lastFetchLeaderLogEndOffset = leaderEndOffset;
    this.lastFetchTimeMs = nowMs;
    this.lastCaughtUpTimeMs = lastCaughtUpTimeMs;
  }
}
