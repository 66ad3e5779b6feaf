/**
 * What a Kafka API file declares: the advertised version range, request and
 * response schemas with native property names, adapters where the native type and
 * Kafka's shape differ, and `errorResponse` (Kafka's AbstractRequest.getErrorResponse).
 */
import type { KafkaMessage } from './schema';

export interface KafkaApi<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: KafkaMessage<unknown>;
  readonly response: KafkaMessage<unknown>;
  /** Decoded Kafka request → native request (default: identity). */
  requestToNative?(kafka: Record<string, unknown>, version: number): Req;
  /** Native request → object the request schema encodes (client direction). */
  requestFromNative?(native: Req, version: number): unknown;
  /** Native response → object the response schema encodes. */
  responseFromNative?(native: Res, version: number): unknown;
  /** Decoded Kafka response → native response (client direction). */
  responseToNative?(kafka: Record<string, unknown>, version: number): Res;
  /**
   * The response Kafka sends when the whole request fails with `errorCode`: the code
   * in every per-topic/per-partition/per-resource error field mirroring the request,
   * or the top-level one. `request` may be undefined when the body never decoded.
   */
  errorResponse(
    request: Req | undefined,
    errorCode: number,
    message: string | null,
    version: number,
  ): Res;
}

export function defineKafkaApi<Req, Res>(api: KafkaApi<Req, Res>): KafkaApi<Req, Res> {
  return api;
}
