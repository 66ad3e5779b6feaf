/**
 * StopReplica (key 5), controller -> broker. Versions: 0.
 * v0: Kafka StopReplica v3's content (ZooKeeper mode) in flat form: controllerId,
 *     controllerEpoch, brokerEpoch, and per partition topicName, partitionIndex,
 *     leaderEpoch (-1 = no fencing, -2 = the topic is being deleted) and
 *     deletePartition; response with one error per partition.
 * Not implemented: topic ids.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, int64, string, struct } from '../schema';

export interface StopReplicaPartition {
  topicName: string;
  partitionIndex: number;
  leaderEpoch: number;
  deletePartition: boolean;
}
export interface StopReplicaRequest {
  controllerId: number;
  controllerEpoch: number;
  brokerEpoch: number;
  partitions: StopReplicaPartition[];
}
export interface StopReplicaPartitionError {
  topicName: string;
  partitionIndex: number;
  errorCode: number;
}
export interface StopReplicaResponse {
  errorCode: number;
  partitionErrors: StopReplicaPartitionError[];
}

export const StopReplicaApi = defineApi({
  apiKey: 5,
  name: 'StopReplica',
  latest: {
    request: struct<StopReplicaRequest>({
      controllerId: int32,
      controllerEpoch: int32,
      brokerEpoch: int64,
      partitions: array(
        struct<StopReplicaPartition>({
          topicName: string,
          partitionIndex: int32,
          leaderEpoch: int32,
          deletePartition: boolean,
        }),
      ),
    }),
    response: struct<StopReplicaResponse>({
      errorCode: int16,
      partitionErrors: array(
        struct<StopReplicaPartitionError>({
          topicName: string,
          partitionIndex: int32,
          errorCode: int16,
        }),
      ),
    }),
  },
});
