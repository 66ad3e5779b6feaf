/**
 * UpdateMetadata (key 6), controller -> every broker. Versions: 0.
 * v0: Kafka UpdateMetadata v5's content (ZooKeeper mode) with flat partition
 *     states: controllerId, controllerEpoch, brokerEpoch, partition states with
 *     offlineReplicas, and live brokers with one endpoint per listener (so a second,
 *     Kafka-protocol listener can be advertised) and rack; response errorCode.
 * Not implemented: topic ids, deleted-topic markers (a deleted topic is simply
 * absent from the next full update).
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, nullableString, string, struct } from '../schema';

export interface UpdateMetadataPartitionState {
  topicName: string;
  partitionIndex: number;
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
  replicas: number[];
  offlineReplicas: number[];
}
export interface UpdateMetadataEndpoint {
  port: number;
  host: string;
  listener: string;
  /** Kafka's SecurityProtocol id: 0 = PLAINTEXT. */
  securityProtocol: number;
}
export interface UpdateMetadataBroker {
  id: number;
  endpoints: UpdateMetadataEndpoint[];
  rack: string | null;
}
export interface UpdateMetadataRequest {
  controllerId: number;
  controllerEpoch: number;
  brokerEpoch: number;
  partitionStates: UpdateMetadataPartitionState[];
  liveBrokers: UpdateMetadataBroker[];
}
export interface UpdateMetadataResponse {
  errorCode: number;
}

export const UpdateMetadataApi = defineApi<UpdateMetadataRequest, UpdateMetadataResponse>({
  apiKey: 6,
  name: 'UpdateMetadata',
  latest: {
    request: struct<UpdateMetadataRequest>({
      controllerId: int32,
      controllerEpoch: int32,
      brokerEpoch: int64,
      partitionStates: array(
        struct<UpdateMetadataPartitionState>({
          topicName: string,
          partitionIndex: int32,
          controllerEpoch: int32,
          leader: int32,
          leaderEpoch: int32,
          isr: array(int32),
          zkVersion: int32,
          replicas: array(int32),
          offlineReplicas: array(int32),
        }),
      ),
      liveBrokers: array(
        struct<UpdateMetadataBroker>({
          id: int32,
          endpoints: array(
            struct<UpdateMetadataEndpoint>({
              port: int32,
              host: string,
              listener: string,
              securityProtocol: int16,
            }),
          ),
          rack: nullableString,
        }),
      ),
    }),
    response: struct<UpdateMetadataResponse>({ errorCode: int16 }),
  },
});
