/**
 * Kafka's error codes: one table, Kafka's names and numbers
 * (clients/src/main/java/org/apache/kafka/common/protocol/Errors.java), with the
 * `retriable` flag of the Java exception each maps to (subclasses of
 * RetriableException / InvalidMetadataException). Error classes derive from it;
 * retry helpers read only `retriable`.
 */
export interface ErrorDef {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

const table: ReadonlyArray<[number, string, boolean, string]> = [
  [
    -1,
    'UNKNOWN_SERVER_ERROR',
    false,
    'The server experienced an unexpected error when processing the request.',
  ],
  [0, 'NONE', false, ''],
  [
    1,
    'OFFSET_OUT_OF_RANGE',
    false,
    'The requested offset is not within the range of offsets maintained by the server.',
  ],
  [
    2,
    'CORRUPT_MESSAGE',
    true,
    'This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.',
  ],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host this topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The requested fetch size is invalid.'],
  [
    5,
    'LEADER_NOT_AVAILABLE',
    true,
    'There is no leader for this topic-partition as we are in the middle of a leadership election.',
  ],
  [
    6,
    'NOT_LEADER_OR_FOLLOWER',
    true,
    'For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.',
  ],
  [7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [
    9,
    'REPLICA_NOT_AVAILABLE',
    true,
    'The replica is not available for the requested topic-partition.',
  ],
  [
    10,
    'MESSAGE_TOO_LARGE',
    false,
    'The request included a message larger than the max message size the server will accept.',
  ],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [
    12,
    'OFFSET_METADATA_TOO_LARGE',
    false,
    'The metadata field of the offset request was too large.',
  ],
  [13, 'NETWORK_EXCEPTION', true, 'The server disconnected before a response was received.'],
  [
    14,
    'COORDINATOR_LOAD_IN_PROGRESS',
    true,
    "The coordinator is loading and hence can't process requests.",
  ],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This is not the correct coordinator.'],
  [
    17,
    'INVALID_TOPIC_EXCEPTION',
    false,
    'The request attempted to perform an operation on an invalid topic.',
  ],
  [
    18,
    'RECORD_LIST_TOO_LARGE',
    false,
    'The request included message batch larger than the configured segment size on the server.',
  ],
  [
    19,
    'NOT_ENOUGH_REPLICAS',
    true,
    'Messages are rejected since there are fewer in-sync replicas than required.',
  ],
  [
    20,
    'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
    true,
    'Messages are written to the log, but to fewer in-sync replicas than required.',
  ],
  [
    21,
    'INVALID_REQUIRED_ACKS',
    false,
    'Produce request specified an invalid value for required acks.',
  ],
  [22, 'ILLEGAL_GENERATION', false, 'Specified group generation id is not valid.'],
  [
    23,
    'INCONSISTENT_GROUP_PROTOCOL',
    false,
    "The group member's supported protocols are incompatible with those of existing members.",
  ],
  [24, 'INVALID_GROUP_ID', false, 'The configured groupId is invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator is not aware of this member.'],
  [
    26,
    'INVALID_SESSION_TIMEOUT',
    false,
    'The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms).',
  ],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing, so a rejoin is needed.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The committing offset data size is not valid.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Topic authorization failed.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Group authorization failed.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Cluster authorization failed.'],
  [32, 'INVALID_TIMESTAMP', false, 'The timestamp of the message is out of acceptable range.'],
  [
    33,
    'UNSUPPORTED_SASL_MECHANISM',
    false,
    'The broker does not support the requested SASL mechanism.',
  ],
  [34, 'ILLEGAL_SASL_STATE', false, 'Request is not valid given the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The version of API is not supported.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'Topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'Number of partitions is below 1.'],
  [
    38,
    'INVALID_REPLICATION_FACTOR',
    false,
    'Replication factor is below 1 or larger than the number of available brokers.',
  ],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'Replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'Configuration is invalid.'],
  [41, 'NOT_CONTROLLER', true, 'This is not the correct controller for this cluster.'],
  [
    42,
    'INVALID_REQUEST',
    false,
    'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.',
  ],
  [
    43,
    'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    false,
    'The message format version on the broker does not support the request.',
  ],
  [44, 'POLICY_VIOLATION', false, 'Request parameters do not satisfy the configured policy.'],
  [
    45,
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    false,
    'The broker received an out of order sequence number.',
  ],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker received a duplicate sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'Producer attempted to produce with an old epoch.'],
  [
    48,
    'INVALID_TXN_STATE',
    false,
    'The producer attempted a transactional operation in an invalid state.',
  ],
  [
    49,
    'INVALID_PRODUCER_ID_MAPPING',
    false,
    'The producer attempted to use a producer id which is not currently assigned to its transactional id.',
  ],
  [
    50,
    'INVALID_TRANSACTION_TIMEOUT',
    false,
    'The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).',
  ],
  [
    51,
    'CONCURRENT_TRANSACTIONS',
    true,
    'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.',
  ],
  [
    52,
    'TRANSACTION_COORDINATOR_FENCED',
    false,
    'Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer.',
  ],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The broker did not attempt to execute this operation.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'Disk error when trying to access log file on the disk.'],
  [
    59,
    'UNKNOWN_PRODUCER_ID',
    false,
    'This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question.',
  ],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group id does not exist.'],
  [
    72,
    'LISTENER_NOT_FOUND',
    true,
    'There is no listener on the leader broker that matches the listener on which metadata request was processed.',
  ],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [
    74,
    'FENCED_LEADER_EPOCH',
    true,
    'The leader epoch in the request is older than the epoch on the broker.',
  ],
  [
    75,
    'UNKNOWN_LEADER_EPOCH',
    true,
    'The leader epoch in the request is newer than the epoch on the broker.',
  ],
  [
    76,
    'UNSUPPORTED_COMPRESSION_TYPE',
    false,
    'The requesting client does not support the compression type of given partition.',
  ],
  [77, 'STALE_BROKER_EPOCH', false, 'Broker epoch has changed.'],
  [
    78,
    'OFFSET_NOT_AVAILABLE',
    true,
    'The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing.',
  ],
  [
    79,
    'MEMBER_ID_REQUIRED',
    false,
    'The group member needs to have a valid member id before actually entering a consumer group.',
  ],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader was not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The consumer group has reached its max size.'],
  [
    82,
    'FENCED_INSTANCE_ID',
    false,
    'The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.',
  ],
  [
    83,
    'ELIGIBLE_LEADERS_NOT_AVAILABLE',
    true,
    'Eligible topic partition leaders are not available.',
  ],
  [84, 'ELECTION_NOT_NEEDED', false, 'Leader election not needed for topic partition.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [
    86,
    'GROUP_SUBSCRIBED_TO_TOPIC',
    false,
    'The consumer group is actively subscribed to the topic.',
  ],
  [
    87,
    'INVALID_RECORD',
    false,
    'This record has failed the validation on broker and hence will be rejected.',
  ],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'There are unstable offsets that need to be cleared.'],
  [
    90,
    'PRODUCER_FENCED',
    false,
    'There is a newer producer with the same transactionalId which fences the current one.',
  ],
  [95, 'INVALID_UPDATE_VERSION', false, 'The given update version was invalid.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'This broker ID is already in use.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The given broker ID was not registered.'],
  [
    104,
    'INCONSISTENT_CLUSTER_ID',
    false,
    'The clusterId in the request does not match that found on the server.',
  ],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactionalId could not be found.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The new ISR contains at least one ineligible replica.'],
  [
    108,
    'NEW_LEADER_ELECTED',
    false,
    'The AlterPartition request successfully updated the partition state but the leader has changed.',
  ],
];

export const ERRORS_BY_CODE: ReadonlyMap<number, ErrorDef> = new Map(
  table.map(([code, name, retriable, message]) => [code, { code, name, retriable, message }]),
);

export const ERRORS_BY_NAME: ReadonlyMap<string, ErrorDef> = new Map(
  [...ERRORS_BY_CODE.values()].map((d) => [d.name, d]),
);

/** Error codes by Kafka name: `ErrorCode.NOT_LEADER_OR_FOLLOWER === 6`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(table.map(([code, name]) => [name, code])),
) as Readonly<Record<ErrorName, number>>;

export type ErrorName =
  | 'UNKNOWN_SERVER_ERROR'
  | 'NONE'
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_MESSAGE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'INVALID_FETCH_SIZE'
  | 'LEADER_NOT_AVAILABLE'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'REQUEST_TIMED_OUT'
  | 'BROKER_NOT_AVAILABLE'
  | 'REPLICA_NOT_AVAILABLE'
  | 'MESSAGE_TOO_LARGE'
  | 'STALE_CONTROLLER_EPOCH'
  | 'OFFSET_METADATA_TOO_LARGE'
  | 'NETWORK_EXCEPTION'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'RECORD_LIST_TOO_LARGE'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'INVALID_REQUIRED_ACKS'
  | 'ILLEGAL_GENERATION'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_GROUP_ID'
  | 'UNKNOWN_MEMBER_ID'
  | 'INVALID_SESSION_TIMEOUT'
  | 'REBALANCE_IN_PROGRESS'
  | 'INVALID_COMMIT_OFFSET_SIZE'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'GROUP_AUTHORIZATION_FAILED'
  | 'CLUSTER_AUTHORIZATION_FAILED'
  | 'INVALID_TIMESTAMP'
  | 'UNSUPPORTED_SASL_MECHANISM'
  | 'ILLEGAL_SASL_STATE'
  | 'UNSUPPORTED_VERSION'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'INVALID_CONFIG'
  | 'NOT_CONTROLLER'
  | 'INVALID_REQUEST'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'POLICY_VIOLATION'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'DUPLICATE_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'TRANSACTION_COORDINATOR_FENCED'
  | 'PRODUCER_FENCED'
  | 'TRANSACTIONAL_ID_NOT_FOUND'
  | 'CONCURRENT_TRANSACTIONS'
  | 'OPERATION_NOT_ATTEMPTED'
  | 'KAFKA_STORAGE_ERROR'
  | 'UNKNOWN_PRODUCER_ID'
  | 'REASSIGNMENT_IN_PROGRESS'
  | 'NON_EMPTY_GROUP'
  | 'GROUP_ID_NOT_FOUND'
  | 'LISTENER_NOT_FOUND'
  | 'TOPIC_DELETION_DISABLED'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'STALE_BROKER_EPOCH'
  | 'OFFSET_NOT_AVAILABLE'
  | 'MEMBER_ID_REQUIRED'
  | 'PREFERRED_LEADER_NOT_AVAILABLE'
  | 'GROUP_MAX_SIZE_REACHED'
  | 'FENCED_INSTANCE_ID'
  | 'ELIGIBLE_LEADERS_NOT_AVAILABLE'
  | 'ELECTION_NOT_NEEDED'
  | 'NO_REASSIGNMENT_IN_PROGRESS'
  | 'GROUP_SUBSCRIBED_TO_TOPIC'
  | 'INVALID_RECORD'
  | 'UNSTABLE_OFFSET_COMMIT'
  | 'INVALID_UPDATE_VERSION'
  | 'DUPLICATE_BROKER_REGISTRATION'
  | 'BROKER_ID_NOT_REGISTERED'
  | 'INCONSISTENT_CLUSTER_ID'
  | 'INELIGIBLE_REPLICA'
  | 'NEW_LEADER_ELECTED';

export function errorDef(codeOrName: number | ErrorName): ErrorDef {
  const d =
    typeof codeOrName === 'number'
      ? ERRORS_BY_CODE.get(codeOrName)
      : ERRORS_BY_NAME.get(codeOrName);
  if (d) return d;
  return {
    code: Number(codeOrName),
    name: `UNKNOWN_ERROR_CODE_${codeOrName}`,
    retriable: false,
    message: 'Unknown error code.',
  };
}

/**
 * An error that carries Kafka's error code and name. `retriable` says whether a
 * client may retry the same request (after a metadata refresh where relevant).
 */
export class KafkaError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(codeOrName: number | ErrorName, detail?: string) {
    const def = errorDef(codeOrName);
    super(detail ? `${def.name}: ${detail}` : `${def.name}: ${def.message}`);
    this.name = 'KafkaError';
    this.code = def.code;
    this.errorName = def.name;
    this.retriable = def.retriable;
  }

  is(name: ErrorName): boolean {
    return this.errorName === name;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof KafkaError && err.retriable;
}
