/**
 * Fetch (key 1) on the Kafka listener. Versions 4-11.
 * v4: isolationLevel, lastStableOffset, abortedTransactions. v5: logStartOffset
 * (request and response). v6: same layout. v7: fetch sessions (sessionId,
 * sessionEpoch, forgottenTopicsData; response errorCode, sessionId). v8: same
 * layout. v9: currentLeaderEpoch. v10: same layout (zstd). v11: rackId, response
 * preferredReadReplica.
 * Not implemented: fetch sessions (sessionId/sessionEpoch/forgottenTopicsData and
 * rackId are read and dropped; the response always says sessionId 0, i.e. no
 * session), preferred read replica (always -1). abortedTransactions: null for
 * READ_UNCOMMITTED, the list for READ_COMMITTED.
 * v12+ (flexible, topic ids) not advertised.
 */
import type {
  FetchRequest,
  FetchRequestPartition,
  FetchRequestTopic,
  FetchResponse,
  FetchResponsePartition,
  FetchResponseTopic,
} from '../../apis/01-fetch';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const EMPTY = Buffer.alloc(0);

type KafkaFetchRequest = FetchRequest & {
  sessionId?: number;
  sessionEpoch?: number;
  forgottenTopicsData?: unknown[];
  rackId?: string;
};
type KafkaFetchPartition = FetchRequestPartition & { lastFetchedEpoch?: number };

const request = kafkaMessage<KafkaFetchRequest>('FetchRequest', '12+', [
  { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
  { name: 'maxWaitMs', type: 'int32', versions: '0+' },
  { name: 'minBytes', type: 'int32', versions: '0+' },
  { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff },
  { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
  { name: 'sessionId', type: 'int32', versions: '7+', default: 0, drop: true },
  { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1, drop: true },
  {
    name: 'topics',
    type: arrayOf(
      structOf<FetchRequestTopic>([
        { name: 'topic', type: 'string', versions: '0-12' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<KafkaFetchPartition>([
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
              { name: 'fetchOffset', type: 'int64', versions: '0+' },
              { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1, drop: true },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
            ]),
          ),
          versions: '0+',
        },
      ]),
    ),
    versions: '0+',
  },
  {
    name: 'forgottenTopicsData',
    type: arrayOf(
      structOf<{ topic: string; partitions: number[] }>([
        { name: 'topic', type: 'string', versions: '7-12' },
        { name: 'partitions', type: arrayOf('int32'), versions: '7+' },
      ]),
    ),
    versions: '7+',
    drop: true,
  },
  { name: 'rackId', type: 'string', versions: '11+', default: '', drop: true },
]);

type KafkaFetchResponse = FetchResponse & { sessionId?: number };
type KafkaFetchResponsePartition = FetchResponsePartition & {
  preferredReadReplica?: number;
};

const response = kafkaMessage<KafkaFetchResponse>('FetchResponse', '12+', [
  { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  { name: 'errorCode', type: 'int16', versions: '7+', default: 0 },
  { name: 'sessionId', type: 'int32', versions: '7+', default: 0, drop: true },
  {
    name: 'responses',
    type: arrayOf(
      structOf<FetchResponseTopic>([
        { name: 'topic', type: 'string', versions: '0-12' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<KafkaFetchResponsePartition>([
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'highWatermark', type: 'int64', versions: '0+' },
              { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              {
                name: 'abortedTransactions',
                type: arrayOf(
                  structOf<{ producerId: number; firstOffset: number }>([
                    { name: 'producerId', type: 'int64', versions: '4+' },
                    { name: 'firstOffset', type: 'int64', versions: '4+' },
                  ]),
                ),
                versions: '4+',
                nullableVersions: '4+',
                default: null,
              },
              {
                name: 'preferredReadReplica',
                type: 'int32',
                versions: '11+',
                default: -1,
                drop: true,
              },
              {
                name: 'records',
                type: 'records',
                versions: '0+',
                nullableVersions: '0+',
                nullAs: EMPTY,
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

export const KafkaFetchApi = defineKafkaApi<FetchRequest, FetchResponse>({
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  request,
  response,
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    responses: (req?.topics ?? []).map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition,
        errorCode,
        highWatermark: -1,
        lastStableOffset: -1,
        logStartOffset: -1,
        records: EMPTY,
      })),
    })),
  }),
});
