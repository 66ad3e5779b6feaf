/**
 * AlterPartition (key 56, formerly AlterIsr), partition leader -> controller.
 * Versions: 0.
 * v0: Kafka AlterPartition v1's fields with topic names: brokerId, brokerEpoch, per
 *     partition leaderEpoch, newIsr, leaderRecoveryState and partitionEpoch (in
 *     ZooKeeper mode the zkVersion of the partition state znode); response the
 *     state the controller committed.
 * Not implemented: topic ids and broker epochs per ISR member (v2-v3).
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, int8, string, struct } from '../schema';

export interface AlterPartitionRequestPartition {
  partitionIndex: number;
  leaderEpoch: number;
  newIsr: number[];
  /** 0 = RECOVERED, 1 = RECOVERING. */
  leaderRecoveryState: number;
  partitionEpoch: number;
}
export interface AlterPartitionRequestTopic {
  topicName: string;
  partitions: AlterPartitionRequestPartition[];
}
export interface AlterPartitionRequest {
  brokerId: number;
  brokerEpoch: number;
  topics: AlterPartitionRequestTopic[];
}
export interface AlterPartitionResponsePartition {
  partitionIndex: number;
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  isr: number[];
  leaderRecoveryState: number;
  partitionEpoch: number;
}
export interface AlterPartitionResponseTopic {
  topicName: string;
  partitions: AlterPartitionResponsePartition[];
}
export interface AlterPartitionResponse {
  throttleTimeMs: number;
  errorCode: number;
  topics: AlterPartitionResponseTopic[];
}

export const AlterPartitionApi = defineApi({
  apiKey: 56,
  name: 'AlterPartition',
  latest: {
    request: struct<AlterPartitionRequest>({
      brokerId: int32,
      brokerEpoch: int64,
      topics: array(
        struct<AlterPartitionRequestTopic>({
          topicName: string,
          partitions: array(
            struct<AlterPartitionRequestPartition>({
              partitionIndex: int32,
              leaderEpoch: int32,
              newIsr: array(int32),
              leaderRecoveryState: int8,
              partitionEpoch: int32,
            }),
          ),
        }),
      ),
    }),
    response: struct<AlterPartitionResponse>({
      throttleTimeMs: int32,
      errorCode: int16,
      topics: array(
        struct<AlterPartitionResponseTopic>({
          topicName: string,
          partitions: array(
            struct<AlterPartitionResponsePartition>({
              partitionIndex: int32,
              errorCode: int16,
              leaderId: int32,
              leaderEpoch: int32,
              isr: array(int32),
              leaderRecoveryState: int8,
              partitionEpoch: int32,
            }),
          ),
        }),
      ),
    }),
  },
});
