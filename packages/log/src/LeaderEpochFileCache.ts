/**
 * Kafka's LeaderEpochFileCache (KIP-101/279): the (epoch, startOffset) of each leader
 * epoch in this log, persisted in `leader-epoch-checkpoint` on every change.
 */
import { EpochEntry, LeaderEpochCheckpointFile } from './checkpoints';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export class LeaderEpochFileCache {
  private entries: EpochEntry[];

  constructor(private readonly checkpoint: LeaderEpochCheckpointFile | null) {
    this.entries = checkpoint ? checkpoint.read() : [];
  }

  epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1].epoch : UNDEFINED_EPOCH;
  }

  earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored unless the epoch is newer than
   * the latest one; entries at or past `startOffset` with lower epochs are dropped.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const latest = this.entries[this.entries.length - 1];
    if (
      latest &&
      (epoch < latest.epoch || (epoch === latest.epoch && startOffset >= latest.startOffset))
    )
      return;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /**
   * KIP-101 / KIP-279 OffsetsForLeaderEpoch answer: the largest epoch <= `requestedEpoch`
   * and its end offset (the start of the next higher epoch, or `logEndOffset` for the latest).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0)
      return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === this.latestEpoch())
      return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requestedEpoch) floor = e;
    return { epoch: floor ? floor.epoch : requestedEpoch, endOffset: higher.startOffset };
  }

  /** Removes entries starting at or after `endOffset` (the log was truncated to it). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    if (kept.length !== this.entries.length) {
      this.entries = kept;
      this.persist();
    }
  }

  /**
   * The log now starts at `startOffset`: drop entries wholly before it and move the
   * start of the epoch that holds it up to `startOffset`.
   */
  truncateFromStart(startOffset: number): void {
    let idx = -1;
    for (let i = 0; i < this.entries.length; i++)
      if (this.entries[i].startOffset <= startOffset) idx = i;
    if (idx < 0) return;
    const kept = this.entries.slice(idx);
    const changed = idx > 0 || kept[0].startOffset !== startOffset;
    kept[0] = { epoch: kept[0].epoch, startOffset };
    this.entries = kept;
    if (changed) this.persist();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    this.checkpoint?.write(this.entries);
  }
}
