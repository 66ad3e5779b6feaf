/**
 * UpdateMetadata (key 6), controller -> every broker. Versions: 0.
 * v0: Kafka UpdateMetadata v5's content (ZooKeeper mode) with flat partition
 *     states: controllerId, controllerEpoch, brokerEpoch, partition states with
 *     offlineReplicas, and live brokers with one endpoint per listener (so a second,
 *     Kafka-protocol listener can be advertised) and rack; response errorCode.
 * A topic being deleted is sent with leader -2 (Kafka's LeaderDuringDelete), which
 * removes its partitions from the brokers' metadata caches.
 * Not implemented: topic ids.
 */
import { defineApi } from '../api';
import { array, int16, int32, int64, nullableString, string, struct } from '../schema';
import { controllerPartitionStateFields, type ControllerPartitionState } from './partition-state';

export interface UpdateMetadataPartitionState extends ControllerPartitionState {
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

export const UpdateMetadataApi = defineApi({
  apiKey: 6,
  name: 'UpdateMetadata',
  latest: {
    request: struct<UpdateMetadataRequest>({
      controllerId: int32,
      controllerEpoch: int32,
      brokerEpoch: int64,
      partitionStates: array(
        struct<UpdateMetadataPartitionState>({
          ...controllerPartitionStateFields,
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
