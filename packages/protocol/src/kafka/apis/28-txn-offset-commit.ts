/**
 * TxnOffsetCommit (key 28) on the Kafka listener. Versions 0-2.
 * v0: transactionalId, groupId, producerId, producerEpoch, topics with committedOffset
 * and committedMetadata; response per partition errorCode. v1: same layout. v2:
 * committedLeaderEpoch.
 * Not implemented: v3 (flexible; generationId, memberId, groupInstanceId: the native
 * request gets -1, '' and null).
 */
import type {
  TxnOffsetCommitRequest,
  TxnOffsetCommitRequestPartition,
  TxnOffsetCommitRequestTopic,
  TxnOffsetCommitResponse,
  TxnOffsetCommitResponsePartition,
  TxnOffsetCommitResponseTopic,
} from '../../apis/28-txn-offset-commit';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<TxnOffsetCommitRequest>('TxnOffsetCommitRequest', '3+', [
  { name: 'transactionalId', type: 'string', versions: '0+' },
  { name: 'groupId', type: 'string', versions: '0+' },
  { name: 'producerId', type: 'int64', versions: '0+' },
  { name: 'producerEpoch', type: 'int16', versions: '0+' },
  { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
  { name: 'memberId', type: 'string', versions: '3+', default: '' },
  {
    name: 'groupInstanceId',
    type: 'string',
    versions: '3+',
    nullableVersions: '3+',
    default: null,
  },
  {
    name: 'topics',
    type: arrayOf(
      structOf<TxnOffsetCommitRequestTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<TxnOffsetCommitRequestPartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'committedOffset', type: 'int64', versions: '0+' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
              {
                name: 'committedMetadata',
                type: 'string',
                versions: '0+',
                nullableVersions: '0+',
              },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

const response = kafkaMessage<TxnOffsetCommitResponse>('TxnOffsetCommitResponse', '3+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<TxnOffsetCommitResponseTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<TxnOffsetCommitResponsePartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaTxnOffsetCommitApi = defineKafkaApi<
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse
>({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  minVersion: 0,
  maxVersion: 2,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: (req?.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  }),
});
