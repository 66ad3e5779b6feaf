// protocol: kzoo's native wire protocol (framing, msgpackr bodies, one file per API).
//   frame.ts, codec.ts, messages.ts, schema.ts, api.ts  framing, body codec, headers, validation
//   apis/  one file per API (Kafka key + name); Connection.ts  client side of a socket
import * as frame from './frame';
import * as codec from './codec';
import * as schema from './schema';
import * as api from './api';
import * as apis from './apis';
import * as messages from './messages';
import * as segments from './segments';
import * as connection from './Connection';
import * as kafka from './kafka';
import * as common from '@kzoo/common';

export import DEFAULT_MAX_FRAME_BYTES = frame.DEFAULT_MAX_FRAME_BYTES;
export import InvalidFrameError = frame.InvalidFrameError;
export import FrameTooLargeError = frame.FrameTooLargeError;
export import FrameDecoder = frame.FrameDecoder;

export import encodeBody = codec.encodeBody;
export import decodeBody = codec.decodeBody;
export import BodyDecodeError = codec.BodyDecodeError;

export type { TypeShape, Type, Fields } from './schema';
export import nullable = schema.nullable;
export import array = schema.array;
export import struct = schema.struct;
export import validate = schema.validate;
export import FieldPathError = schema.FieldPathError;
export import SchemaError = schema.SchemaError;
export import int8 = schema.int8;
export import int16 = schema.int16;
export import int32 = schema.int32;
export import int64 = schema.int64;
export import float64 = schema.float64;
export import boolean = schema.boolean;
export import string = schema.string;
export import bytes = schema.bytes;
export import nullableString = schema.nullableString;
export import nullableBytes = schema.nullableBytes;

export type { ApiVersionSchemas, ApiDefinition, ApiVersionRange } from './api';
export import defineApi = api.defineApi;
export import ApiRegistry = api.ApiRegistry;

export type {
  ApiTypes,
  ApiKey,
  RequestOf,
  ResponseOf,
  ProduceRequestPartition,
  ProduceRequestTopic,
  ProduceRequest,
  ProduceResponsePartition,
  ProduceResponseTopic,
  ProduceResponse,
  FetchRequestPartition,
  FetchRequestTopic,
  FetchRequest,
  FetchResponsePartition,
  FetchAbortedTransaction,
  FetchResponseTopic,
  FetchResponse,
  ListOffsetsRequestPartition,
  ListOffsetsRequestTopic,
  ListOffsetsRequest,
  ListOffsetsResponsePartition,
  ListOffsetsResponseTopic,
  ListOffsetsResponse,
  MetadataRequestTopic,
  MetadataRequest,
  MetadataResponseBroker,
  MetadataResponsePartition,
  MetadataResponseTopic,
  MetadataResponse,
  LeaderAndIsrPartitionState,
  LeaderAndIsrLiveLeader,
  LeaderAndIsrRequest,
  LeaderAndIsrPartitionError,
  LeaderAndIsrResponse,
  ControllerPartitionState,
  StopReplicaPartition,
  StopReplicaRequest,
  StopReplicaPartitionError,
  StopReplicaResponse,
  UpdateMetadataPartitionState,
  UpdateMetadataEndpoint,
  UpdateMetadataBroker,
  UpdateMetadataRequest,
  UpdateMetadataResponse,
  ControlledShutdownRequest,
  RemainingPartition,
  ControlledShutdownResponse,
  OffsetCommitRequestPartition,
  OffsetCommitRequestTopic,
  OffsetCommitRequest,
  OffsetCommitResponsePartition,
  OffsetCommitResponseTopic,
  OffsetCommitResponse,
  OffsetFetchRequestTopic,
  OffsetFetchRequest,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
  OffsetFetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  JoinGroupRequestProtocol,
  JoinGroupRequest,
  JoinGroupResponseMember,
  JoinGroupResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LeaveGroupRequestMember,
  LeaveGroupRequest,
  LeaveGroupResponseMember,
  LeaveGroupResponse,
  SyncGroupRequestAssignment,
  SyncGroupRequest,
  SyncGroupResponse,
  DescribeGroupsRequest,
  DescribedGroupMember,
  DescribedGroup,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListedGroup,
  ListGroupsResponse,
  ApiVersionsRequest,
  ApiVersionsResponseKey,
  ApiVersionsResponse,
  CreatableReplicaAssignment,
  CreatableTopicConfig,
  CreatableTopic,
  CreateTopicsRequest,
  CreatableTopicResult,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeletableTopicResult,
  DeleteTopicsResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  AddPartitionsToTxnTopic,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnPartitionResult,
  AddPartitionsToTxnTopicResult,
  AddPartitionsToTxnResponse,
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  WritableTxnMarkerTopic,
  WritableTxnMarker,
  WriteTxnMarkersRequest,
  WritableTxnMarkerPartitionResult,
  WritableTxnMarkerTopicResult,
  WritableTxnMarkerResult,
  WriteTxnMarkersResponse,
  TxnOffsetCommitRequestPartition,
  TxnOffsetCommitRequestTopic,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponsePartition,
  TxnOffsetCommitResponseTopic,
  TxnOffsetCommitResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsTopicData,
  DescribeTransactionsState,
  DescribeTransactionsResponse,
  ListTransactionsRequest,
  ListTransactionsState,
  ListTransactionsResponse,
  OffsetForLeaderPartition,
  OffsetForLeaderTopic,
  OffsetForLeaderEpochRequest,
  EpochEndOffset,
  OffsetForLeaderTopicResult,
  OffsetForLeaderEpochResponse,
  DescribeConfigsRequestResource,
  DescribeConfigsRequest,
  DescribeConfigsSynonym,
  DescribeConfigsResourceResult,
  DescribeConfigsResult,
  DescribeConfigsResponse,
  AlterConfigsRequestConfig,
  AlterConfigsRequestResource,
  AlterConfigsRequest,
  AlterConfigsResourceResponse,
  AlterConfigsResponse,
  CreatePartitionsAssignment,
  CreatePartitionsTopic,
  CreatePartitionsRequest,
  CreatePartitionsTopicResult,
  CreatePartitionsResponse,
  DeleteGroupsRequest,
  DeletableGroupResult,
  DeleteGroupsResponse,
  ElectLeadersTopicPartitions,
  ElectLeadersRequest,
  ElectLeadersPartitionResult,
  ElectLeadersReplicaElectionResult,
  ElectLeadersResponse,
  IncrementalAlterConfigsRequestConfig,
  IncrementalAlterConfigsRequestResource,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  ReassignablePartition,
  ReassignableTopic,
  AlterPartitionReassignmentsRequest,
  ReassignablePartitionResponse,
  ReassignableTopicResponse,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsTopics,
  ListPartitionReassignmentsRequest,
  OngoingPartitionReassignment,
  OngoingTopicReassignment,
  ListPartitionReassignmentsResponse,
  DescribeClientQuotasComponent,
  DescribeClientQuotasRequest,
  ClientQuotaEntityData,
  DescribeClientQuotasValue,
  DescribeClientQuotasEntry,
  DescribeClientQuotasResponse,
  AlterClientQuotasOp,
  AlterClientQuotasEntry,
  AlterClientQuotasRequest,
  AlterClientQuotasResponseEntry,
  AlterClientQuotasResponse,
  AlterPartitionRequestPartition,
  AlterPartitionRequestTopic,
  AlterPartitionRequest,
  AlterPartitionResponsePartition,
  AlterPartitionResponseTopic,
  AlterPartitionResponse,
  DescribeClusterBroker,
  DescribeClusterRequest,
  DescribeClusterResponse,
} from './apis';
export import ApiKeys = apis.ApiKeys;
export import ALL_APIS = apis.ALL_APIS;
export import apiRegistry = apis.apiRegistry;
export import ProduceApi = apis.ProduceApi;
export import FetchApi = apis.FetchApi;
export import ListOffsetsApi = apis.ListOffsetsApi;
export import MetadataApi = apis.MetadataApi;
export import LeaderAndIsrApi = apis.LeaderAndIsrApi;
export import controllerPartitionStateFields = apis.controllerPartitionStateFields;
export import StopReplicaApi = apis.StopReplicaApi;
export import UpdateMetadataApi = apis.UpdateMetadataApi;
export import ControlledShutdownApi = apis.ControlledShutdownApi;
export import OffsetCommitApi = apis.OffsetCommitApi;
export import OffsetFetchApi = apis.OffsetFetchApi;
export import FindCoordinatorApi = apis.FindCoordinatorApi;
export import JoinGroupApi = apis.JoinGroupApi;
export import HeartbeatApi = apis.HeartbeatApi;
export import LeaveGroupApi = apis.LeaveGroupApi;
export import SyncGroupApi = apis.SyncGroupApi;
export import DescribeGroupsApi = apis.DescribeGroupsApi;
export import ListGroupsApi = apis.ListGroupsApi;
export import ApiVersionsApi = apis.ApiVersionsApi;
export import CreateTopicsApi = apis.CreateTopicsApi;
export import DeleteTopicsApi = apis.DeleteTopicsApi;
export import InitProducerIdApi = apis.InitProducerIdApi;
export import AddPartitionsToTxnApi = apis.AddPartitionsToTxnApi;
export import AddOffsetsToTxnApi = apis.AddOffsetsToTxnApi;
export import EndTxnApi = apis.EndTxnApi;
export import WriteTxnMarkersApi = apis.WriteTxnMarkersApi;
export import TxnOffsetCommitApi = apis.TxnOffsetCommitApi;
export import DescribeTransactionsApi = apis.DescribeTransactionsApi;
export import ListTransactionsApi = apis.ListTransactionsApi;
export import OffsetForLeaderEpochApi = apis.OffsetForLeaderEpochApi;
export import DescribeConfigsApi = apis.DescribeConfigsApi;
export import alterConfigsResourceResponse = apis.alterConfigsResourceResponse;
export import AlterConfigsApi = apis.AlterConfigsApi;
export import CreatePartitionsApi = apis.CreatePartitionsApi;
export import DeleteGroupsApi = apis.DeleteGroupsApi;
export import ElectLeadersApi = apis.ElectLeadersApi;
export import IncrementalAlterConfigsApi = apis.IncrementalAlterConfigsApi;
export import AlterPartitionReassignmentsApi = apis.AlterPartitionReassignmentsApi;
export import ListPartitionReassignmentsApi = apis.ListPartitionReassignmentsApi;
export import ClientQuotaMatchType = apis.ClientQuotaMatchType;
export import clientQuotaEntityDataSchema = apis.clientQuotaEntityDataSchema;
export import DescribeClientQuotasApi = apis.DescribeClientQuotasApi;
export import AlterClientQuotasApi = apis.AlterClientQuotasApi;
export import AlterPartitionApi = apis.AlterPartitionApi;
export import DescribeClusterApi = apis.DescribeClusterApi;

export type { RequestHeader, DecodedRequest, ErrorResponseBody } from './messages';
export import clientIdBytes = messages.clientIdBytes;
export import encodeRequest = messages.encodeRequest;
export import encodeRequestSegments = messages.encodeRequestSegments;
export import decodeRequestHeader = messages.decodeRequestHeader;
export import decodeRequest = messages.decodeRequest;
export import encodeResponse = messages.encodeResponse;
export import encodeResponseSegments = messages.encodeResponseSegments;
export import encodeErrorResponse = messages.encodeErrorResponse;
export import decodeResponseHeader = messages.decodeResponseHeader;
export import decodeResponseBody = messages.decodeResponseBody;
export import REQUEST_HEADER_FIXED_BYTES = messages.REQUEST_HEADER_FIXED_BYTES;
export import RESPONSE_HEADER_BYTES = messages.RESPONSE_HEADER_BYTES;
export import RequestDecodeError = messages.RequestDecodeError;
export import ErrorResponse = messages.ErrorResponse;

export import SPLIT_BYTES = segments.SPLIT_BYTES;
export import encodeSegments = segments.encodeSegments;
export import segmentsLength = segments.segmentsLength;

export type {
  ConnectionOptions,
  RequestOptions,
  ControlDecision,
  ControlledRequest,
  ControlFn,
} from './Connection';
export import Connection = connection.Connection;

export type {
  KafkaRequestHeader,
  KafkaField,
  KafkaType,
  KafkaApi,
  KafkaApiTypes,
  KafkaApiKey,
  KafkaOnlyApiTypes,
  KafkaRequestOf,
  KafkaResponseOf,
  KafkaSaslHandshakeRequest,
  KafkaSaslHandshakeResponse,
  KafkaSaslAuthenticateRequest,
  KafkaSaslAuthenticateResponse,
} from './kafka';
export import kafkaSupports = kafka.kafkaSupports;
export import decodeKafkaRequest = kafka.decodeKafkaRequest;
export import encodeKafkaResponse = kafka.encodeKafkaResponse;
export import encodeKafkaErrorResponse = kafka.encodeKafkaErrorResponse;
export import encodeKafkaRequest = kafka.encodeKafkaRequest;
export import decodeKafkaResponse = kafka.decodeKafkaResponse;
export import isKafkaApiVersionsProbe = kafka.isKafkaApiVersionsProbe;
export import KafkaDecodeError = kafka.KafkaDecodeError;
export import KafkaReader = kafka.KafkaReader;
export import KafkaWriter = kafka.KafkaWriter;
export import KafkaMessage = kafka.KafkaMessage;
export import kafkaMessage = kafka.kafkaMessage;
export import kafkaArrayOf = kafka.kafkaArrayOf;
export import kafkaStructOf = kafka.kafkaStructOf;
export import KAFKA_APIS = kafka.KAFKA_APIS;
export import KAFKA_API_VERSIONS = kafka.KAFKA_API_VERSIONS;

export type { ErrorDef, ErrorName } from '@kzoo/common';
export import ErrorCode = common.ErrorCode;
export import KafkaError = common.KafkaError;
export import errorDef = common.errorDef;
export import isRetriable = common.isRetriable;
export import ERRORS_BY_CODE = common.ERRORS_BY_CODE;
export import ERRORS_BY_NAME = common.ERRORS_BY_NAME;
