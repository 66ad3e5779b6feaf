/**
 * Request and response frames of kzoo's native protocol.
 *
 *   request  = int32 size | int16 apiKey | int16 apiVersion | int32 correlationId
 *              | int16 clientIdLength (-1 = null) | clientId utf8 | msgpack body
 *   response = int32 size | int32 correlationId | int16 errorCode | msgpack body
 *
 * The request header is fixed binary so the broker can read apiKey, apiVersion and
 * correlationId without touching the body, and answer UNSUPPORTED_VERSION or
 * INVALID_REQUEST to the right request even when the body is garbage.
 * A response's errorCode is 0 when the body is the API's response; otherwise the
 * request as a whole failed and the body is an `ErrorResponseBody`.
 */
import {
  ErrorCode,
  KafkaError,
  type ErrorName,
  getInt16,
  getInt32,
  setInt16,
  setInt32,
} from '@kzoo/common';
import type { ApiRegistry, ApiVersionRange } from './api';
import { apiRegistry } from './apis';
import {
  BodyDecodeError,
  MAX_RESERVED_PREFIX,
  decodeBody,
  encodeBody,
  encodeBodyAfter,
} from './codec';
import { SchemaError, type Type } from './schema';
import { decodeWithSchema, NOT_DECODED } from './schema-decode';
import { encodeSegments, encodeWithSchema, segmentsLength } from './segments';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface DecodedRequest {
  header: RequestHeader;
  body: unknown;
}

/** Bytes of the request header before the clientId. */
export const REQUEST_HEADER_FIXED_BYTES = 10;
/** Bytes of the response header (correlationId + errorCode). */
export const RESPONSE_HEADER_BYTES = 6;

/**
 * Body of a response whose header errorCode is not 0. It is also a valid ApiVersions
 * v0 response: an UNSUPPORTED_VERSION answer lists every supported range, so the
 * client can pick a version it shares with the broker.
 */
export interface ErrorResponseBody {
  errorCode: number;
  errorMessage: string | null;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
}

/**
 * A request that could not be decoded. Carries whatever of the header was read;
 * when `answerable`, the server replies with `code` to `correlationId` and keeps the
 * connection; otherwise (unreadable header) it closes the connection.
 */
export class RequestDecodeError extends KafkaError {
  constructor(
    code: ErrorName,
    detail: string,
    readonly answerable: boolean,
    readonly apiKey?: number,
    readonly apiVersion?: number,
    readonly correlationId?: number,
  ) {
    super(code, detail);
    this.name = 'RequestDecodeError';
  }
}

/** A request-level failure reported by the broker (response header errorCode != 0). */
export class ErrorResponse extends KafkaError {
  constructor(
    code: number,
    detail: string | undefined,
    /** Versions the broker supports (filled for UNSUPPORTED_VERSION). */
    readonly apiKeys: ApiVersionRange[],
  ) {
    super(code, detail);
    this.name = 'ErrorResponse';
  }
}

const clientIdCache = new Map<string, Buffer>();

/** UTF-8 bytes of a clientId (cached; clientIds are few). */
export function clientIdBytes(clientId: string | null): Buffer | null {
  if (clientId === null) return null;
  let b = clientIdCache.get(clientId);
  if (!b) {
    b = Buffer.from(clientId, 'utf8');
    if (b.length > 32767) throw new RangeError('clientId longer than 32767 bytes');
    if (clientIdCache.size < 1024) clientIdCache.set(clientId, b);
  }
  return b;
}

/**
 * Encodes a whole request frame (length prefix included) as one Buffer. A body that
 * matches its API's schema is written by the schema (`encodeWithSchema`: its fields
 * only, in the schema's order); any other body as msgpackr encodes it, unvalidated (the
 * receiver's check reports what is wrong).
 */
export function encodeRequest(
  header: RequestHeader,
  body: unknown,
  registry: ApiRegistry = apiRegistry,
): Buffer {
  const id = clientIdBytes(header.clientId);
  const prefix = 4 + REQUEST_HEADER_FIXED_BYTES + (id ? id.length : 0);
  const schemas = registry.schemas(header.apiKey, header.apiVersion);
  const bySchema = schemas && encodeWithSchema(schemas.request, body, prefix, false);
  if (bySchema) {
    writeRequestPrefix(bySchema[0], bySchema[0].length, header, id);
    return bySchema[0];
  }
  let frame: Buffer;
  if (prefix <= MAX_RESERVED_PREFIX) {
    frame = encodeBodyAfter(body, prefix);
  } else {
    const b = encodeBody(body);
    frame = Buffer.allocUnsafe(prefix + b.length);
    b.copy(frame, prefix);
  }
  writeRequestPrefix(frame, frame.length, header, id);
  return frame;
}

/** The size field and the request header at the start of `buf` (a frame of `frameLength`). */
function writeRequestPrefix(
  buf: Buffer,
  frameLength: number,
  header: RequestHeader,
  id: Buffer | null,
): void {
  setInt32(buf, 0, frameLength - 4);
  setInt16(buf, 4, header.apiKey);
  setInt16(buf, 6, header.apiVersion);
  setInt32(buf, 8, header.correlationId);
  if (id) {
    setInt16(buf, 12, id.length);
    id.copy(buf, 14);
  } else {
    setInt16(buf, 12, -1);
  }
}

/**
 * A request frame as segments for one vectored write (see segments.ts): its large byte
 * fields (a Produce request's record batches) are the caller's Buffers, not copies, and
 * must stay unchanged until the write has completed. Falls back to one Buffer.
 */
export function encodeRequestSegments(
  header: RequestHeader,
  body: unknown,
  registry: ApiRegistry = apiRegistry,
): Buffer[] {
  const id = clientIdBytes(header.clientId);
  const prefix = 4 + REQUEST_HEADER_FIXED_BYTES + (id ? id.length : 0);
  const schemas = registry.schemas(header.apiKey, header.apiVersion);
  const segs =
    (schemas && encodeWithSchema(schemas.request, body, prefix, true)) ??
    encodeSegments(body, prefix);
  if (!segs) return [encodeRequest(header, body, registry)];
  writeRequestPrefix(segs[0], segmentsLength(segs), header, id);
  return segs;
}

/** Reads only the request header of a frame payload; throws a non-answerable RequestDecodeError. */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; bodyOffset: number } {
  if (frame.length < REQUEST_HEADER_FIXED_BYTES) {
    throw new RequestDecodeError(
      'INVALID_REQUEST',
      `frame of ${frame.length} bytes is shorter than a request header`,
      false,
    );
  }
  const apiKey = getInt16(frame, 0);
  const apiVersion = getInt16(frame, 2);
  const correlationId = getInt32(frame, 4);
  const idLength = getInt16(frame, 8);
  if (idLength < -1 || REQUEST_HEADER_FIXED_BYTES + Math.max(idLength, 0) > frame.length) {
    throw new RequestDecodeError(
      'INVALID_REQUEST',
      `bad clientId length ${idLength} in a frame of ${frame.length} bytes`,
      false,
      apiKey,
      apiVersion,
      correlationId,
    );
  }
  const bodyOffset = REQUEST_HEADER_FIXED_BYTES + Math.max(idLength, 0);
  const clientId =
    idLength < 0 ? null : frame.toString('utf8', REQUEST_HEADER_FIXED_BYTES, bodyOffset);
  return { header: { apiKey, apiVersion, correlationId, clientId }, bodyOffset };
}

/**
 * Decodes and validates a request frame payload (after the length prefix).
 * Throws RequestDecodeError: UNSUPPORTED_VERSION for an unknown apiKey or version,
 * INVALID_REQUEST for a malformed body or a field of the wrong type (naming its path).
 * Byte fields of the body are views into `frame` (no copy).
 */
export function decodeRequest(frame: Buffer, registry: ApiRegistry = apiRegistry): DecodedRequest {
  const { header, bodyOffset } = decodeRequestHeader(frame);
  const { apiKey, apiVersion, correlationId } = header;
  const schemas = registry.schemas(apiKey, apiVersion);
  if (!schemas) {
    const range = registry.supportedVersions(apiKey);
    throw new RequestDecodeError(
      'UNSUPPORTED_VERSION',
      range
        ? `${registry.name(apiKey)} v${apiVersion} is not supported (versions ${range.minVersion}-${range.maxVersion})`
        : `unknown apiKey ${apiKey}`,
      true,
      apiKey,
      apiVersion,
      correlationId,
    );
  }
  const fast = decodeWithSchema(schemas.request, frame, bodyOffset);
  if (fast !== NOT_DECODED) return { header, body: fast };
  let body: unknown;
  try {
    body = decodeBody(frame.subarray(bodyOffset));
    schemas.request.check(body);
  } catch (e) {
    if (e instanceof BodyDecodeError || e instanceof SchemaError) {
      throw new RequestDecodeError(
        'INVALID_REQUEST',
        `${registry.name(apiKey)} v${apiVersion} request: ${e.message}`,
        true,
        apiKey,
        apiVersion,
        correlationId,
      );
    }
    throw e;
  }
  return { header, body };
}

/**
 * Encodes a whole response frame (length prefix included) as one Buffer; with the
 * response's `schema`, a body that matches it is written by the schema (as
 * encodeRequest's).
 */
export function encodeResponse(
  correlationId: number,
  body: unknown,
  errorCode = 0,
  schema?: Type<unknown>,
): Buffer {
  // A non-zero errorCode carries an ErrorResponseBody, not the API's response.
  const bySchema =
    schema && errorCode === 0 && encodeWithSchema(schema, body, 4 + RESPONSE_HEADER_BYTES, false);
  const frame = bySchema ? bySchema[0] : encodeBodyAfter(body, 4 + RESPONSE_HEADER_BYTES);
  setInt32(frame, 0, frame.length - 4);
  setInt32(frame, 4, correlationId);
  setInt16(frame, 8, errorCode);
  return frame;
}

/**
 * A response frame as segments for one vectored write (see segments.ts): its large byte
 * fields (a Fetch response's record batches) are the handler's Buffers, not copies.
 */
export function encodeResponseSegments(
  correlationId: number,
  body: unknown,
  errorCode = 0,
  schema?: Type<unknown>,
): Buffer[] {
  const segs =
    (schema &&
      errorCode === 0 &&
      encodeWithSchema(schema, body, 4 + RESPONSE_HEADER_BYTES, true)) ||
    encodeSegments(body, 4 + RESPONSE_HEADER_BYTES);
  if (!segs) return [encodeResponse(correlationId, body, errorCode, schema)];
  const first = segs[0];
  setInt32(first, 0, segmentsLength(segs) - 4);
  setInt32(first, 4, correlationId);
  setInt16(first, 8, errorCode);
  return segs;
}

/** The frame answering a request that failed as a whole (UNSUPPORTED_VERSION, ...). */
export function encodeErrorResponse(
  correlationId: number,
  error: KafkaError,
  registry: ApiRegistry = apiRegistry,
): Buffer {
  const code = error.code === 0 ? ErrorCode.UNKNOWN_SERVER_ERROR : error.code;
  const body: ErrorResponseBody = {
    errorCode: code,
    errorMessage: error.message,
    apiKeys: code === ErrorCode.UNSUPPORTED_VERSION ? [...registry.ranges] : [],
    throttleTimeMs: 0,
  };
  return encodeResponse(correlationId, body, code);
}

/** Reads the response header of a frame payload. */
export function decodeResponseHeader(frame: Buffer): { correlationId: number; errorCode: number } {
  if (frame.length < RESPONSE_HEADER_BYTES) {
    throw new KafkaError(
      'NETWORK_EXCEPTION',
      `response frame of ${frame.length} bytes is shorter than its header`,
    );
  }
  return { correlationId: getInt32(frame, 0), errorCode: getInt16(frame, 4) };
}

/**
 * Decodes the body of a response to a request of `apiKey`/`apiVersion`. Returns the
 * validated body, or throws: an `ErrorResponse` for a request-level error, a
 * KafkaError(UNKNOWN_SERVER_ERROR) when the body is malformed or does not match the schema.
 */
export function decodeResponseBody(
  frame: Buffer,
  apiKey: number,
  apiVersion: number,
  registry: ApiRegistry = apiRegistry,
): unknown {
  const errorCode = getInt16(frame, 4);
  if (errorCode === 0) {
    const schemas = registry.schemas(apiKey, apiVersion);
    if (schemas) {
      const fast = decodeWithSchema(schemas.response, frame, RESPONSE_HEADER_BYTES);
      if (fast !== NOT_DECODED) return fast;
    }
  }
  let body: unknown;
  try {
    body = decodeBody(frame.subarray(RESPONSE_HEADER_BYTES));
  } catch (e) {
    throw new KafkaError('UNKNOWN_SERVER_ERROR', `undecodable response: ${(e as Error).message}`);
  }
  if (errorCode !== 0) {
    const b = body as Partial<ErrorResponseBody> | null;
    const message = typeof b?.errorMessage === 'string' ? b.errorMessage : undefined;
    const apiKeys = Array.isArray(b?.apiKeys) ? (b.apiKeys as ApiVersionRange[]) : [];
    throw new ErrorResponse(errorCode, message, apiKeys);
  }
  const schemas = registry.schemas(apiKey, apiVersion);
  if (schemas) {
    try {
      schemas.response.check(body);
    } catch (e) {
      if (e instanceof SchemaError) {
        throw new KafkaError(
          'UNKNOWN_SERVER_ERROR',
          `${registry.name(apiKey)} v${apiVersion} response: ${e.message}`,
        );
      }
      throw e;
    }
  }
  return body;
}
