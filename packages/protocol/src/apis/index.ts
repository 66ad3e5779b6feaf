// apis: one file per API of the native protocol, named by Kafka key and name.
//   NN-<name>.ts  request/response types (Kafka field names) + schemas per version;
//   partition-state.ts  the partition state LeaderAndIsr and UpdateMetadata both carry
//   index.ts      APIS (one entry per API), from which ApiKeys, ApiTypes, ALL_APIS and
//                 the default ApiRegistry are derived
import { ApiRegistry, type ApiDefinition } from '../api';
import { ProduceApi } from './00-produce';
import { FetchApi } from './01-fetch';
import { ListOffsetsApi } from './02-list-offsets';
import { MetadataApi } from './03-metadata';
import { LeaderAndIsrApi } from './04-leader-and-isr';
import { StopReplicaApi } from './05-stop-replica';
import { UpdateMetadataApi } from './06-update-metadata';
import { ControlledShutdownApi } from './07-controlled-shutdown';
import { OffsetCommitApi } from './08-offset-commit';
import { OffsetFetchApi } from './09-offset-fetch';
import { FindCoordinatorApi } from './10-find-coordinator';
import { JoinGroupApi } from './11-join-group';
import { HeartbeatApi } from './12-heartbeat';
import { LeaveGroupApi } from './13-leave-group';
import { SyncGroupApi } from './14-sync-group';
import { DescribeGroupsApi } from './15-describe-groups';
import { ListGroupsApi } from './16-list-groups';
import { ApiVersionsApi } from './18-api-versions';
import { CreateTopicsApi } from './19-create-topics';
import { DeleteTopicsApi } from './20-delete-topics';
import { InitProducerIdApi } from './22-init-producer-id';
import { AddPartitionsToTxnApi } from './24-add-partitions-to-txn';
import { AddOffsetsToTxnApi } from './25-add-offsets-to-txn';
import { EndTxnApi } from './26-end-txn';
import { WriteTxnMarkersApi } from './27-write-txn-markers';
import { TxnOffsetCommitApi } from './28-txn-offset-commit';
import { DescribeTransactionsApi } from './65-describe-transactions';
import { ListTransactionsApi } from './66-list-transactions';
import { OffsetForLeaderEpochApi } from './23-offset-for-leader-epoch';
import { DescribeConfigsApi } from './32-describe-configs';
import { AlterConfigsApi } from './33-alter-configs';
import { CreatePartitionsApi } from './37-create-partitions';
import { DeleteGroupsApi } from './42-delete-groups';
import { ElectLeadersApi } from './43-elect-leaders';
import { IncrementalAlterConfigsApi } from './44-incremental-alter-configs';
import { AlterPartitionReassignmentsApi } from './45-alter-partition-reassignments';
import { ListPartitionReassignmentsApi } from './46-list-partition-reassignments';
import { DescribeClientQuotasApi } from './48-describe-client-quotas';
import { AlterClientQuotasApi } from './49-alter-client-quotas';
import { AlterPartitionApi } from './56-alter-partition';
import { DescribeClusterApi } from './60-describe-cluster';

export * from './00-produce';
export * from './01-fetch';
export * from './02-list-offsets';
export * from './03-metadata';
export * from './04-leader-and-isr';
export * from './partition-state';
export * from './05-stop-replica';
export * from './06-update-metadata';
export * from './07-controlled-shutdown';
export * from './08-offset-commit';
export * from './09-offset-fetch';
export * from './10-find-coordinator';
export * from './11-join-group';
export * from './12-heartbeat';
export * from './13-leave-group';
export * from './14-sync-group';
export * from './15-describe-groups';
export * from './16-list-groups';
export * from './18-api-versions';
export * from './19-create-topics';
export * from './20-delete-topics';
export * from './22-init-producer-id';
export * from './24-add-partitions-to-txn';
export * from './25-add-offsets-to-txn';
export * from './26-end-txn';
export * from './27-write-txn-markers';
export * from './28-txn-offset-commit';
export * from './65-describe-transactions';
export * from './66-list-transactions';
export * from './23-offset-for-leader-epoch';
export * from './32-describe-configs';
export * from './33-alter-configs';
export * from './37-create-partitions';
export * from './42-delete-groups';
export * from './43-elect-leaders';
export * from './44-incremental-alter-configs';
export * from './45-alter-partition-reassignments';
export * from './46-list-partition-reassignments';
export * from './48-describe-client-quotas';
export * from './49-alter-client-quotas';
export * from './56-alter-partition';
export * from './60-describe-cluster';

/**
 * Every API of the native protocol by Kafka's API name, in key order: adding an API
 * is its file, its `export *` above and one entry here.
 */
const APIS = {
  Produce: ProduceApi,
  Fetch: FetchApi,
  ListOffsets: ListOffsetsApi,
  Metadata: MetadataApi,
  LeaderAndIsr: LeaderAndIsrApi,
  StopReplica: StopReplicaApi,
  UpdateMetadata: UpdateMetadataApi,
  ControlledShutdown: ControlledShutdownApi,
  OffsetCommit: OffsetCommitApi,
  OffsetFetch: OffsetFetchApi,
  FindCoordinator: FindCoordinatorApi,
  JoinGroup: JoinGroupApi,
  Heartbeat: HeartbeatApi,
  LeaveGroup: LeaveGroupApi,
  SyncGroup: SyncGroupApi,
  DescribeGroups: DescribeGroupsApi,
  ListGroups: ListGroupsApi,
  ApiVersions: ApiVersionsApi,
  CreateTopics: CreateTopicsApi,
  DeleteTopics: DeleteTopicsApi,
  InitProducerId: InitProducerIdApi,
  AddPartitionsToTxn: AddPartitionsToTxnApi,
  AddOffsetsToTxn: AddOffsetsToTxnApi,
  EndTxn: EndTxnApi,
  WriteTxnMarkers: WriteTxnMarkersApi,
  TxnOffsetCommit: TxnOffsetCommitApi,
  OffsetForLeaderEpoch: OffsetForLeaderEpochApi,
  DescribeConfigs: DescribeConfigsApi,
  AlterConfigs: AlterConfigsApi,
  CreatePartitions: CreatePartitionsApi,
  DeleteGroups: DeleteGroupsApi,
  ElectLeaders: ElectLeadersApi,
  IncrementalAlterConfigs: IncrementalAlterConfigsApi,
  AlterPartitionReassignments: AlterPartitionReassignmentsApi,
  ListPartitionReassignments: ListPartitionReassignmentsApi,
  DescribeClientQuotas: DescribeClientQuotasApi,
  AlterClientQuotas: AlterClientQuotasApi,
  AlterPartition: AlterPartitionApi,
  DescribeCluster: DescribeClusterApi,
  DescribeTransactions: DescribeTransactionsApi,
  ListTransactions: ListTransactionsApi,
};
type Apis = typeof APIS;
type ApiName = keyof Apis;

/** Kafka's API keys, by Kafka's API names. */
export const ApiKeys = Object.freeze(
  Object.fromEntries(Object.entries(APIS).map(([name, api]) => [name, api.apiKey])),
) as { readonly [N in ApiName]: Apis[N]['apiKey'] };

/** Request and response types of each API key (newest version). */
export type ApiTypes = {
  [N in ApiName as Apis[N]['apiKey']]: Apis[N] extends ApiDefinition<infer Req, infer Res, number>
    ? { request: Req; response: Res }
    : never;
};
export type ApiKey = keyof ApiTypes;
export type RequestOf<K extends ApiKey> = ApiTypes[K]['request'];
export type ResponseOf<K extends ApiKey> = ApiTypes[K]['response'];

export const ALL_APIS: ReadonlyArray<ApiDefinition> = Object.values(APIS);

/** The registry of every API this build speaks; ApiVersions advertises it. */
export const apiRegistry = new ApiRegistry(ALL_APIS);
