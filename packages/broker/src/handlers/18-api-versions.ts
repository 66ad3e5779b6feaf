/**
 * ApiVersions (key 18): the versions of every API this listener serves, which is its
 * wire codec's versions of the APIs the dispatch table has a handler for
 * (`RequestContext.apiVersions`, computed once per listener). A request at an
 * ApiVersions version the codec does not know never reaches here: the codec answers
 * it with UNSUPPORTED_VERSION in the v0 layout, as Kafka does.
 * Not implemented: supported and finalized features (Kafka's tagged fields).
 */
import type { ApiVersionsRequest, ApiVersionsResponse } from '@kzoo/protocol';
import type { RequestContext } from '../network';
import type { BrokerContext } from '../server/BrokerContext';

export function handleApiVersions(
  _broker: BrokerContext,
  _req: ApiVersionsRequest,
  ctx: RequestContext,
): ApiVersionsResponse {
  return { errorCode: 0, apiKeys: ctx.apiVersions.map((r) => ({ ...r })), throttleTimeMs: 0 };
}
