/**
 * ElectLeaders (key 43) on the Kafka listener. Versions 0-1.
 * v0: topicPartitions (null = all), timeoutMs; always a preferred election
 * (electionType 0). v1: electionType, response top-level errorCode.
 * Not implemented: v2 (flexible).
 */
import type {
  ElectLeadersPartitionResult,
  ElectLeadersReplicaElectionResult,
  ElectLeadersRequest,
  ElectLeadersResponse,
  ElectLeadersTopicPartitions,
} from '../../apis/43-elect-leaders';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const request = kafkaMessage<ElectLeadersRequest>('ElectLeadersRequest', '2+', [
  { name: 'electionType', type: 'int8', versions: '1+', default: 0 },
  {
    name: 'topicPartitions',
    type: arrayOf(
      structOf<ElectLeadersTopicPartitions>([
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: arrayOf('int32'), versions: '0+' },
      ]),
    ),
    versions: '0+',
    nullableVersions: '0+',
  },
  { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
]);

const response = kafkaMessage<ElectLeadersResponse>('ElectLeadersResponse', '2+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '1+', default: 0 },
  {
    name: 'replicaElectionResults',
    type: arrayOf(
      structOf<ElectLeadersReplicaElectionResult>([
        { name: 'topic', type: 'string', versions: '0+' },
        {
          name: 'partitionResult',
          type: arrayOf(
            structOf<ElectLeadersPartitionResult>([
              { name: 'partitionId', type: 'int32', versions: '0+' },
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
]);

export const KafkaElectLeadersApi = defineKafkaApi<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  name: 'ElectLeaders',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    errorCode,
    replicaElectionResults: (req?.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({
        partitionId,
        errorCode,
        errorMessage: message,
      })),
    })),
  }),
});
