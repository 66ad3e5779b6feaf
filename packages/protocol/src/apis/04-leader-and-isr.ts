/**
 * LeaderAndIsr (key 4), controller -> broker. Versions: 0.
 * v0: Kafka LeaderAndIsr v1-v4's fields (ZooKeeper mode): controllerId,
 *     controllerEpoch, brokerEpoch (fencing of a restarted broker), one flat list of
 *     partition states carrying their topicName (Kafka's ungrouped form), and the
 *     live leaders' endpoints; response with one error per partition.
 * Not implemented: topic ids, the full/incremental `type` flag, adding/removing
 * replicas of reassignments, leaderRecoveryState.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, int64, string, struct } from '../schema';
import { controllerPartitionStateFields, type ControllerPartitionState } from './partition-state';

export interface LeaderAndIsrPartitionState extends ControllerPartitionState {
  /** True when the partition was just created (the replica may start an empty log). */
  isNew: boolean;
}
export interface LeaderAndIsrLiveLeader {
  brokerId: number;
  hostName: string;
  port: number;
}
export interface LeaderAndIsrRequest {
  controllerId: number;
  controllerEpoch: number;
  brokerEpoch: number;
  partitionStates: LeaderAndIsrPartitionState[];
  liveLeaders: LeaderAndIsrLiveLeader[];
}
export interface LeaderAndIsrPartitionError {
  topicName: string;
  partitionIndex: number;
  errorCode: number;
}
export interface LeaderAndIsrResponse {
  errorCode: number;
  partitionErrors: LeaderAndIsrPartitionError[];
}

export const LeaderAndIsrApi = defineApi({
  apiKey: 4,
  name: 'LeaderAndIsr',
  latest: {
    request: struct<LeaderAndIsrRequest>({
      controllerId: int32,
      controllerEpoch: int32,
      brokerEpoch: int64,
      partitionStates: array(
        struct<LeaderAndIsrPartitionState>({
          ...controllerPartitionStateFields,
          isNew: boolean,
        }),
      ),
      liveLeaders: array(
        struct<LeaderAndIsrLiveLeader>({ brokerId: int32, hostName: string, port: int32 }),
      ),
    }),
    response: struct<LeaderAndIsrResponse>({
      errorCode: int16,
      partitionErrors: array(
        struct<LeaderAndIsrPartitionError>({
          topicName: string,
          partitionIndex: int32,
          errorCode: int16,
        }),
      ),
    }),
  },
});
