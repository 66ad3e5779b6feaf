/**
 * OffsetFetch (key 9) on the Kafka listener. Versions 1-5.
 * v1: offsets stored by the coordinator. v2: topics null = every committed
 * partition; response top-level errorCode. v3: throttleTimeMs. v4: same layout.
 * v5: committedLeaderEpoch.
 * Not implemented: v0 (ZooKeeper offsets), v6+ (flexible; requireStable, groups).
 * v1 cannot carry topics = null: a native null request encodes as [] there.
 */
import type {
  OffsetFetchRequest,
  OffsetFetchRequestTopic,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
} from '../../apis/09-offset-fetch';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<OffsetFetchRequest>('OffsetFetchRequest', '6+', [
  { name: 'groupId', type: 'string', versions: '0-7' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetFetchRequestTopic>([
        { name: 'name', type: 'string', versions: '0-7' },
        { name: 'partitionIndexes', type: arrayOf('int32'), versions: '0-7' },
      ]),
    ),
    versions: '0-7',
    nullableVersions: '2-7',
  },
  { name: 'requireStable', type: 'bool', versions: '7+', default: false },
]);

const response = kafkaMessage<OffsetFetchResponse>('OffsetFetchResponse', '6+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<OffsetFetchResponseTopic>([
        { name: 'name', type: 'string', versions: '0-7' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<OffsetFetchResponsePartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0-7' },
              { name: 'committedOffset', type: 'int64', versions: '0-7' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1 },
              { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
              { name: 'errorCode', type: 'int16', versions: '0-7' },
            ]),
          ),
          versions: '0-7',
        },
      ]),
    ),
    versions: '0-7',
  },
  { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
]);

export const KafkaOffsetFetchApi = defineKafkaApi<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 5,
  request,
  response,
  // v1 has no top-level error: Kafka copies it into every partition.
  responseFromNative: (n, v) =>
    v >= 2 || n.errorCode === 0
      ? n
      : {
          ...n,
          topics: n.topics.map((t) => ({
            ...t,
            partitions: t.partitions.map((p) => ({ ...p, errorCode: p.errorCode || n.errorCode })),
          })),
        },
  errorResponse: (req, errorCode, _message, v) => ({
    throttleTimeMs: 0,
    errorCode,
    topics:
      v >= 2
        ? []
        : (req?.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode,
            })),
          })),
  }),
});
