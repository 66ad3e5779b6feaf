/**
 * Wire codecs: what a listener speaks. Both frame requests the same way (an int32 size,
 * then Kafka's request header v1 layout), so one SocketServer serves either; the codec
 * decodes a frame into the typed request of the native protocol's API definitions and
 * encodes the handler's response (or a request-level error) back in its own format.
 *
 * - `kzoo`: kzoo's native protocol (msgpackr bodies), for kzoo's clients and
 *   inter-broker traffic.
 * - `kafka`: Apache Kafka's binary protocol (`@kzoo/protocol`'s Kafka codec), for
 *   unmodified Kafka clients and tools.
 *
 * `otherWire()` recognises a client at the wrong door from its first request, so the
 * listener can log one line naming the listener to use and fail that client fast.
 */
import type { KafkaError } from '@kzoo/common';
import {
  ApiKeys,
  KAFKA_API_VERSIONS,
  apiRegistry,
  decodeKafkaRequest,
  decodeRequest,
  encodeErrorResponse,
  encodeKafkaErrorResponse,
  encodeKafkaResponse,
  encodeResponse,
  encodeResponseSegments,
  isKafkaApiVersionsProbe,
  type ApiRegistry,
  type ApiVersionRange,
  type DecodedRequest,
  type RequestHeader,
} from '@kzoo/protocol';

export type WireProtocol = 'kzoo' | 'kafka';

export interface WireCodec {
  readonly wire: WireProtocol;
  /** Every API version this codec decodes. */
  readonly apiVersions: readonly ApiVersionRange[];
  /** Decodes a frame (after the size prefix); throws RequestDecodeError. */
  decodeRequest(frame: Buffer): DecodedRequest;
  /**
   * A whole response frame, size prefix included: one Buffer, or segments for one
   * vectored write (a Fetch response's record batches, not copied).
   */
  encodeResponse(header: RequestHeader, response: unknown): Buffer | Buffer[];
  /**
   * The frame answering a request that failed as a whole. `request` is the decoded
   * body when there is one (Kafka's error bodies mirror the request's topics);
   * `throttleTimeMs` goes in the body where it has the field (Kafka's getErrorResponse).
   */
  encodeError(
    header: RequestHeader,
    request: unknown,
    error: KafkaError,
    throttleTimeMs: number,
  ): Buffer;
  /** The wire protocol `frame` belongs to when it is not this codec's, else null. */
  otherWire(frame: Buffer): WireProtocol | null;
}

export function nativeCodec(registry: ApiRegistry = apiRegistry): WireCodec {
  return {
    wire: 'kzoo',
    apiVersions: registry.ranges,
    decodeRequest: (frame) => decodeRequest(frame, registry),
    encodeResponse: (header, response) => {
      const schema = registry.schemas(header.apiKey, header.apiVersion)?.response;
      return header.apiKey === ApiKeys.Fetch
        ? encodeResponseSegments(header.correlationId, response, 0, schema)
        : encodeResponse(header.correlationId, response, 0, schema);
    },
    encodeError: (header, _request, error) =>
      encodeErrorResponse(header.correlationId, error, registry),
    otherWire: (frame) => (isKafkaApiVersionsProbe(frame) ? 'kafka' : null),
  };
}

/**
 * True when a frame is a kzoo client's request: it decodes fully and validly as the
 * native protocol, with a MessagePack map as its body (a Kafka body never starts
 * that way and then happens to be valid MessagePack matching the API's schema).
 */
export function isNativeRequest(frame: Buffer, registry: ApiRegistry = apiRegistry): boolean {
  try {
    decodeRequest(frame, registry);
    return true;
  } catch {
    return false;
  }
}

export function kafkaCodec(): WireCodec {
  return {
    wire: 'kafka',
    apiVersions: KAFKA_API_VERSIONS,
    decodeRequest: (frame) => decodeKafkaRequest(frame),
    encodeResponse: (header, response) => encodeKafkaResponse(header, response),
    encodeError: (header, request, error, throttleTimeMs) =>
      encodeKafkaErrorResponse(header, request, error, throttleTimeMs),
    otherWire: (frame) => (isNativeRequest(frame) ? 'kzoo' : null),
  };
}
