/**
 * SaslAuthenticate (key 36), Kafka listener only, v0-v1: no SASL mechanism is enabled
 * on kzoo's PLAINTEXT listeners, so, as Kafka, ILLEGAL_SASL_STATE with a message.
 */
import { ErrorCode } from '@kzoo/common';
import type { KafkaSaslAuthenticateRequest, KafkaSaslAuthenticateResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

export function handleSaslAuthenticate(
  _broker: BrokerContext,
  _req: KafkaSaslAuthenticateRequest,
  ctx: RequestContext,
): KafkaSaslAuthenticateResponse {
  return {
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: `SASL is not enabled on listener ${ctx.listenerName}`,
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  };
}
