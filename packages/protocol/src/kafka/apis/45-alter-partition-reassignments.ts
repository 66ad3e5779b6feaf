/**
 * AlterPartitionReassignments (key 45) on the Kafka listener. Version 0 (flexible, as
 * Kafka's AlterPartitionReassignmentsRequest.json: "flexibleVersions": "0+").
 * v0: timeoutMs; per topic, partitions with target replicas (null = cancel).
 * Not implemented: nothing of v0.
 */
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ReassignablePartition,
  ReassignablePartitionResponse,
  ReassignableTopic,
  ReassignableTopicResponse,
} from '../../apis/45-alter-partition-reassignments';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<AlterPartitionReassignmentsRequest>(
  'AlterPartitionReassignmentsRequest',
  '0+',
  [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'topics',
      type: arrayOf(
        structOf<ReassignableTopic>([
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: arrayOf(
              structOf<ReassignablePartition>([
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                {
                  name: 'replicas',
                  type: arrayOf('int32'),
                  versions: '0+',
                  nullableVersions: '0+',
                  default: null,
                },
              ]),
            ),
            versions: '0+',
          },
        ]),
      ),
      versions: '0+',
    },
  ],
);

const response = kafkaMessage<AlterPartitionReassignmentsResponse>(
  'AlterPartitionReassignmentsResponse',
  '0+',
  [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'responses',
      type: arrayOf(
        structOf<ReassignableTopicResponse>([
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: arrayOf(
              structOf<ReassignablePartitionResponse>([
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
              ]),
            ),
            versions: '0+',
          },
        ]),
      ),
      versions: '0+',
    },
  ],
);

export const KafkaAlterPartitionReassignmentsApi = defineKafkaApi<
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse
>({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: message,
    responses: (req?.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode,
        errorMessage: message,
      })),
    })),
  }),
});
