/**
 * SaslHandshake (key 17), Kafka listener only, v0-v1: kzoo's listeners are PLAINTEXT
 * (no SASL mechanism is enabled), so the handshake is answered as Kafka answers one
 * that reaches the request handlers on a listener without SASL: ILLEGAL_SASL_STATE,
 * with no mechanisms. The client sees Kafka's error, never a dropped connection.
 */
import { ErrorCode } from '@kzoo/common';
import type { KafkaSaslHandshakeRequest, KafkaSaslHandshakeResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

export function handleSaslHandshake(
  broker: BrokerContext,
  req: KafkaSaslHandshakeRequest,
  ctx: RequestContext,
): KafkaSaslHandshakeResponse {
  broker.logger.warn('SASL is not enabled on this listener; refusing the handshake', {
    listener: ctx.listenerName,
    mechanism: req.mechanism,
    client: ctx.clientAddress,
  });
  return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
}
