/**
 * ControlledShutdown (key 7), broker -> controller. Versions: 0.
 * v0: Kafka ControlledShutdown v3's fields: brokerId, brokerEpoch; response
 *     errorCode and the partitions whose leadership could not be moved yet.
 * Not implemented: nothing of v3.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, string, struct } from '../schema';

export interface ControlledShutdownRequest {
  brokerId: number;
  brokerEpoch: number;
}
export interface RemainingPartition {
  topicName: string;
  partitionIndex: number;
}
export interface ControlledShutdownResponse {
  errorCode: number;
  remainingPartitions: RemainingPartition[];
}

export const ControlledShutdownApi = defineApi({
  apiKey: 7,
  name: 'ControlledShutdown',
  latest: {
    request: struct<ControlledShutdownRequest>({ brokerId: int32, brokerEpoch: int64 }),
    response: struct<ControlledShutdownResponse>({
      errorCode: int16,
      remainingPartitions: array(
        struct<RemainingPartition>({ topicName: string, partitionIndex: int32 }),
      ),
    }),
  },
});
