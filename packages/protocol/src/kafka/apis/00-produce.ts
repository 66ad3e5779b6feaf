/**
 * Produce (key 0) on the Kafka listener. Versions 3-8 (RecordBatch v2 only).
 * v3: transactionalId. v4: same layout (KAFKA_STORAGE_ERROR). v5: response
 * logStartOffset. v6: same layout. v7: zstd allowed. v8: response recordErrors and
 * errorMessage per partition.
 * Not implemented: v0-2 (MessageSet), v9+ (flexible). recordErrors are always written
 * empty (the native response has none). A null records field decodes as empty bytes.
 * Records are views of the frame (no copy).
 */
import type {
  ProduceRequest,
  ProduceRequestPartition,
  ProduceRequestTopic,
  ProduceResponse,
  ProduceResponsePartition,
  ProduceResponseTopic,
} from '../../apis/00-produce';
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage, structOf } from '../schema';

const EMPTY = Buffer.alloc(0);

const request = kafkaMessage<ProduceRequest>('ProduceRequest', '9+', [
  {
    name: 'transactionalId',
    type: 'string',
    versions: '3+',
    nullableVersions: '3+',
    default: null,
  },
  { name: 'acks', type: 'int16', versions: '0+' },
  { name: 'timeoutMs', type: 'int32', versions: '0+' },
  {
    name: 'topics',
    type: arrayOf(
      structOf<ProduceRequestTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<ProduceRequestPartition>([
              { name: 'index', type: 'int32', versions: '0+' },
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

type KafkaProducePartition = ProduceResponsePartition & { recordErrors?: unknown[] };

const response = kafkaMessage<ProduceResponse>('ProduceResponse', '9+', [
  {
    name: 'topics',
    type: arrayOf(
      structOf<ProduceResponseTopic>([
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: arrayOf(
            structOf<KafkaProducePartition>([
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'baseOffset', type: 'int64', versions: '0+' },
              { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
              {
                name: 'recordErrors',
                type: arrayOf(
                  structOf<{ batchIndex: number; batchIndexErrorMessage: string | null }>([
                    { name: 'batchIndex', type: 'int32', versions: '8+' },
                    {
                      name: 'batchIndexErrorMessage',
                      type: 'string',
                      versions: '8+',
                      nullableVersions: '8+',
                      default: null,
                    },
                  ]),
                ),
                versions: '8+',
                drop: true,
              },
              {
                name: 'errorMessage',
                type: 'string',
                versions: '8+',
                nullableVersions: '8+',
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
  { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
]);

export const KafkaProduceApi = defineKafkaApi<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 8,
  request,
  response,
  errorResponse: (req, errorCode, message) => ({
    throttleTimeMs: 0,
    topics: (req?.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        errorMessage: message,
      })),
    })),
  }),
});
