// apis: one file per API of the native protocol, named by Kafka key and name.
//   NN-<name>.ts  request/response types (Kafka field names) + schemas per version;
//   partition-state.ts  the partition state LeaderAndIsr and UpdateMetadata both carry
//   index.ts      ApiKeys, the key -> types map, and the default ApiRegistry
import { ApiRegistry, type ApiDefinition } from '../api';
import { ProduceApi, type ProduceRequest, type ProduceResponse } from './00-produce';
import { FetchApi, type FetchRequest, type FetchResponse } from './01-fetch';
import {
  ListOffsetsApi,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from './02-list-offsets';
import { MetadataApi, type MetadataRequest, type MetadataResponse } from './03-metadata';
import {
  LeaderAndIsrApi,
  type LeaderAndIsrRequest,
  type LeaderAndIsrResponse,
} from './04-leader-and-isr';
import {
  StopReplicaApi,
  type StopReplicaRequest,
  type StopReplicaResponse,
} from './05-stop-replica';
import {
  UpdateMetadataApi,
  type UpdateMetadataRequest,
  type UpdateMetadataResponse,
} from './06-update-metadata';
import {
  ControlledShutdownApi,
  type ControlledShutdownRequest,
  type ControlledShutdownResponse,
} from './07-controlled-shutdown';
import {
  OffsetCommitApi,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from './08-offset-commit';
import {
  OffsetFetchApi,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from './09-offset-fetch';
import {
  FindCoordinatorApi,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from './10-find-coordinator';
import { JoinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from './11-join-group';
import { HeartbeatApi, type HeartbeatRequest, type HeartbeatResponse } from './12-heartbeat';
import { LeaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse } from './13-leave-group';
import { SyncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from './14-sync-group';
import {
  DescribeGroupsApi,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
} from './15-describe-groups';
import { ListGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from './16-list-groups';
import {
  ApiVersionsApi,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
} from './18-api-versions';
import {
  CreateTopicsApi,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
} from './19-create-topics';
import {
  DeleteTopicsApi,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
} from './20-delete-topics';
import {
  InitProducerIdApi,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from './22-init-producer-id';
import {
  OffsetForLeaderEpochApi,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from './23-offset-for-leader-epoch';
import {
  DescribeConfigsApi,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from './32-describe-configs';
import {
  AlterConfigsApi,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
} from './33-alter-configs';
import {
  CreatePartitionsApi,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
} from './37-create-partitions';
import {
  DeleteGroupsApi,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
} from './42-delete-groups';
import {
  ElectLeadersApi,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
} from './43-elect-leaders';
import {
  IncrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from './44-incremental-alter-configs';
import {
  AlterPartitionApi,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
} from './56-alter-partition';
import {
  DescribeClusterApi,
  type DescribeClusterRequest,
  type DescribeClusterResponse,
} from './60-describe-cluster';

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
export * from './23-offset-for-leader-epoch';
export * from './32-describe-configs';
export * from './33-alter-configs';
export * from './37-create-partitions';
export * from './42-delete-groups';
export * from './43-elect-leaders';
export * from './44-incremental-alter-configs';
export * from './56-alter-partition';
export * from './60-describe-cluster';

/** Kafka's API keys, by Kafka's API names. */
export const ApiKeys = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartition: 56,
  DescribeCluster: 60,
} as const;

/** Request and response types of each API key (newest version). */
export interface ApiTypes {
  0: { request: ProduceRequest; response: ProduceResponse };
  1: { request: FetchRequest; response: FetchResponse };
  2: { request: ListOffsetsRequest; response: ListOffsetsResponse };
  3: { request: MetadataRequest; response: MetadataResponse };
  4: { request: LeaderAndIsrRequest; response: LeaderAndIsrResponse };
  5: { request: StopReplicaRequest; response: StopReplicaResponse };
  6: { request: UpdateMetadataRequest; response: UpdateMetadataResponse };
  7: { request: ControlledShutdownRequest; response: ControlledShutdownResponse };
  8: { request: OffsetCommitRequest; response: OffsetCommitResponse };
  9: { request: OffsetFetchRequest; response: OffsetFetchResponse };
  10: { request: FindCoordinatorRequest; response: FindCoordinatorResponse };
  11: { request: JoinGroupRequest; response: JoinGroupResponse };
  12: { request: HeartbeatRequest; response: HeartbeatResponse };
  13: { request: LeaveGroupRequest; response: LeaveGroupResponse };
  14: { request: SyncGroupRequest; response: SyncGroupResponse };
  15: { request: DescribeGroupsRequest; response: DescribeGroupsResponse };
  16: { request: ListGroupsRequest; response: ListGroupsResponse };
  18: { request: ApiVersionsRequest; response: ApiVersionsResponse };
  19: { request: CreateTopicsRequest; response: CreateTopicsResponse };
  20: { request: DeleteTopicsRequest; response: DeleteTopicsResponse };
  22: { request: InitProducerIdRequest; response: InitProducerIdResponse };
  23: { request: OffsetForLeaderEpochRequest; response: OffsetForLeaderEpochResponse };
  32: { request: DescribeConfigsRequest; response: DescribeConfigsResponse };
  33: { request: AlterConfigsRequest; response: AlterConfigsResponse };
  37: { request: CreatePartitionsRequest; response: CreatePartitionsResponse };
  42: { request: DeleteGroupsRequest; response: DeleteGroupsResponse };
  43: { request: ElectLeadersRequest; response: ElectLeadersResponse };
  44: { request: IncrementalAlterConfigsRequest; response: IncrementalAlterConfigsResponse };
  56: { request: AlterPartitionRequest; response: AlterPartitionResponse };
  60: { request: DescribeClusterRequest; response: DescribeClusterResponse };
}
export type ApiKey = keyof ApiTypes;
export type RequestOf<K extends ApiKey> = ApiTypes[K]['request'];
export type ResponseOf<K extends ApiKey> = ApiTypes[K]['response'];

export const ALL_APIS: ReadonlyArray<ApiDefinition> = [
  ProduceApi,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  LeaderAndIsrApi,
  StopReplicaApi,
  UpdateMetadataApi,
  ControlledShutdownApi,
  OffsetCommitApi,
  OffsetFetchApi,
  FindCoordinatorApi,
  JoinGroupApi,
  HeartbeatApi,
  LeaveGroupApi,
  SyncGroupApi,
  DescribeGroupsApi,
  ListGroupsApi,
  ApiVersionsApi,
  CreateTopicsApi,
  DeleteTopicsApi,
  InitProducerIdApi,
  OffsetForLeaderEpochApi,
  DescribeConfigsApi,
  AlterConfigsApi,
  CreatePartitionsApi,
  DeleteGroupsApi,
  ElectLeadersApi,
  IncrementalAlterConfigsApi,
  AlterPartitionApi,
  DescribeClusterApi,
];

/** The registry of every API this build speaks; ApiVersions advertises it. */
export const apiRegistry = new ApiRegistry(ALL_APIS);
