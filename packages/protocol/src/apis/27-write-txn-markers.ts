/**
 * WriteTxnMarkers (key 27). Versions: 0.
 * v0: Kafka WriteTxnMarkers v1's fields: per producer the markers a transaction
 *     coordinator asks a partition leader to append (transactionResult true = COMMIT,
 *     false = ABORT; coordinatorEpoch); response per partition errorCode.
 *     Inter-broker only.
 */
import { defineApi } from '../api';
import { array, boolean, int16, int32, int64, string, struct } from '../schema';

export interface WritableTxnMarkerTopic {
  name: string;
  partitionIndexes: number[];
}
export interface WritableTxnMarker {
  producerId: number;
  producerEpoch: number;
  transactionResult: boolean;
  topics: WritableTxnMarkerTopic[];
  coordinatorEpoch: number;
}
export interface WriteTxnMarkersRequest {
  markers: WritableTxnMarker[];
}
export interface WritableTxnMarkerPartitionResult {
  partitionIndex: number;
  errorCode: number;
}
export interface WritableTxnMarkerTopicResult {
  name: string;
  partitions: WritableTxnMarkerPartitionResult[];
}
export interface WritableTxnMarkerResult {
  producerId: number;
  topics: WritableTxnMarkerTopicResult[];
}
export interface WriteTxnMarkersResponse {
  markers: WritableTxnMarkerResult[];
}

export const WriteTxnMarkersApi = defineApi({
  apiKey: 27,
  name: 'WriteTxnMarkers',
  latest: {
    request: struct<WriteTxnMarkersRequest>({
      markers: array(
        struct<WritableTxnMarker>({
          producerId: int64,
          producerEpoch: int16,
          transactionResult: boolean,
          topics: array(
            struct<WritableTxnMarkerTopic>({ name: string, partitionIndexes: array(int32) }),
          ),
          coordinatorEpoch: int32,
        }),
      ),
    }),
    response: struct<WriteTxnMarkersResponse>({
      markers: array(
        struct<WritableTxnMarkerResult>({
          producerId: int64,
          topics: array(
            struct<WritableTxnMarkerTopicResult>({
              name: string,
              partitions: array(
                struct<WritableTxnMarkerPartitionResult>({
                  partitionIndex: int32,
                  errorCode: int16,
                }),
              ),
            }),
          ),
        }),
      ),
    }),
  },
});
