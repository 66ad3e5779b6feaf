/**
 * OffsetForLeaderEpoch (key 23) on the Kafka listener. Versions 0-3.
 * v0: per partition leaderEpoch; response errorCode, endOffset. v1: response
 * leaderEpoch. v2: currentLeaderEpoch, throttleTimeMs. v3: replicaId.
 * Below v3 the request maps to replicaId -1 (consumer; Kafka's default is -2,
 * "debugging"). Not implemented: v4 (flexible).
 */
import type {
  EpochEndOffset,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderPartition,
  OffsetForLeaderTopic,
  OffsetForLeaderTopicResult,
} from '../../apis/23-offset-for-leader-epoch';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<OffsetForLeaderEpochRequest>('OffsetForLeaderEpochRequest', '4+', [
  { name: 'replicaId', type: 'int32', versions: '3+', default: -1 },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetForLeaderTopic>([
        { name: 'topic', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<OffsetForLeaderPartition>([
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

const response = kafkaMessage<OffsetForLeaderEpochResponse>('OffsetForLeaderEpochResponse', '4+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetForLeaderTopicResult>([
        { name: 'topic', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<EpochEndOffset>([
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
              { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaOffsetForLeaderEpochApi = defineKafkaApi<
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse
>({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 3,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: (req?.topics ?? []).map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        errorCode,
        partition: p.partition,
        leaderEpoch: -1,
        endOffset: -1,
      })),
    })),
  }),
});
