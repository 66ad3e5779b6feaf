/**
 * DescribeCluster (key 60), v0, answered by any broker from its metadata cache, as
 * Kafka's KafkaApis.handleDescribeCluster: the cluster id, the controller id (-1 while
 * unknown) and the live brokers with their endpoint on the listener the request came
 * in on (id, host, port, rack).
 * clusterAuthorizedOperations: -2147483648 (Kafka's "not requested") unless
 * includeClusterAuthorizedOperations; then, as Kafka without an authorizer (kzoo has
 * none: everything is allowed), the bit field of every operation Kafka supports on the
 * CLUSTER resource (CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS,
 * ALTER_CONFIGS, IDEMPOTENT_WRITE).
 * Errors: none (errorCode 0).
 * Not implemented: endpointType and includeFencedBrokers (Kafka v1, v2).
 */
import type { DescribeClusterRequest, DescribeClusterResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

/** Kafka's "authorized operations not requested" (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** Kafka's AclOperation codes Kafka supports on CLUSTER (AclEntry.supportedOperations). */
const CLUSTER_OPERATIONS = [
  5, // CREATE
  7, // ALTER
  8, // DESCRIBE
  9, // CLUSTER_ACTION
  10, // DESCRIBE_CONFIGS
  11, // ALTER_CONFIGS
  12, // IDEMPOTENT_WRITE
];

/** Kafka's Utils.to32BitField. */
export const ALL_CLUSTER_OPERATIONS = CLUSTER_OPERATIONS.reduce((bits, op) => bits | (1 << op), 0);

export function handleDescribeCluster(
  broker: BrokerContext,
  req: DescribeClusterRequest,
  ctx: RequestContext,
): DescribeClusterResponse {
  const cache = broker.metadataCache;
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    clusterId: broker.clusterId() ?? '',
    controllerId: cache.controllerId,
    brokers: cache.aliveBrokerNodes(ctx.listenerName).map((b) => ({
      brokerId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack,
    })),
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
      ? ALL_CLUSTER_OPERATIONS
      : AUTHORIZED_OPERATIONS_OMITTED,
  };
}
