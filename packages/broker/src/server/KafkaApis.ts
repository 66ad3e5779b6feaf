/**
 * KafkaApis: the broker's one request dispatch table. Every API is registered here by
 * Kafka's name (`ApiKeys.OffsetCommit`), with one handler signature
 * `(broker, request, ctx)`; both wire codecs (kzoo's native protocol and Kafka's)
 * decode into the same typed requests and reach the same handlers through `handle()`.
 *
 * A handler reports protocol failures as errorCodes in its response; a thrown
 * KafkaError becomes a request-level error response in the codec of the connection;
 * `ctx.closeConnection()` closes the connection after the earlier responses (a failed
 * acks=0 Produce).
 *
 * Request quotas (KIP-124): while the listener times requests (`ctx.times`, a request
 * quota is set), every answer or failure goes through RequestHandlerHelper, which
 * records the request's time and throttles a client over its `request_percentage`.
 *
 * Fault hook (`controlKey`): a test or an experiment can drop, delay or fail any API on
 * this broker, whatever client sent it, on either wire.
 */
import { KafkaError, type ErrorName } from '@kzoo/common';
import {
  ApiKeys,
  type ApiKey,
  type KafkaOnlyApiTypes,
  type RequestOf,
  type ResponseOf,
} from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from './BrokerContext';
import { handleErrorMaybeThrottle, sendResponseMaybeThrottle } from './RequestHandlerHelper';
import { handleProduce } from '../handlers/00-produce';
import { handleFetch } from '../handlers/01-fetch';
import { handleListOffsets } from '../handlers/02-list-offsets';
import { handleMetadata } from '../handlers/03-metadata';
import { handleLeaderAndIsr } from '../handlers/04-leader-and-isr';
import { handleStopReplica } from '../handlers/05-stop-replica';
import { handleUpdateMetadata } from '../handlers/06-update-metadata';
import { handleControlledShutdown } from '../handlers/07-controlled-shutdown';
import { handleOffsetCommit } from '../handlers/08-offset-commit';
import { handleOffsetFetch } from '../handlers/09-offset-fetch';
import { handleFindCoordinator } from '../handlers/10-find-coordinator';
import { handleJoinGroup } from '../handlers/11-join-group';
import { handleHeartbeat } from '../handlers/12-heartbeat';
import { handleLeaveGroup } from '../handlers/13-leave-group';
import { handleSyncGroup } from '../handlers/14-sync-group';
import { handleDescribeGroups } from '../handlers/15-describe-groups';
import { handleListGroups } from '../handlers/16-list-groups';
import { handleApiVersions } from '../handlers/18-api-versions';
import { handleCreateTopics } from '../handlers/19-create-topics';
import { handleDeleteTopics } from '../handlers/20-delete-topics';
import { handleInitProducerId } from '../handlers/22-init-producer-id';
import { handleAddPartitionsToTxn } from '../handlers/24-add-partitions-to-txn';
import { handleAddOffsetsToTxn } from '../handlers/25-add-offsets-to-txn';
import { handleEndTxn } from '../handlers/26-end-txn';
import { handleWriteTxnMarkers } from '../handlers/27-write-txn-markers';
import { handleTxnOffsetCommit } from '../handlers/28-txn-offset-commit';
import { handleDescribeTransactions } from '../handlers/65-describe-transactions';
import { handleListTransactions } from '../handlers/66-list-transactions';
import { handleOffsetForLeaderEpoch } from '../handlers/23-offset-for-leader-epoch';
import { handleDescribeConfigs } from '../handlers/32-describe-configs';
import { handleAlterConfigs } from '../handlers/33-alter-configs';
import { handleCreatePartitions } from '../handlers/37-create-partitions';
import { handleDeleteGroups } from '../handlers/42-delete-groups';
import { handleElectLeaders } from '../handlers/43-elect-leaders';
import { handleAlterPartitionReassignments } from '../handlers/45-alter-partition-reassignments';
import { handleListPartitionReassignments } from '../handlers/46-list-partition-reassignments';
import { handleDescribeClientQuotas } from '../handlers/48-describe-client-quotas';
import { handleAlterClientQuotas } from '../handlers/49-alter-client-quotas';
import { handleIncrementalAlterConfigs } from '../handlers/44-incremental-alter-configs';
import { handleAlterPartition } from '../handlers/56-alter-partition';
import { handleSaslHandshake } from '../handlers/17-sasl-handshake';
import { handleSaslAuthenticate } from '../handlers/36-sasl-authenticate';
import { handleDescribeCluster } from '../handlers/60-describe-cluster';

export type { ApiSettings, BrokerContext } from './BrokerContext';

export type Handler<K extends ApiKey> = (
  broker: BrokerContext,
  request: RequestOf<K>,
  ctx: RequestContext,
) => Promise<ResponseOf<K> | undefined> | ResponseOf<K> | undefined;

/** A handler of an API only Kafka's wire protocol has (SASL). */
export type KafkaOnlyHandler<K extends keyof KafkaOnlyApiTypes> = (
  broker: BrokerContext,
  request: KafkaOnlyApiTypes[K]['request'],
  ctx: RequestContext,
) => Promise<KafkaOnlyApiTypes[K]['response']> | KafkaOnlyApiTypes[K]['response'];

/** A handler of any API (the table's erased form). */
export type AnyHandler = (broker: BrokerContext, request: never, ctx: RequestContext) => unknown;

type HandlerTable = { readonly [K in ApiKey]?: Handler<K> } & {
  readonly [K in keyof KafkaOnlyApiTypes]?: KafkaOnlyHandler<K>;
};

/** Every API a kzoo broker serves, by Kafka's API names. */
export const API_HANDLERS: HandlerTable = {
  [ApiKeys.Produce]: handleProduce,
  [ApiKeys.Fetch]: handleFetch,
  [ApiKeys.ListOffsets]: handleListOffsets,
  [ApiKeys.Metadata]: handleMetadata,
  [ApiKeys.LeaderAndIsr]: handleLeaderAndIsr,
  [ApiKeys.StopReplica]: handleStopReplica,
  [ApiKeys.UpdateMetadata]: handleUpdateMetadata,
  [ApiKeys.ControlledShutdown]: handleControlledShutdown,
  [ApiKeys.OffsetCommit]: handleOffsetCommit,
  [ApiKeys.OffsetFetch]: handleOffsetFetch,
  [ApiKeys.FindCoordinator]: handleFindCoordinator,
  [ApiKeys.JoinGroup]: handleJoinGroup,
  [ApiKeys.Heartbeat]: handleHeartbeat,
  [ApiKeys.LeaveGroup]: handleLeaveGroup,
  [ApiKeys.SyncGroup]: handleSyncGroup,
  [ApiKeys.DescribeGroups]: handleDescribeGroups,
  [ApiKeys.ListGroups]: handleListGroups,
  [ApiKeys.ApiVersions]: handleApiVersions,
  [ApiKeys.CreateTopics]: handleCreateTopics,
  [ApiKeys.DeleteTopics]: handleDeleteTopics,
  [ApiKeys.InitProducerId]: handleInitProducerId,
  [ApiKeys.OffsetForLeaderEpoch]: handleOffsetForLeaderEpoch,
  [ApiKeys.DescribeConfigs]: handleDescribeConfigs,
  [ApiKeys.AlterConfigs]: handleAlterConfigs,
  [ApiKeys.CreatePartitions]: handleCreatePartitions,
  [ApiKeys.DeleteGroups]: handleDeleteGroups,
  [ApiKeys.ElectLeaders]: handleElectLeaders,
  [ApiKeys.AlterPartitionReassignments]: handleAlterPartitionReassignments,
  [ApiKeys.ListPartitionReassignments]: handleListPartitionReassignments,
  [ApiKeys.DescribeClientQuotas]: handleDescribeClientQuotas,
  [ApiKeys.AlterClientQuotas]: handleAlterClientQuotas,
  [ApiKeys.IncrementalAlterConfigs]: handleIncrementalAlterConfigs,
  [ApiKeys.AlterPartition]: handleAlterPartition,
  [ApiKeys.DescribeCluster]: handleDescribeCluster,
  [ApiKeys.AddPartitionsToTxn]: handleAddPartitionsToTxn,
  [ApiKeys.AddOffsetsToTxn]: handleAddOffsetsToTxn,
  [ApiKeys.EndTxn]: handleEndTxn,
  [ApiKeys.WriteTxnMarkers]: handleWriteTxnMarkers,
  [ApiKeys.TxnOffsetCommit]: handleTxnOffsetCommit,
  [ApiKeys.DescribeTransactions]: handleDescribeTransactions,
  [ApiKeys.ListTransactions]: handleListTransactions,
  // Kafka's wire protocol only
  17: handleSaslHandshake,
  36: handleSaslAuthenticate,
};

/** What a fault rule sees of a request. */
export interface ControlledRequest {
  apiKey: number;
  apiVersion: number;
  /** The decoded request (the native request type of the API). */
  body: unknown;
  clientId: string | null;
  listenerName: string;
  wire: RequestContext['wire'];
}

/**
 * What a fault rule does with a request: `undefined` = not this one (handle it
 * normally); `drop` = write no response (the client's request times out; later
 * requests on the connection are answered); `delayMs` = handle it after
 * that long; `error` = answer with that request-level error without handling it;
 * `close` = close the connection after the earlier responses.
 */
export type ControlAction =
  { drop: true } | { delayMs: number } | { error: ErrorName; message?: string } | { close: true };

export type ControlFn = (req: ControlledRequest) => ControlAction | undefined;

export class KafkaApis {
  private readonly handlers = new Map<number, AnyHandler>();
  private readonly controls = new Map<number, ControlFn[]>();

  constructor(
    readonly broker: BrokerContext,
    table: Readonly<Record<number, AnyHandler | undefined>> = API_HANDLERS as Record<
      number,
      AnyHandler
    >,
  ) {
    for (const [key, h] of Object.entries(table)) if (h) this.handlers.set(Number(key), h);
  }

  /** The API keys this broker has a handler for. */
  get apiKeys(): number[] {
    return [...this.handlers.keys()].sort((a, b) => a - b);
  }

  handles(apiKey: number): boolean {
    return this.handlers.has(apiKey);
  }

  /**
   * Installs a fault rule for one API key (Kafka's test fake calls it ControlKey);
   * rules run in the order added, the first that returns an action wins. Returns a
   * function that removes the rule.
   */
  controlKey(apiKey: number, fn: ControlFn): () => void {
    const list = this.controls.get(apiKey) ?? [];
    list.push(fn);
    this.controls.set(apiKey, list);
    return () => {
      const l = this.controls.get(apiKey);
      const i = l?.indexOf(fn) ?? -1;
      if (l && i >= 0) l.splice(i, 1);
    };
  }

  /** Removes every fault rule. */
  clearControls(): void {
    this.controls.clear();
  }

  /** The SocketServer's RequestHandler. */
  readonly handle = (ctx: RequestContext): unknown => {
    if (ctx.times === undefined) return this.dispatch(ctx);
    let result: unknown;
    try {
      result = this.dispatch(ctx);
    } catch (e) {
      handleErrorMaybeThrottle(this.broker, ctx);
      throw e;
    }
    if (!isPromiseLike(result)) return sendResponseMaybeThrottle(this.broker, ctx, result);
    return result.then(
      (response) => sendResponseMaybeThrottle(this.broker, ctx, response),
      (e: unknown) => {
        handleErrorMaybeThrottle(this.broker, ctx);
        throw e;
      },
    );
  };

  /** Runs the API's handler (or a fault rule's action). */
  private dispatch(ctx: RequestContext): unknown {
    const h = this.handlers.get(ctx.header.apiKey);
    if (!h)
      throw new KafkaError('UNSUPPORTED_VERSION', `apiKey ${ctx.header.apiKey} is not served`);
    const rules = this.controls.get(ctx.header.apiKey);
    if (rules && rules.length > 0) {
      const action = this.control(rules, ctx);
      if (action) return this.apply(action, h, ctx);
    }
    return h(this.broker, ctx.body as never, ctx);
  }

  private control(rules: ControlFn[], ctx: RequestContext): ControlAction | undefined {
    const req: ControlledRequest = {
      apiKey: ctx.header.apiKey,
      apiVersion: ctx.header.apiVersion,
      body: ctx.body,
      clientId: ctx.header.clientId,
      listenerName: ctx.listenerName,
      wire: ctx.wire,
    };
    for (const fn of [...rules]) {
      const a = fn(req);
      if (a) return a;
    }
    return undefined;
  }

  private apply(action: ControlAction, h: AnyHandler, ctx: RequestContext): unknown {
    if ('drop' in action) return undefined;
    if ('close' in action) {
      ctx.closeConnection();
      return undefined;
    }
    if ('error' in action)
      throw new KafkaError(action.error, action.message ?? 'injected by a fault rule');
    return this.broker.time
      .sleep(action.delayMs)
      .then(() => h(this.broker, ctx.body as never, ctx));
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function'
  );
}
