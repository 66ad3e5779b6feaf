/**
 * Kafka request and response headers.
 *   request v1: int16 apiKey, int16 apiVersion, int32 correlationId, INT16 nullable clientId
 *   request v2: v1 + tag buffer (used iff the request version is flexible; clientId
 *               stays an INT16 string so any broker can read any header)
 *   response v0: int32 correlationId
 *   response v1: v0 + tag buffer (flexible responses, except ApiVersions: always v0)
 */
import { KafkaReader } from './reader';
import { KafkaWriter } from './writer';

export interface KafkaRequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export const API_VERSIONS_KEY = 18;

/** Reads a request header; `version` 1 or 2. Throws KafkaDecodeError. */
export function readKafkaRequestHeader(r: KafkaReader, version: 1 | 2): KafkaRequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString(false);
  if (version === 2) r.skipTags();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function requestHeaderSize(h: KafkaRequestHeader, version: 1 | 2): number {
  return 10 + (h.clientId === null ? 0 : Buffer.byteLength(h.clientId)) + (version === 2 ? 1 : 0);
}

export function writeKafkaRequestHeader(
  w: KafkaWriter,
  h: KafkaRequestHeader,
  version: 1 | 2,
): void {
  w.int16(h.apiKey);
  w.int16(h.apiVersion);
  w.int32(h.correlationId);
  w.string(h.clientId, false);
  if (version === 2) w.uvarint(0);
}

/** Response header version: 1 for flexible responses except ApiVersions. */
export function responseHeaderVersion(apiKey: number, flexible: boolean): 0 | 1 {
  return flexible && apiKey !== API_VERSIONS_KEY ? 1 : 0;
}

export function responseHeaderSize(version: 0 | 1): number {
  return version === 1 ? 5 : 4;
}

export function writeKafkaResponseHeader(
  w: KafkaWriter,
  correlationId: number,
  version: 0 | 1,
): void {
  w.int32(correlationId);
  if (version === 1) w.uvarint(0);
}

export function readKafkaResponseHeader(r: KafkaReader, version: 0 | 1): number {
  const correlationId = r.int32();
  if (version === 1) r.skipTags();
  return correlationId;
}
