// kafka/apis: one file per API of the Kafka listener, named as in ../../apis.
//   NN-<name>.ts  Kafka request/response schemas over the native types, adapters,
//                 errorResponse; SaslHandshake/SaslAuthenticate exist only here
//   index.ts      KAFKA_API_TABLE (one entry per advertised API), from which KAFKA_APIS
//                 and the key -> types map are derived
import type { ApiKeys, ApiTypes } from '../../apis';
import type { KafkaApi } from '../api';
import { KafkaProduceApi } from './00-produce';
import { KafkaFetchApi } from './01-fetch';
import { KafkaListOffsetsApi } from './02-list-offsets';
import { KafkaMetadataApi } from './03-metadata';
import { KafkaOffsetCommitApi } from './08-offset-commit';
import { KafkaOffsetFetchApi } from './09-offset-fetch';
import { KafkaFindCoordinatorApi } from './10-find-coordinator';
import { KafkaJoinGroupApi } from './11-join-group';
import { KafkaHeartbeatApi } from './12-heartbeat';
import { KafkaLeaveGroupApi } from './13-leave-group';
import { KafkaSyncGroupApi } from './14-sync-group';
import { KafkaDescribeGroupsApi } from './15-describe-groups';
import { KafkaListGroupsApi } from './16-list-groups';
import {
  KafkaSaslHandshakeApi,
  type SaslHandshakeRequest,
  type SaslHandshakeResponse,
} from './17-sasl-handshake';
import { KafkaApiVersionsApi } from './18-api-versions';
import { KafkaCreateTopicsApi } from './19-create-topics';
import { KafkaDeleteTopicsApi } from './20-delete-topics';
import { KafkaInitProducerIdApi } from './22-init-producer-id';
import { KafkaAddPartitionsToTxnApi } from './24-add-partitions-to-txn';
import { KafkaAddOffsetsToTxnApi } from './25-add-offsets-to-txn';
import { KafkaEndTxnApi } from './26-end-txn';
import { KafkaTxnOffsetCommitApi } from './28-txn-offset-commit';
import { KafkaDescribeTransactionsApi } from './65-describe-transactions';
import { KafkaListTransactionsApi } from './66-list-transactions';
import { KafkaOffsetForLeaderEpochApi } from './23-offset-for-leader-epoch';
import { KafkaDescribeConfigsApi } from './32-describe-configs';
import { KafkaAlterConfigsApi } from './33-alter-configs';
import {
  KafkaSaslAuthenticateApi,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from './36-sasl-authenticate';
import { KafkaCreatePartitionsApi } from './37-create-partitions';
import { KafkaDeleteGroupsApi } from './42-delete-groups';
import { KafkaElectLeadersApi } from './43-elect-leaders';
import { KafkaIncrementalAlterConfigsApi } from './44-incremental-alter-configs';
import { KafkaAlterPartitionReassignmentsApi } from './45-alter-partition-reassignments';
import { KafkaListPartitionReassignmentsApi } from './46-list-partition-reassignments';
import { KafkaDescribeClientQuotasApi } from './48-describe-client-quotas';
import { KafkaAlterClientQuotasApi } from './49-alter-client-quotas';
import { KafkaDescribeClusterApi } from './60-describe-cluster';

export type { SaslHandshakeRequest, SaslHandshakeResponse } from './17-sasl-handshake';
export type { SaslAuthenticateRequest, SaslAuthenticateResponse } from './36-sasl-authenticate';

/** APIs that exist only on the Kafka listener. */
export interface KafkaOnlyApiTypes {
  17: { request: SaslHandshakeRequest; response: SaslHandshakeResponse };
  36: { request: SaslAuthenticateRequest; response: SaslAuthenticateResponse };
}

/**
 * Every API the Kafka listener advertises, by Kafka's API name, sorted by key: adding
 * one is its file and one entry here (plus KafkaOnlyApiTypes when it has no native API).
 */
export const KAFKA_API_TABLE = {
  Produce: KafkaProduceApi,
  Fetch: KafkaFetchApi,
  ListOffsets: KafkaListOffsetsApi,
  Metadata: KafkaMetadataApi,
  OffsetCommit: KafkaOffsetCommitApi,
  OffsetFetch: KafkaOffsetFetchApi,
  FindCoordinator: KafkaFindCoordinatorApi,
  JoinGroup: KafkaJoinGroupApi,
  Heartbeat: KafkaHeartbeatApi,
  LeaveGroup: KafkaLeaveGroupApi,
  SyncGroup: KafkaSyncGroupApi,
  DescribeGroups: KafkaDescribeGroupsApi,
  ListGroups: KafkaListGroupsApi,
  SaslHandshake: KafkaSaslHandshakeApi,
  ApiVersions: KafkaApiVersionsApi,
  CreateTopics: KafkaCreateTopicsApi,
  DeleteTopics: KafkaDeleteTopicsApi,
  InitProducerId: KafkaInitProducerIdApi,
  OffsetForLeaderEpoch: KafkaOffsetForLeaderEpochApi,
  AddPartitionsToTxn: KafkaAddPartitionsToTxnApi,
  AddOffsetsToTxn: KafkaAddOffsetsToTxnApi,
  EndTxn: KafkaEndTxnApi,
  TxnOffsetCommit: KafkaTxnOffsetCommitApi,
  DescribeConfigs: KafkaDescribeConfigsApi,
  AlterConfigs: KafkaAlterConfigsApi,
  SaslAuthenticate: KafkaSaslAuthenticateApi,
  CreatePartitions: KafkaCreatePartitionsApi,
  DeleteGroups: KafkaDeleteGroupsApi,
  ElectLeaders: KafkaElectLeadersApi,
  IncrementalAlterConfigs: KafkaIncrementalAlterConfigsApi,
  AlterPartitionReassignments: KafkaAlterPartitionReassignmentsApi,
  ListPartitionReassignments: KafkaListPartitionReassignmentsApi,
  DescribeClientQuotas: KafkaDescribeClientQuotasApi,
  AlterClientQuotas: KafkaAlterClientQuotasApi,
  DescribeCluster: KafkaDescribeClusterApi,
  DescribeTransactions: KafkaDescribeTransactionsApi,
  ListTransactions: KafkaListTransactionsApi,
};
type AdvertisedName = keyof typeof KAFKA_API_TABLE;

/** Every API the Kafka listener advertises, with its request/response types. */
export type KafkaApiTypes = Pick<
  ApiTypes,
  (typeof ApiKeys)[AdvertisedName & keyof typeof ApiKeys]
> &
  KafkaOnlyApiTypes;
export type KafkaApiKey = keyof KafkaApiTypes;
export type KafkaRequestOf<K extends KafkaApiKey> = KafkaApiTypes[K]['request'];
export type KafkaResponseOf<K extends KafkaApiKey> = KafkaApiTypes[K]['response'];

/** The advertised APIs, sorted by key. */
export const KAFKA_APIS: ReadonlyArray<KafkaApi<never, never>> = Object.values(
  KAFKA_API_TABLE,
) as unknown as ReadonlyArray<KafkaApi<never, never>>;
