/**
 * TransactionManager (idempotence only, after Kafka's client TransactionManager):
 * the producer id and epoch from InitProducerId, and per partition the next sequence
 * number and the batches sent with a sequence and not yet completed ("unresolved"),
 * lowest sequence first.
 *
 * Rules (Kafka 3.x's client, kept simple):
 * - A batch gets its base sequence when first drained; retries resend the same bytes.
 * - A retried batch is sent again only once it is the lowest unresolved sequence of its
 *   partition (so retries keep order: a batch retried goes back in front).
 * - OUT_OF_ORDER_SEQUENCE_NUMBER for a batch with a lower unresolved sequence in its
 *   partition is the consequence of that earlier batch's failure: it is retried.
 *   Without one (the broker lost the producer's state or data), the batch fails with
 *   that error, and so does any batch failed permanently (delivery.timeout.ms,
 *   non-retriable errors): the producer then bumps its epoch once nothing is in
 *   flight (epoch + 1 locally, as Kafka 2.5+ does for idempotent producers; a new
 *   producer id after epoch 32767), and every unresolved batch is given a new sequence
 *   from 0 under the new epoch when next drained. UNKNOWN_PRODUCER_ID is handled as
 *   such a gap.
 */
import type { ProducerBatch } from './producer-batch';

const INT32_MAX = 0x7fffffff;
const MAX_EPOCH = 32767;

interface PartitionSequences {
  nextSequence: number;
  /** Sent with a sequence of the current epoch, not yet completed; lowest first. */
  unresolved: ProducerBatch[];
}

export class TransactionManager {
  producerId = -1;
  producerEpoch = -1;
  /** A permanent failure left a sequence gap: bump the epoch before sending more. */
  epochBumpPending = false;
  private readonly partitions = new Map<string, PartitionSequences>();

  hasProducerId(): boolean {
    return this.producerId >= 0;
  }

  setProducerIdAndEpoch(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.partitions.clear();
    this.epochBumpPending = false;
  }

  /** Bumps the epoch locally; returns false when a new producer id is needed instead. */
  bumpEpoch(): boolean {
    if (this.producerEpoch >= MAX_EPOCH) return false;
    this.setProducerIdAndEpoch(this.producerId, this.producerEpoch + 1);
    return true;
  }

  private seqs(b: ProducerBatch): PartitionSequences {
    const key = `${b.topic}\0${b.partition}`;
    let s = this.partitions.get(key);
    if (!s) this.partitions.set(key, (s = { nextSequence: 0, unresolved: [] }));
    return s;
  }

  private isCurrent(b: ProducerBatch): boolean {
    return b.producerId === this.producerId && b.producerEpoch === this.producerEpoch;
  }

  /** Whether the accumulator may drain this head-of-queue batch now. */
  canSend(b: ProducerBatch): boolean {
    if (this.epochBumpPending || !this.hasProducerId()) return false;
    if (!this.isCurrent(b) || b.baseSequence < 0) return true; // new, or re-sequenced
    return this.seqs(b).unresolved[0] === b;
  }

  /** Called when a batch is drained: gives it a sequence unless it has one of this epoch. */
  onDrain(b: ProducerBatch): void {
    if (this.isCurrent(b) && b.baseSequence >= 0) return;
    const s = this.seqs(b);
    const seq = s.nextSequence;
    s.nextSequence = (seq + b.count) % (INT32_MAX + 1);
    b.setProducerState(this.producerId, this.producerEpoch, seq);
    s.unresolved.push(b);
  }

  /** The batch completed (success) or failed for good. */
  onComplete(b: ProducerBatch, failed: boolean): void {
    if (!this.isCurrent(b) || b.baseSequence < 0) return;
    const list = this.seqs(b).unresolved;
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    if (failed) this.epochBumpPending = true;
  }

  /** OUT_OF_ORDER_SEQUENCE_NUMBER: retriable when an earlier batch of the partition is unresolved. */
  hasEarlierUnresolved(b: ProducerBatch): boolean {
    // Sent under an old epoch, or a bump is coming: it will be re-sequenced.
    if (this.epochBumpPending || !this.isCurrent(b)) return true;
    const list = this.seqs(b).unresolved;
    return list.length > 0 && list[0] !== b;
  }

  /** Re-queue position: batches with a sequence of the current epoch go in sequence order. */
  sequenceOrderKey(b: ProducerBatch): number {
    return this.isCurrent(b) && b.baseSequence >= 0 ? this.seqs(b).unresolved.indexOf(b) : -1;
  }
}
