/**
 * SaslAuthenticate (key 36), Kafka listener only (no native API). Versions 0-1.
 * v0: authBytes (one SASL token); response errorCode, errorMessage, authBytes.
 * v1: response sessionLifetimeMs.
 * Not implemented: v2 (flexible).
 */
import { defineKafkaApi } from '../api';
import { kafkaMessage } from '../schema';

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}
export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

const request = kafkaMessage<SaslAuthenticateRequest>('SaslAuthenticateRequest', '2+', [
  { name: 'authBytes', type: 'bytes', versions: '0+' },
]);

const response = kafkaMessage<SaslAuthenticateResponse>('SaslAuthenticateResponse', '2+', [
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'authBytes', type: 'bytes', versions: '0+' },
  { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
]);

export const KafkaSaslAuthenticateApi = defineKafkaApi<
  SaslAuthenticateRequest,
  SaslAuthenticateResponse
>({
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (_req, errorCode, message) => ({
    errorCode,
    errorMessage: message,
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  }),
});
