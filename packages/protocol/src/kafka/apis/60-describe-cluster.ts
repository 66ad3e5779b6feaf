/**
 * DescribeCluster (key 60) on the Kafka listener. Version 0 (flexible: request
 * header v2, compact types, tag buffers, response header v1).
 * v0: includeClusterAuthorizedOperations; response clusterId, controllerId,
 * brokers, clusterAuthorizedOperations.
 * Not implemented: v1+ (endpointType, includeFencedBrokers).
 */
import type {
  DescribeClusterBroker,
  DescribeClusterRequest,
  DescribeClusterResponse,
} from '../../apis/60-describe-cluster';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<DescribeClusterRequest>('DescribeClusterRequest', '0+', [
  { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
]);

const response = kafkaMessage<DescribeClusterResponse>('DescribeClusterResponse', '0+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  { name: 'clusterId', type: 'string', versions: '0+' },
  { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
  {
    name: 'brokers',
    type: arrayOf(
      structOf<DescribeClusterBroker>([
        { name: 'brokerId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ]),
    ),
    versions: '0+',
  },
  { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
]);

export const KafkaDescribeClusterApi = defineKafkaApi<
  DescribeClusterRequest,
  DescribeClusterResponse
>({
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (_req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: message,
    clusterId: '',
    controllerId: -1,
    brokers: [],
    clusterAuthorizedOperations: -2147483648,
  }),
});
