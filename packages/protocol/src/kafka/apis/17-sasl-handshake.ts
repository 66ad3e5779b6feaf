/**
 * SaslHandshake (key 17), Kafka listener only (no native API). Versions 0-1.
 * v0: mechanism; the SASL tokens follow as raw frames. v1: tokens travel in
 * SaslAuthenticate requests (same layout).
 * Not implemented: nothing of v1 (the protocol has no later version).
 */
import { defineKafkaApi } from '../api';
import { arrayOf, kafkaMessage } from '../schema';

export interface SaslHandshakeRequest {
  mechanism: string;
}
export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

const request = kafkaMessage<SaslHandshakeRequest>('SaslHandshakeRequest', 'none', [
  { name: 'mechanism', type: 'string', versions: '0+' },
]);

const response = kafkaMessage<SaslHandshakeResponse>('SaslHandshakeResponse', 'none', [
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'mechanisms', type: arrayOf('string'), versions: '0+' },
]);

export const KafkaSaslHandshakeApi = defineKafkaApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  request,
  response,
  errorResponse: (_req, errorCode) => ({ errorCode, mechanisms: [] }),
});
