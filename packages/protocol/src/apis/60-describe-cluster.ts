/**
 * DescribeCluster (key 60). Versions: 0.
 * v0: Kafka DescribeCluster v0's fields: includeClusterAuthorizedOperations;
 *     response errorCode/errorMessage, clusterId, controllerId, the live brokers
 *     (id, host, port, rack) and clusterAuthorizedOperations.
 * Not implemented: endpointType and includeFencedBrokers (Kafka v1, v2).
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, nullableString, string, struct } from '../schema';

export interface DescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
}
export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
}
export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterBroker[];
  clusterAuthorizedOperations: number;
}

export const DescribeClusterApi = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  latest: {
    request: struct<DescribeClusterRequest>({ includeClusterAuthorizedOperations: boolean }),
    response: struct<DescribeClusterResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      errorMessage: nullableString,
      clusterId: string,
      controllerId: int32,
      brokers: array(
        struct<DescribeClusterBroker>({
          brokerId: int32,
          host: string,
          port: int32,
          rack: nullableString,
        }),
      ),
      clusterAuthorizedOperations: int32,
    }),
  },
});
