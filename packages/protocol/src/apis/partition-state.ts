/**
 * The partition state the controller sends in LeaderAndIsr (4) and UpdateMetadata (6):
 * the content of `/brokers/topics/<t>/partitions/<p>/state` plus the assignment. Kafka
 * defines it twice (LeaderAndIsrPartitionState, UpdateMetadataPartitionState); the shared
 * fields live here once and each API adds its own.
 */
import { array, int32, string, type Fields } from '../schema';

export interface ControllerPartitionState {
  topicName: string;
  partitionIndex: number;
  /** Epoch of the controller that made the leadership decision. */
  controllerEpoch: number;
  /** Broker id; -1 no leader; -2 (UpdateMetadata) the topic is being deleted. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** The zkVersion of the partition's state znode, used for conditional ISR updates. */
  zkVersion: number;
  replicas: number[];
}

export const controllerPartitionStateFields: Fields<ControllerPartitionState> = {
  topicName: string,
  partitionIndex: int32,
  controllerEpoch: int32,
  leader: int32,
  leaderEpoch: int32,
  isr: array(int32),
  zkVersion: int32,
  replicas: array(int32),
};
