/**
 * ProducerIdManager (Kafka's ZkProducerIdManager): hands out producer ids from blocks of
 * 1000 this broker claims in `/latest_producer_id_block`
 * (`{"version":1,"broker":1,"block_start":"0","block_end":"999"}`, inclusive bounds as
 * strings). A claim reads the node and its zkVersion, then writes the next block
 * conditionally on that version; a BADVERSION (another broker claimed first) retries.
 * An empty node (created empty at startup, as Kafka does) or a missing one means the
 * first block, 0..999. The first block is claimed at broker start (`startup`), as 2.8.
 */
import { createLogger, KafkaError, type Logger } from '@kzoo/common';
import type { KafkaZk, ProducerIdBlock } from '@kzoo/zk';

export const PRODUCER_ID_BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private block: ProducerIdBlock | null = null;
  private nextId = 0;
  /** Serialises block claims and id generation. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(
    readonly brokerId: number,
    private readonly zkClient: KafkaZk,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger('producer.id.manager', { broker: brokerId });
  }

  /**
   * Claims the first block (Kafka 2.8 does it when the broker starts: "grab the first
   * block of producerIds"); a no-op once a block is held.
   */
  startup(): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.block) await this.claimBlock();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The next producer id; claims a new block when the current one is used up. */
  generateProducerId(): Promise<number> {
    const next = this.chain.then(async () => {
      if (!this.block || this.nextId > this.block.blockEnd) await this.claimBlock();
      return this.nextId++;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async claimBlock(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.zkClient.getLatestProducerIdBlock();
      const prev = current?.block ?? null;
      const start = prev ? prev.blockEnd + 1 : 0;
      const end = start + PRODUCER_ID_BLOCK_SIZE - 1;
      if (!Number.isSafeInteger(end))
        throw new KafkaError('UNKNOWN_SERVER_ERROR', 'producer ids are exhausted');
      const block: ProducerIdBlock = { brokerId: this.brokerId, blockStart: start, blockEnd: end };
      if (
        await this.zkClient.conditionalUpdateLatestProducerIdBlock(
          block,
          current ? current.zkVersion : null,
        )
      ) {
        this.block = block;
        this.nextId = start;
        this.log.info('claimed a producer id block', { blockStart: start, blockEnd: end });
        return;
      }
      this.log.debug('producer id block claimed concurrently, retrying', { attempt });
    }
  }
}
