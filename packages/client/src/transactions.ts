/**
 * The transactional producer's requests to its transaction coordinator and the group
 * coordinator (Kafka's TransactionManager request handlers): FindCoordinator
 * (TRANSACTION / GROUP), InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit and EndTxn, each retried after retry.backoff.ms on retriable errors
 * (NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE look the coordinator up again;
 * CONCURRENT_TRANSACTIONS and COORDINATOR_LOAD_IN_PROGRESS wait) until `max.block.ms`.
 * Fencing errors (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_ID_MAPPING)
 * are fatal for the producer.
 */
import { ErrorCode, KafkaError, type Logger, type Time } from '@kzoo/common';
import { ApiKeys, type Connection } from '@kzoo/protocol';
import type { NetworkClient } from './NetworkClient';

export const FATAL_TXN_ERRORS = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
]);

interface Node {
  host: string;
  port: number;
}

export class TransactionalRequests {
  private txnCoordinator: Node | null = null;
  private readonly groupCoordinators = new Map<string, Node>();

  constructor(
    private readonly network: NetworkClient,
    readonly transactionalId: string,
    private readonly opts: { retryBackoffMs: number; maxBlockMs: number },
    private readonly time: Time,
    private readonly log: Logger,
  ) {}

  private async findCoordinator(keyType: 0 | 1, key: string): Promise<Node> {
    const conn = await this.network.leastLoaded();
    const res = await conn.request(ApiKeys.FindCoordinator, 0, { key, keyType });
    if (res.errorCode !== 0)
      throw new KafkaError(
        res.errorCode,
        `FindCoordinator(${keyType === 1 ? 'transaction' : 'group'} ${key})${res.errorMessage ? ': ' + res.errorMessage : ''}`,
      );
    return { host: res.host, port: res.port };
  }

  /**
   * Sends to the coordinator of the transactional id (keyType 1) or of a group (0) and
   * retries retriable errors; resolves with the response whose `codeOf` is 0.
   */
  async request<T>(
    what: string,
    target: { keyType: 1 } | { keyType: 0; groupId: string },
    send: (conn: Connection) => Promise<T>,
    codeOf: (res: T) => number,
  ): Promise<T> {
    const deadline = this.time.milliseconds() + this.opts.maxBlockMs;
    let lastError: Error | undefined;
    for (;;) {
      try {
        let node =
          target.keyType === 1 ? this.txnCoordinator : this.groupCoordinators.get(target.groupId);
        if (!node) {
          node = await this.findCoordinator(
            target.keyType,
            target.keyType === 1 ? this.transactionalId : target.groupId,
          );
          if (target.keyType === 1) this.txnCoordinator = node;
          else this.groupCoordinators.set(target.groupId, node);
        }
        const res = await send(await this.network.connect(node));
        const code = codeOf(res);
        if (code === 0) return res;
        throw new KafkaError(code, `${what} (transactional.id ${this.transactionalId})`);
      } catch (e) {
        const err = e as Error;
        const retriable = !(err instanceof KafkaError) || err.retriable;
        if (
          !(err instanceof KafkaError) ||
          err.code === ErrorCode.NOT_COORDINATOR ||
          err.code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
          err.errorName === 'NETWORK_EXCEPTION' ||
          err.errorName === 'REQUEST_TIMED_OUT'
        ) {
          if (target.keyType === 1) this.txnCoordinator = null;
          else this.groupCoordinators.delete(target.groupId);
        }
        if (!retriable) throw err;
        lastError = err;
        this.log.debug(`${what} failed, retrying`, { error: err.message });
      }
      if (this.time.milliseconds() >= deadline)
        throw lastError ?? new KafkaError('REQUEST_TIMED_OUT', `${what} timed out`);
      await this.time.sleep(this.opts.retryBackoffMs);
    }
  }
}
