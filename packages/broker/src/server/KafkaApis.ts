/**
 * KafkaApis: the request dispatcher. Maps each apiKey to its handler in
 * `../handlers/NN-name.ts`; the SocketServer calls `handle()` for every decoded
 * request. A handler reports protocol failures as errorCodes in its response; a
 * thrown KafkaError becomes a request-level error response; an API this broker does
 * not serve (yet) answers UNSUPPORTED_VERSION. The SocketServer closes the socket on
 * framing and decode faults, and when a handler calls `ctx.closeConnection()` (a failed
 * acks=0 Produce).
 */
import { createLogger, KafkaError, Logger, Time } from '@kzoo/common';
import { apiRegistry, type ApiKey, type RequestOf, type ResponseOf } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { AdminZkClient } from '../admin/AdminZkClient';
import type { MetadataCache } from './MetadataCache';
import type { ReplicaManager } from './ReplicaManager';
import { handleProduce } from '../handlers/00-produce';
import { handleFetch } from '../handlers/01-fetch';
import { handleListOffsets } from '../handlers/02-list-offsets';
import { handleMetadata } from '../handlers/03-metadata';
import { handleLeaderAndIsr } from '../handlers/04-leader-and-isr';
import { handleStopReplica } from '../handlers/05-stop-replica';
import { handleUpdateMetadata } from '../handlers/06-update-metadata';
import { handleCreateTopics } from '../handlers/19-create-topics';
import { handleDeleteTopics } from '../handlers/20-delete-topics';
import { handleInitProducerId } from '../handlers/22-init-producer-id';
import type { ProducerIdManager } from './ProducerIdManager';
import { handleOffsetForLeaderEpoch } from '../handlers/23-offset-for-leader-epoch';
import { handleAlterPartition } from '../handlers/56-alter-partition';
import type { KafkaController } from '../controller/KafkaController';
import { handleCreatePartitions } from '../handlers/37-create-partitions';

/** The broker settings the handlers read (Kafka key names in the comments). */
export interface ApiSettings {
  /** auto.create.topics.enable */
  autoCreateTopicsEnable: boolean;
  /** num.partitions */
  numPartitions: number;
  /** default.replication.factor */
  defaultReplicationFactor: number;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** The listener whose endpoints Metadata returns (the one clients connect to). */
  listenerName: string;
}

/** What handlers see of the broker. */
export interface BrokerContext {
  readonly brokerId: number;
  readonly settings: ApiSettings;
  readonly metadataCache: MetadataCache;
  readonly replicaManager: ReplicaManager;
  readonly adminZkClient: AdminZkClient;
  /** Producer ids for InitProducerId (absent: COORDINATOR_NOT_AVAILABLE). */
  readonly producerIdManager?: ProducerIdManager;
  /** This broker's controller module (it answers AlterPartition while active). */
  controller(): KafkaController | null;
  clusterId(): string | null;
  readonly time: Time;
  readonly logger: Logger;
}

export type Handler<K extends ApiKey> = (
  broker: BrokerContext,
  request: RequestOf<K>,
  ctx: RequestContext,
) => Promise<ResponseOf<K> | undefined> | ResponseOf<K> | undefined;

type AnyHandler = (broker: BrokerContext, request: unknown, ctx: RequestContext) => unknown;

export class KafkaApis {
  private readonly handlers = new Map<number, AnyHandler>();
  private readonly log: Logger;

  constructor(readonly broker: BrokerContext) {
    this.log = broker.logger ?? createLogger('kafka.apis');
    this.register(0, handleProduce);
    this.register(1, handleFetch);
    this.register(2, handleListOffsets);
    this.register(3, handleMetadata);
    this.register(4, handleLeaderAndIsr);
    this.register(5, handleStopReplica);
    this.register(6, handleUpdateMetadata);
    this.register(19, handleCreateTopics);
    this.register(20, handleDeleteTopics);
    this.register(22, handleInitProducerId);
    this.register(23, handleOffsetForLeaderEpoch);
    this.register(56, handleAlterPartition);
    this.register(37, handleCreatePartitions);
  }

  /** Adds (or replaces) the handler of an API, e.g. the group coordinator's. */
  register<K extends ApiKey>(apiKey: K, handler: Handler<K>): void {
    this.handlers.set(apiKey, handler as AnyHandler);
  }

  /** The SocketServer's RequestHandler. */
  readonly handle = (ctx: RequestContext): unknown => {
    const h = this.handlers.get(ctx.header.apiKey);
    if (!h)
      throw new KafkaError(
        'UNSUPPORTED_VERSION',
        `${apiRegistry.name(ctx.header.apiKey)} is not served by this broker`,
      );
    return h(this.broker, ctx.body, ctx);
  };

  get logger(): Logger {
    return this.log;
  }
}
