/**
 * OffsetCommit (key 8) on the Kafka listener. Versions 2-7.
 * v2: retentionTimeMs (read and ignored, as Kafka does since 2.1). v3:
 * throttleTimeMs. v4: same layout. v5: retentionTimeMs removed. v6:
 * committedLeaderEpoch. v7: groupInstanceId.
 * Not implemented: v0-1 (ZooKeeper-stored offsets, commitTimestamp), v8+ (flexible).
 */
import type {
  OffsetCommitRequest,
  OffsetCommitRequestPartition,
  OffsetCommitRequestTopic,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
  OffsetCommitResponseTopic,
} from '../../apis/08-offset-commit';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

type KafkaOffsetCommitRequest = OffsetCommitRequest & { retentionTimeMs?: number };
type KafkaOffsetCommitPartition = OffsetCommitRequestPartition & { commitTimestamp?: number };

const request = kafkaMessage<KafkaOffsetCommitRequest>('OffsetCommitRequest', '8+', [
  { name: 'groupId', type: 'string', versions: '0+' },
  { name: 'generationId', type: 'int32', versions: '1+', default: -1 },
  { name: 'memberId', type: 'string', versions: '1+' },
  {
    name: 'groupInstanceId',
    type: 'string',
    versions: '7+',
    nullableVersions: '7+',
    default: null,
  },
  { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1, drop: true },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetCommitRequestTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<KafkaOffsetCommitPartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'committedOffset', type: 'int64', versions: '0+' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
              { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1, drop: true },
              { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

const response = kafkaMessage<OffsetCommitResponse>('OffsetCommitResponse', '8+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetCommitResponseTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<OffsetCommitResponsePartition>([
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

export const KafkaOffsetCommitApi = defineKafkaApi<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 7,
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
