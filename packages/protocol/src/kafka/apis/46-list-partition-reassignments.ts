/**
 * ListPartitionReassignments (key 46) on the Kafka listener. Version 0 (flexible, as
 * Kafka's ListPartitionReassignmentsRequest.json: "flexibleVersions": "0+").
 * v0: timeoutMs; topics with partition indexes (null = every moving partition).
 * Not implemented: nothing of v0.
 */
import type {
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
  ListPartitionReassignmentsTopics,
  OngoingPartitionReassignment,
  OngoingTopicReassignment,
} from '../../apis/46-list-partition-reassignments';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ListPartitionReassignmentsRequest>(
  'ListPartitionReassignmentsRequest',
  '0+',
  [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'topics',
      type: arrayOf(
        structOf<ListPartitionReassignmentsTopics>([
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: arrayOf('int32'), versions: '0+' },
        ]),
      ),
      versions: '0+',
      nullableVersions: '0+',
      default: null,
    },
  ],
);

const response = kafkaMessage<ListPartitionReassignmentsResponse>(
  'ListPartitionReassignmentsResponse',
  '0+',
  [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    {
      name: 'topics',
      type: arrayOf(
        structOf<OngoingTopicReassignment>([
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: arrayOf(
              structOf<OngoingPartitionReassignment>([
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'replicas', type: arrayOf('int32'), versions: '0+' },
                { name: 'addingReplicas', type: arrayOf('int32'), versions: '0+' },
                { name: 'removingReplicas', type: arrayOf('int32'), versions: '0+' },
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

export const KafkaListPartitionReassignmentsApi = defineKafkaApi<
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse
>({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  request,
  response,
  errorResponse: (_req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    errorMessage: message,
    topics: [],
  }),
});
