/**
 * TransactionManager (after Kafka's client TransactionManager):
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
 *   producer id after epoch 32767). UNKNOWN_PRODUCER_ID is handled as such a gap.
 * - The bump rewrites only the partitions whose failure caused it (Kafka's
 *   `partitionsToRewriteSequences`): their unresolved batches get new sequences from 0
 *   under the new epoch when next drained. Every other partition keeps its own producer
 *   id and epoch until its unresolved batches complete under them (retried with their
 *   old sequence), and only then starts the new epoch at sequence 0 (Kafka's
 *   `maybeUpdateProducerIdAndEpoch`); new batches wait meanwhile. Re-sequencing a batch
 *   of a healthy partition would write it twice if its first send had been appended
 *   and only the answer was lost.
 *
 * Transactional producers (`transactional.id`): the producer id and epoch come from
 * initTransactions (the coordinator), never from a local bump; a batch is drained only
 * once its partition was added to the transaction (AddPartitionsToTxn); a batch that
 * fails for good makes the transaction abortable (`txnFailed`) instead of bumping.
 */
import type { ProducerBatch } from './ProducerBatch';

const INT32_MAX = 0x7fffffff;
const MAX_EPOCH = 32767;

interface PartitionSequences {
  /** The producer id and epoch this partition's sequences run under. */
  producerId: number;
  producerEpoch: number;
  nextSequence: number;
  /** Sent with a sequence under this entry's id and epoch, not yet completed; lowest first. */
  unresolved: ProducerBatch[];
}

export class TransactionManager {
  /** Partitions added to the ongoing transaction (AddPartitionsToTxn answered). */
  readonly partitionsInTxn = new Set<string>();
  /** A batch of the ongoing transaction failed: it can only be aborted. */
  txnFailed = false;

  constructor(readonly transactionalId: string | null = null) {}

  producerId = -1;
  producerEpoch = -1;
  /** A permanent failure left a sequence gap: bump the epoch before sending more. */
  epochBumpPending = false;
  private readonly partitions = new Map<string, PartitionSequences>();
  /** The partitions whose failures asked for the pending bump. */
  private readonly partitionsToRewrite = new Set<string>();

  hasProducerId(): boolean {
    return this.producerId >= 0;
  }

  /** A new producer id (InitProducerId): every partition starts again at sequence 0. */
  setProducerIdAndEpoch(producerId: number, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.partitions.clear();
    this.partitionsToRewrite.clear();
    this.epochBumpPending = false;
  }

  /** Bumps the epoch locally; returns false when a new producer id is needed instead. */
  bumpEpoch(): boolean {
    if (this.producerEpoch >= MAX_EPOCH) return false;
    this.producerEpoch += 1;
    for (const key of this.partitionsToRewrite) {
      const s = this.partitions.get(key);
      if (s) this.restart(s);
    }
    this.partitionsToRewrite.clear();
    this.epochBumpPending = false;
    return true;
  }

  private key(b: ProducerBatch): string {
    return `${b.topic}\0${b.partition}`;
  }

  private seqs(b: ProducerBatch): PartitionSequences {
    const key = this.key(b);
    let s = this.partitions.get(key);
    if (!s) {
      s = { producerId: -1, producerEpoch: -1, nextSequence: 0, unresolved: [] };
      this.restart(s);
      this.partitions.set(key, s);
    }
    return s;
  }

  /** The partition starts the current id and epoch at sequence 0. */
  private restart(s: PartitionSequences): void {
    s.producerId = this.producerId;
    s.producerEpoch = this.producerEpoch;
    s.nextSequence = 0;
    s.unresolved = [];
  }

  /** The batch carries a sequence of its partition's current sequence space (a retry). */
  private sequencedUnder(b: ProducerBatch, s: PartitionSequences): boolean {
    return (
      b.baseSequence >= 0 && b.producerId === s.producerId && b.producerEpoch === s.producerEpoch
    );
  }

  /** Whether the accumulator may drain this head-of-queue batch now. */
  canSend(b: ProducerBatch): boolean {
    if (this.epochBumpPending || !this.hasProducerId()) return false;
    if (this.transactionalId !== null && !this.partitionsInTxn.has(this.key(b))) return false;
    const s = this.seqs(b);
    if (this.sequencedUnder(b, s)) return s.unresolved[0] === b; // retries keep order
    // New (or to be re-sequenced): the partition must be on the current epoch.
    if (s.producerId !== this.producerId || s.producerEpoch !== this.producerEpoch) {
      if (s.unresolved.length > 0) return false; // older batches complete first
      this.restart(s);
    }
    return true;
  }

  /** Called when a batch is drained: gives it a sequence unless it is a retry. */
  onDrain(b: ProducerBatch): void {
    const s = this.seqs(b);
    if (this.sequencedUnder(b, s)) return;
    const seq = s.nextSequence;
    s.nextSequence = (seq + b.count) % (INT32_MAX + 1);
    b.isTransactional = this.transactionalId !== null;
    b.setProducerState(this.producerId, this.producerEpoch, seq);
    s.unresolved.push(b);
  }

  /** The batch completed (success) or failed for good. */
  onComplete(b: ProducerBatch, failed: boolean): void {
    const s = this.seqs(b);
    if (!this.sequencedUnder(b, s)) return;
    const i = s.unresolved.indexOf(b);
    if (i >= 0) s.unresolved.splice(i, 1);
    if (failed) {
      if (this.transactionalId !== null) {
        this.txnFailed = true;
        return;
      }
      this.partitionsToRewrite.add(this.key(b));
      this.epochBumpPending = true;
    }
  }

  /** OUT_OF_ORDER_SEQUENCE_NUMBER: retriable when an earlier batch of the partition is unresolved. */
  hasEarlierUnresolved(b: ProducerBatch): boolean {
    // A bump is coming, or it was sent under a sequence space its partition left: it
    // will be re-sequenced.
    const s = this.seqs(b);
    if (this.epochBumpPending || !this.sequencedUnder(b, s)) return true;
    return s.unresolved.length > 0 && s.unresolved[0] !== b;
  }

  /** Re-queue position: batches with a sequence of the current epoch go in sequence order. */
  sequenceOrderKey(b: ProducerBatch): number {
    const s = this.seqs(b);
    return this.sequencedUnder(b, s) ? s.unresolved.indexOf(b) : -1;
  }
}
