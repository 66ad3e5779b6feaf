/**
 * The partition leader's side of WriteTxnMarkers: one control batch (COMMIT or ABORT
 * marker, Kafka's control record format) per producer and partition, appended as
 * leader with acks=all and origin `coordinator`; per partition the append's error.
 */
import { ErrorCode } from '@kzoo/common';
import { buildEndTxnMarkerBatch } from '@kzoo/records';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '@kzoo/protocol';
import type { ReplicaManager } from '../../server/ReplicaManager';

/** Kafka's request.timeout.ms for marker appends. */
const MARKER_APPEND_TIMEOUT_MS = 30000;

export async function writeTxnMarkers(
  replicaManager: ReplicaManager,
  req: WriteTxnMarkersRequest,
  now: number,
): Promise<WriteTxnMarkersResponse> {
  const markers = await Promise.all(
    req.markers.map(async (m) => {
      const batch = () =>
        buildEndTxnMarkerBatch({
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          coordinatorEpoch: m.coordinatorEpoch,
          commit: m.transactionResult,
          timestamp: now,
        });
      const res = await replicaManager.appendRecords(
        -1,
        MARKER_APPEND_TIMEOUT_MS,
        m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((index) => ({ index, records: batch() })),
        })),
        'coordinator',
      );
      return {
        producerId: m.producerId,
        topics: res.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.index,
            errorCode: p.errorCode < 0 ? ErrorCode.UNKNOWN_SERVER_ERROR : p.errorCode,
          })),
        })),
      };
    }),
  );
  return { markers };
}
