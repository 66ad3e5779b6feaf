// kafka: Apache Kafka's binary wire protocol over kzoo's native request/response types.
//   reader.ts, writer.ts  primitive types;  schema.ts  the message DSL and its walker
//   headers.ts  request/response headers;  apis/  one file per API;  index.ts  entry points
import type { KafkaError } from '@kzoo/common';
import type { ApiVersionRange } from '../api';
import { RequestDecodeError } from '../messages';
import type { KafkaApi } from './api';
import { KAFKA_APIS } from './apis';
import {
  API_VERSIONS_KEY,
  readKafkaRequestHeader,
  readKafkaResponseHeader,
  requestHeaderSize,
  responseHeaderSize,
  responseHeaderVersion,
  writeKafkaRequestHeader,
  writeKafkaResponseHeader,
  type KafkaRequestHeader,
} from './headers';
import { KafkaDecodeError, KafkaReader } from './reader';
import { KafkaWriter } from './writer';
import * as reader from './reader';
import * as writer from './writer';
import * as schema from './schema';
import * as apis from './apis';

export type { KafkaRequestHeader } from './headers';
export type { KafkaApi } from './api';

type AnyApi = KafkaApi<unknown, unknown>;
const BY_KEY = new Map<number, AnyApi>(KAFKA_APIS.map((a) => [a.apiKey, a as unknown as AnyApi]));

/** The (apiKey, min, max) table ApiVersions advertises on the Kafka listener, sorted by key. */
export const KAFKA_API_VERSIONS: ReadonlyArray<ApiVersionRange> = KAFKA_APIS.map((a) => ({
  apiKey: a.apiKey,
  minVersion: a.minVersion,
  maxVersion: a.maxVersion,
}));

const UNSUPPORTED_VERSION = 35;

/**
 * A RequestDecodeError without a stack trace: a hostile peer can make thousands a
 * second, and the message already names the API, version and field path.
 */
function requestDecodeError(
  ...args: ConstructorParameters<typeof RequestDecodeError>
): RequestDecodeError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new RequestDecodeError(...args);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function kafkaSupports(apiKey: number, apiVersion: number): boolean {
  const api = BY_KEY.get(apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

function apiAt(apiKey: number, apiVersion: number): AnyApi {
  const api = BY_KEY.get(apiKey);
  if (!api || apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new RangeError(`Kafka API ${apiKey} v${apiVersion} is not supported`);
  }
  return api;
}

/** Header version of a request: 2 iff the request version is flexible (ApiVersions >= 3 too). */
function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  const api = BY_KEY.get(apiKey);
  if (!api) return 1;
  return api.request.isFlexible(apiVersion) ? 2 : 1;
}

/**
 * Decodes a Kafka request frame (the payload after the int32 size) into the native
 * request type. Throws RequestDecodeError: answerable UNSUPPORTED_VERSION for an
 * ApiVersions version we do not know (reply with encodeKafkaErrorResponse); not
 * answerable (close the connection) for anything else that does not decode.
 */
export function decodeKafkaRequest(frame: Buffer): { header: KafkaRequestHeader; body: unknown } {
  if (frame.length < 10) {
    throw requestDecodeError(
      'INVALID_REQUEST',
      `frame of ${frame.length} bytes is shorter than a Kafka request header`,
      false,
    );
  }
  const apiKey = getInt16(frame, 0);
  const apiVersion = getInt16(frame, 2);
  const correlationId = getInt32(frame, 4);
  const api = BY_KEY.get(apiKey);
  const supported = kafkaSupports(apiKey, apiVersion);
  const name = api ? api.name : `apiKey ${apiKey}`;
  const r = new KafkaReader(frame);
  let header: KafkaRequestHeader;
  try {
    const hv =
      apiKey === API_VERSIONS_KEY && apiVersion >= 3 ? 2 : requestHeaderVersion(apiKey, apiVersion);
    header = readKafkaRequestHeader(r, supported || apiKey === API_VERSIONS_KEY ? hv : 1);
  } catch (e) {
    if (!(e instanceof KafkaDecodeError)) throw e;
    throw requestDecodeError(
      'INVALID_REQUEST',
      `${name} v${apiVersion} request header: ${e.message}`,
      false,
      apiKey,
      apiVersion,
      correlationId,
    );
  }
  if (!api || !supported) {
    throw requestDecodeError(
      'UNSUPPORTED_VERSION',
      api
        ? `${name} v${apiVersion} is not supported (versions ${api.minVersion}-${api.maxVersion})`
        : `unknown apiKey ${apiKey}`,
      apiKey === API_VERSIONS_KEY && apiVersion > api!.maxVersion,
      apiKey,
      apiVersion,
      correlationId,
    );
  }
  let body: unknown;
  try {
    const flexible = api.request.isFlexible(apiVersion);
    const kafka = api.request.read(r, apiVersion) as Record<string, unknown>;
    if (flexible && r.remaining !== 0) {
      throw new KafkaDecodeError('', `${r.remaining} trailing bytes after the body`);
    }
    body = api.requestToNative ? api.requestToNative(kafka, apiVersion) : kafka;
  } catch (e) {
    if (!(e instanceof KafkaDecodeError)) throw e;
    throw requestDecodeError(
      'INVALID_REQUEST',
      `${name} v${apiVersion} request: ${e.message}`,
      false,
      apiKey,
      apiVersion,
      correlationId,
    );
  }
  return { header, body };
}

function frameOf(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  api: AnyApi,
  kafkaBody: unknown,
): Buffer {
  const hv = responseHeaderVersion(apiKey, api.response.isFlexible(apiVersion));
  const size = responseHeaderSize(hv) + api.response.sizeOf(kafkaBody, apiVersion);
  const frame = Buffer.allocUnsafe(4 + size);
  const w = new KafkaWriter(frame);
  w.int32(size);
  writeKafkaResponseHeader(w, correlationId, hv);
  api.response.write(w, kafkaBody, apiVersion);
  if (w.pos !== frame.length)
    throw new Error(`${api.name} v${apiVersion}: size ${frame.length} != written ${w.pos}`);
  return frame;
}

/**
 * Encodes a native response as a whole Kafka frame (int32 size prefix included), in
 * one Buffer; record bytes are copied once.
 */
export function encodeKafkaResponse(header: KafkaRequestHeader, response: unknown): Buffer {
  const { apiKey, apiVersion } = header;
  const api = apiAt(apiKey, apiVersion);
  const body = api.responseFromNative ? api.responseFromNative(response, apiVersion) : response;
  return frameOf(apiKey, apiVersion, header.correlationId, api, body);
}

/**
 * The frame answering a request that failed as a whole, as Kafka's getErrorResponse
 * builds it: the code in every per-topic/partition/resource error field mirroring
 * `request` (may be undefined), or the top-level one, and `throttleTimeMs` where the
 * response has that field (a request quota's throttle). For ApiVersions at a version
 * we do not support: the v0 layout, response header v0, error 35 and key 18's range.
 */
export function encodeKafkaErrorResponse(
  header: KafkaRequestHeader,
  request: unknown,
  error: KafkaError,
  throttleTimeMs = 0,
): Buffer {
  const { apiKey, apiVersion, correlationId } = header;
  const code = error.code === 0 ? -1 : error.code;
  if (apiKey === API_VERSIONS_KEY && !kafkaSupports(apiKey, apiVersion)) {
    const av = BY_KEY.get(API_VERSIONS_KEY)!;
    return frameOf(apiKey, 0, correlationId, av, {
      errorCode: UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: av.minVersion, maxVersion: av.maxVersion }],
    });
  }
  const api = apiAt(apiKey, apiVersion);
  const native = api.errorResponse(request ?? undefined, code, error.message, apiVersion);
  if (
    throttleTimeMs > 0 &&
    typeof (native as { throttleTimeMs?: unknown }).throttleTimeMs === 'number'
  )
    (native as { throttleTimeMs: number }).throttleTimeMs = throttleTimeMs;
  return encodeKafkaResponse(header, native);
}

/** Encodes a native request as a whole Kafka frame (client direction: tests, fuzz corpus, benches). */
export function encodeKafkaRequest(header: KafkaRequestHeader, request: unknown): Buffer {
  const { apiKey, apiVersion } = header;
  const api = apiAt(apiKey, apiVersion);
  const body = api.requestFromNative ? api.requestFromNative(request, apiVersion) : request;
  const hv = requestHeaderVersion(apiKey, apiVersion);
  const size = requestHeaderSize(header, hv) + api.request.sizeOf(body, apiVersion);
  const frame = Buffer.allocUnsafe(4 + size);
  const w = new KafkaWriter(frame);
  w.int32(size);
  writeKafkaRequestHeader(w, header, hv);
  api.request.write(w, body, apiVersion);
  return frame;
}

/** Decodes a Kafka response frame (payload after the size) into the native response type. */
export function decodeKafkaResponse(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: unknown } {
  const api = apiAt(apiKey, apiVersion);
  const r = new KafkaReader(frame);
  const correlationId = readKafkaResponseHeader(
    r,
    responseHeaderVersion(apiKey, api.response.isFlexible(apiVersion)),
  );
  const kafka = api.response.read(r, apiVersion) as Record<string, unknown>;
  const body = api.responseToNative ? api.responseToNative(kafka, apiVersion) : kafka;
  return { correlationId, body };
}

/**
 * True when a frame payload is a Kafka client's opening ApiVersions request:
 * apiKey 18 at v0-2 with an empty body, or v3+ whose body is two compact strings
 * and a tag buffer. The native listener uses it to spot a Kafka client at the wrong door.
 */
export function isKafkaApiVersionsProbe(frame: Buffer): boolean {
  if (frame.length < 10 || getInt16(frame, 0) !== API_VERSIONS_KEY) return false;
  const version = getInt16(frame, 2);
  if (version < 0) return false;
  try {
    const r = new KafkaReader(frame);
    readKafkaRequestHeader(r, version >= 3 ? 2 : 1);
    if (version < 3) return r.remaining === 0;
    r.string(true);
    r.string(true);
    r.skipTags();
    return r.remaining === 0;
  } catch (e) {
    if (e instanceof KafkaDecodeError) return false;
    throw e;
  }
}

export import KafkaDecodeError = reader.KafkaDecodeError;
export import KafkaReader = reader.KafkaReader;

export import KafkaWriter = writer.KafkaWriter;

export type { KafkaField, KafkaType } from './schema';
export import KafkaMessage = schema.KafkaMessage;
export import kafkaMessage = schema.kafkaMessage;
export import kafkaArrayOf = schema.arrayOf;
export import kafkaStructOf = schema.structOf;

export type {
  KafkaApiTypes,
  KafkaApiKey,
  KafkaOnlyApiTypes,
  KafkaRequestOf,
  KafkaResponseOf,
  SaslHandshakeRequest as KafkaSaslHandshakeRequest,
  SaslHandshakeResponse as KafkaSaslHandshakeResponse,
  SaslAuthenticateRequest as KafkaSaslAuthenticateRequest,
  SaslAuthenticateResponse as KafkaSaslAuthenticateResponse,
} from './apis';
export import KAFKA_APIS = apis.KAFKA_APIS;
import { getInt16, getInt32 } from '@kzoo/common';
