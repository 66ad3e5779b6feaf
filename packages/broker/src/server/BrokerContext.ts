/**
 * What request handlers see of the broker: a leaf module (types only), so handlers,
 * the dispatch table (KafkaApis) and the broker's components depend on it and not on
 * each other.
 */
import { KafkaError, type Logger, type Time } from '@kzoo/common';
import type { AdminZkClient } from '../admin/AdminZkClient';
import type { KafkaController } from '../controller/KafkaController';
import type { GroupCoordinator } from '../coordinator/group/GroupCoordinator';
import type { InterBrokerChannel } from '../coordinator/transaction/InterBrokerChannel';
import type { TransactionCoordinator } from '../coordinator/transaction/TransactionCoordinator';
import type { KafkaConfig } from '../config';
import type { ClientQuotas } from './QuotaFactory';
import type { DynamicBrokerConfig } from './DynamicBrokerConfig';
import type { MetadataCache } from './MetadataCache';
import type { ProducerIdManager } from './ProducerIdManager';
import type { ReplicaManager } from './ReplicaManager';

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
}

export interface BrokerContext {
  readonly brokerId: number;
  readonly settings: ApiSettings;
  readonly metadataCache: MetadataCache;
  readonly replicaManager: ReplicaManager;
  readonly adminZkClient: AdminZkClient;
  /** Producer ids for InitProducerId (absent: COORDINATOR_NOT_AVAILABLE). */
  readonly producerIdManager?: ProducerIdManager;
  /** The broker's configuration (DescribeConfigs reads it); absent in some unit tests. */
  readonly config?: KafkaConfig;
  /** Its dynamic broker configs (`/config/brokers/<id>` and `<default>`); absent in some unit tests. */
  readonly dynamicConfig?: DynamicBrokerConfig;
  /** Client quotas (byte rates, request time); absent in some unit tests (no throttling). */
  readonly clientQuotas?: ClientQuotas;
  /** This broker's controller module (it answers controller APIs while active). */
  controller(): KafkaController | null;
  /** The group coordinator, once started (else the group APIs answer COORDINATOR_NOT_AVAILABLE). */
  groupCoordinator(): GroupCoordinator | null;
  /** The transaction coordinator, once started (absent in some unit tests). */
  transactionCoordinator?(): TransactionCoordinator | null;
  /** Requests to other brokers (forwarded TxnOffsetCommit), once started. */
  interBrokerChannel?(): InterBrokerChannel | null;
  clusterId(): string | null;
  readonly time: Time;
  readonly logger: Logger;
}

/** The started transaction coordinator; a request-level COORDINATOR_NOT_AVAILABLE before that. */
export function transactionCoordinatorOf(broker: BrokerContext): TransactionCoordinator {
  const c = broker.transactionCoordinator?.();
  if (!c)
    throw new KafkaError('COORDINATOR_NOT_AVAILABLE', 'the transaction coordinator is not started');
  return c;
}

/** The started group coordinator; a request-level COORDINATOR_NOT_AVAILABLE before that. */
export function groupCoordinatorOf(broker: BrokerContext): GroupCoordinator {
  const c = broker.groupCoordinator();
  if (!c) throw new KafkaError('COORDINATOR_NOT_AVAILABLE', 'the group coordinator is not started');
  return c;
}
