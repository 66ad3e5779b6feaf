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
import * as produce from './00-produce';
import * as fetch from './01-fetch';
import * as listOffsets from './02-list-offsets';
import * as metadata from './03-metadata';
import * as leaderAndIsr from './04-leader-and-isr';
import * as partitionState from './partition-state';
import * as stopReplica from './05-stop-replica';
import * as updateMetadata from './06-update-metadata';
import * as controlledShutdown from './07-controlled-shutdown';
import * as offsetCommit from './08-offset-commit';
import * as offsetFetch from './09-offset-fetch';
import * as findCoordinator from './10-find-coordinator';
import * as joinGroup from './11-join-group';
import * as heartbeat from './12-heartbeat';
import * as leaveGroup from './13-leave-group';
import * as syncGroup from './14-sync-group';
import * as describeGroups from './15-describe-groups';
import * as listGroups from './16-list-groups';
import * as apiVersions from './18-api-versions';
import * as createTopics from './19-create-topics';
import * as deleteTopics from './20-delete-topics';
import * as initProducerId from './22-init-producer-id';
import * as addPartitionsToTxn from './24-add-partitions-to-txn';
import * as addOffsetsToTxn from './25-add-offsets-to-txn';
import * as endTxn from './26-end-txn';
import * as writeTxnMarkers from './27-write-txn-markers';
import * as txnOffsetCommit from './28-txn-offset-commit';
import * as describeTransactions from './65-describe-transactions';
import * as listTransactions from './66-list-transactions';
import * as offsetForLeaderEpoch from './23-offset-for-leader-epoch';
import * as describeConfigs from './32-describe-configs';
import * as alterConfigs from './33-alter-configs';
import * as createPartitions from './37-create-partitions';
import * as deleteGroups from './42-delete-groups';
import * as electLeaders from './43-elect-leaders';
import * as incrementalAlterConfigs from './44-incremental-alter-configs';
import * as alterPartitionReassignments from './45-alter-partition-reassignments';
import * as listPartitionReassignments from './46-list-partition-reassignments';
import * as describeClientQuotas from './48-describe-client-quotas';
import * as alterClientQuotas from './49-alter-client-quotas';
import * as alterPartition from './56-alter-partition';
import * as describeCluster from './60-describe-cluster';

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

export type {
  ProduceRequestPartition,
  ProduceRequestTopic,
  ProduceRequest,
  ProduceResponsePartition,
  ProduceResponseTopic,
  ProduceResponse,
} from './00-produce';
export import ProduceApi = produce.ProduceApi;

export type {
  FetchRequestPartition,
  FetchRequestTopic,
  FetchRequest,
  FetchResponsePartition,
  FetchAbortedTransaction,
  FetchResponseTopic,
  FetchResponse,
} from './01-fetch';
export import FetchApi = fetch.FetchApi;

export type {
  ListOffsetsRequestPartition,
  ListOffsetsRequestTopic,
  ListOffsetsRequest,
  ListOffsetsResponsePartition,
  ListOffsetsResponseTopic,
  ListOffsetsResponse,
} from './02-list-offsets';
export import ListOffsetsApi = listOffsets.ListOffsetsApi;

export type {
  MetadataRequestTopic,
  MetadataRequest,
  MetadataResponseBroker,
  MetadataResponsePartition,
  MetadataResponseTopic,
  MetadataResponse,
} from './03-metadata';
export import MetadataApi = metadata.MetadataApi;

export type {
  LeaderAndIsrPartitionState,
  LeaderAndIsrLiveLeader,
  LeaderAndIsrRequest,
  LeaderAndIsrPartitionError,
  LeaderAndIsrResponse,
} from './04-leader-and-isr';
export import LeaderAndIsrApi = leaderAndIsr.LeaderAndIsrApi;

export type { ControllerPartitionState } from './partition-state';
export import controllerPartitionStateFields = partitionState.controllerPartitionStateFields;

export type {
  StopReplicaPartition,
  StopReplicaRequest,
  StopReplicaPartitionError,
  StopReplicaResponse,
} from './05-stop-replica';
export import StopReplicaApi = stopReplica.StopReplicaApi;

export type {
  UpdateMetadataPartitionState,
  UpdateMetadataEndpoint,
  UpdateMetadataBroker,
  UpdateMetadataRequest,
  UpdateMetadataResponse,
} from './06-update-metadata';
export import UpdateMetadataApi = updateMetadata.UpdateMetadataApi;

export type {
  ControlledShutdownRequest,
  RemainingPartition,
  ControlledShutdownResponse,
} from './07-controlled-shutdown';
export import ControlledShutdownApi = controlledShutdown.ControlledShutdownApi;

export type {
  OffsetCommitRequestPartition,
  OffsetCommitRequestTopic,
  OffsetCommitRequest,
  OffsetCommitResponsePartition,
  OffsetCommitResponseTopic,
  OffsetCommitResponse,
} from './08-offset-commit';
export import OffsetCommitApi = offsetCommit.OffsetCommitApi;

export type {
  OffsetFetchRequestTopic,
  OffsetFetchRequest,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
  OffsetFetchResponse,
} from './09-offset-fetch';
export import OffsetFetchApi = offsetFetch.OffsetFetchApi;

export type { FindCoordinatorRequest, FindCoordinatorResponse } from './10-find-coordinator';
export import FindCoordinatorApi = findCoordinator.FindCoordinatorApi;

export type {
  JoinGroupRequestProtocol,
  JoinGroupRequest,
  JoinGroupResponseMember,
  JoinGroupResponse,
} from './11-join-group';
export import JoinGroupApi = joinGroup.JoinGroupApi;

export type { HeartbeatRequest, HeartbeatResponse } from './12-heartbeat';
export import HeartbeatApi = heartbeat.HeartbeatApi;

export type {
  LeaveGroupRequestMember,
  LeaveGroupRequest,
  LeaveGroupResponseMember,
  LeaveGroupResponse,
} from './13-leave-group';
export import LeaveGroupApi = leaveGroup.LeaveGroupApi;

export type {
  SyncGroupRequestAssignment,
  SyncGroupRequest,
  SyncGroupResponse,
} from './14-sync-group';
export import SyncGroupApi = syncGroup.SyncGroupApi;

export type {
  DescribeGroupsRequest,
  DescribedGroupMember,
  DescribedGroup,
  DescribeGroupsResponse,
} from './15-describe-groups';
export import DescribeGroupsApi = describeGroups.DescribeGroupsApi;

export type { ListGroupsRequest, ListedGroup, ListGroupsResponse } from './16-list-groups';
export import ListGroupsApi = listGroups.ListGroupsApi;

export type {
  ApiVersionsRequest,
  ApiVersionsResponseKey,
  ApiVersionsResponse,
} from './18-api-versions';
export import ApiVersionsApi = apiVersions.ApiVersionsApi;

export type {
  CreatableReplicaAssignment,
  CreatableTopicConfig,
  CreatableTopic,
  CreateTopicsRequest,
  CreatableTopicResult,
  CreateTopicsResponse,
} from './19-create-topics';
export import CreateTopicsApi = createTopics.CreateTopicsApi;

export type {
  DeleteTopicsRequest,
  DeletableTopicResult,
  DeleteTopicsResponse,
} from './20-delete-topics';
export import DeleteTopicsApi = deleteTopics.DeleteTopicsApi;

export type { InitProducerIdRequest, InitProducerIdResponse } from './22-init-producer-id';
export import InitProducerIdApi = initProducerId.InitProducerIdApi;

export type {
  AddPartitionsToTxnTopic,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnPartitionResult,
  AddPartitionsToTxnTopicResult,
  AddPartitionsToTxnResponse,
} from './24-add-partitions-to-txn';
export import AddPartitionsToTxnApi = addPartitionsToTxn.AddPartitionsToTxnApi;

export type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './25-add-offsets-to-txn';
export import AddOffsetsToTxnApi = addOffsetsToTxn.AddOffsetsToTxnApi;

export type { EndTxnRequest, EndTxnResponse } from './26-end-txn';
export import EndTxnApi = endTxn.EndTxnApi;

export type {
  WritableTxnMarkerTopic,
  WritableTxnMarker,
  WriteTxnMarkersRequest,
  WritableTxnMarkerPartitionResult,
  WritableTxnMarkerTopicResult,
  WritableTxnMarkerResult,
  WriteTxnMarkersResponse,
} from './27-write-txn-markers';
export import WriteTxnMarkersApi = writeTxnMarkers.WriteTxnMarkersApi;

export type {
  TxnOffsetCommitRequestPartition,
  TxnOffsetCommitRequestTopic,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponsePartition,
  TxnOffsetCommitResponseTopic,
  TxnOffsetCommitResponse,
} from './28-txn-offset-commit';
export import TxnOffsetCommitApi = txnOffsetCommit.TxnOffsetCommitApi;

export type {
  DescribeTransactionsRequest,
  DescribeTransactionsTopicData,
  DescribeTransactionsState,
  DescribeTransactionsResponse,
} from './65-describe-transactions';
export import DescribeTransactionsApi = describeTransactions.DescribeTransactionsApi;

export type {
  ListTransactionsRequest,
  ListTransactionsState,
  ListTransactionsResponse,
} from './66-list-transactions';
export import ListTransactionsApi = listTransactions.ListTransactionsApi;

export type {
  OffsetForLeaderPartition,
  OffsetForLeaderTopic,
  OffsetForLeaderEpochRequest,
  EpochEndOffset,
  OffsetForLeaderTopicResult,
  OffsetForLeaderEpochResponse,
} from './23-offset-for-leader-epoch';
export import OffsetForLeaderEpochApi = offsetForLeaderEpoch.OffsetForLeaderEpochApi;

export type {
  DescribeConfigsRequestResource,
  DescribeConfigsRequest,
  DescribeConfigsSynonym,
  DescribeConfigsResourceResult,
  DescribeConfigsResult,
  DescribeConfigsResponse,
} from './32-describe-configs';
export import DescribeConfigsApi = describeConfigs.DescribeConfigsApi;

export type {
  AlterConfigsRequestConfig,
  AlterConfigsRequestResource,
  AlterConfigsRequest,
  AlterConfigsResourceResponse,
  AlterConfigsResponse,
} from './33-alter-configs';
export import alterConfigsResourceResponse = alterConfigs.alterConfigsResourceResponse;
export import AlterConfigsApi = alterConfigs.AlterConfigsApi;

export type {
  CreatePartitionsAssignment,
  CreatePartitionsTopic,
  CreatePartitionsRequest,
  CreatePartitionsTopicResult,
  CreatePartitionsResponse,
} from './37-create-partitions';
export import CreatePartitionsApi = createPartitions.CreatePartitionsApi;

export type {
  DeleteGroupsRequest,
  DeletableGroupResult,
  DeleteGroupsResponse,
} from './42-delete-groups';
export import DeleteGroupsApi = deleteGroups.DeleteGroupsApi;

export type {
  ElectLeadersTopicPartitions,
  ElectLeadersRequest,
  ElectLeadersPartitionResult,
  ElectLeadersReplicaElectionResult,
  ElectLeadersResponse,
} from './43-elect-leaders';
export import ElectLeadersApi = electLeaders.ElectLeadersApi;

export type {
  IncrementalAlterConfigsRequestConfig,
  IncrementalAlterConfigsRequestResource,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from './44-incremental-alter-configs';
export import IncrementalAlterConfigsApi = incrementalAlterConfigs.IncrementalAlterConfigsApi;

export type {
  ReassignablePartition,
  ReassignableTopic,
  AlterPartitionReassignmentsRequest,
  ReassignablePartitionResponse,
  ReassignableTopicResponse,
  AlterPartitionReassignmentsResponse,
} from './45-alter-partition-reassignments';
export import AlterPartitionReassignmentsApi = alterPartitionReassignments.AlterPartitionReassignmentsApi;

export type {
  ListPartitionReassignmentsTopics,
  ListPartitionReassignmentsRequest,
  OngoingPartitionReassignment,
  OngoingTopicReassignment,
  ListPartitionReassignmentsResponse,
} from './46-list-partition-reassignments';
export import ListPartitionReassignmentsApi = listPartitionReassignments.ListPartitionReassignmentsApi;

export type {
  DescribeClientQuotasComponent,
  DescribeClientQuotasRequest,
  ClientQuotaEntityData,
  DescribeClientQuotasValue,
  DescribeClientQuotasEntry,
  DescribeClientQuotasResponse,
} from './48-describe-client-quotas';
export import ClientQuotaMatchType = describeClientQuotas.ClientQuotaMatchType;
export import clientQuotaEntityDataSchema = describeClientQuotas.clientQuotaEntityDataSchema;
export import DescribeClientQuotasApi = describeClientQuotas.DescribeClientQuotasApi;

export type {
  AlterClientQuotasOp,
  AlterClientQuotasEntry,
  AlterClientQuotasRequest,
  AlterClientQuotasResponseEntry,
  AlterClientQuotasResponse,
} from './49-alter-client-quotas';
export import AlterClientQuotasApi = alterClientQuotas.AlterClientQuotasApi;

export type {
  AlterPartitionRequestPartition,
  AlterPartitionRequestTopic,
  AlterPartitionRequest,
  AlterPartitionResponsePartition,
  AlterPartitionResponseTopic,
  AlterPartitionResponse,
} from './56-alter-partition';
export import AlterPartitionApi = alterPartition.AlterPartitionApi;

export type {
  DescribeClusterBroker,
  DescribeClusterRequest,
  DescribeClusterResponse,
} from './60-describe-cluster';
export import DescribeClusterApi = describeCluster.DescribeClusterApi;
