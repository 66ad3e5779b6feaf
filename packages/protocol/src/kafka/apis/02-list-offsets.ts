/**
 * ListOffsets (key 2) on the Kafka listener. Versions 1-5.
 * v1: one timestamp/offset per partition (v0's offset list is gone). v2:
 * isolationLevel, throttleTimeMs. v3: same layout. v4: currentLeaderEpoch, response
 * leaderEpoch. v5: same layout.
 * Not implemented: v0 (maxNumOffsets/oldStyleOffsets), v6+ (flexible).
 */
import type {
  ListOffsetsRequest,
  ListOffsetsRequestPartition,
  ListOffsetsRequestTopic,
  ListOffsetsResponse,
  ListOffsetsResponsePartition,
  ListOffsetsResponseTopic,
} from '../../apis/02-list-offsets';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ListOffsetsRequest>('ListOffsetsRequest', '6+', [
  { name: 'replicaId', type: 'int32', versions: '0+' },
  { name: 'isolationLevel', type: 'int8', versions: '2+', default: 0 },
  {
    name: 'topics',
    type: arrayOf(
      structOf<ListOffsetsRequestTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<ListOffsetsRequestPartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
              { name: 'timestamp', type: 'int64', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

const response = kafkaMessage<ListOffsetsResponse>('ListOffsetsResponse', '6+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<ListOffsetsResponseTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<ListOffsetsResponsePartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
              { name: 'offset', type: 'int64', versions: '1+', default: -1 },
              { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
]);

export const KafkaListOffsetsApi = defineKafkaApi<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 5,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: (req?.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        timestamp: -1,
        offset: -1,
        leaderEpoch: -1,
      })),
    })),
  }),
});
