/**
 * AlterConfigs (key 33), v0 (Kafka v2's fields), the legacy whole-set API, answered by
 * any broker. Per TOPIC (2) resource the configs given become the topic's complete
 * override set (keys not named lose their override, as in Kafka), validated, then
 * written as Kafka's AdminZkClient.changeTopicConfig does (`/config/topics/<t>`, then a
 * `/config/changes/config_change_<seq>` notification every broker applies live).
 * validateOnly: everything but the writes.
 * Errors per resource: INVALID_CONFIG (an unknown key, named; a bad value, with the
 * reason), UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION, INVALID_REQUEST (a
 * resource named twice, a key named twice, a null value, an empty topic name, another
 * resource type).
 * Not implemented: BROKER (4) resources — dynamic broker configs are not supported
 * (INVALID_REQUEST); BROKER_LOGGER (8) — INVALID_REQUEST, as Kafka answers it here;
 * alter-config policies.
 */
import { KafkaError } from '@kzoo/common';
import type {
  AlterConfigsRequest,
  AlterConfigsRequestResource,
  AlterConfigsResourceResponse,
  AlterConfigsResponse,
} from '@kzoo/protocol';
import { preprocessAlterResources } from '../admin/TopicConfig';
import type { BrokerContext } from '../server/BrokerContext';
import { ConfigResourceType, errorDetail } from '../server/ConfigHelper';
import { alterTopicConfigs, refuseNonTopicResource } from '../server/ZkAdminManager';

export async function handleAlterConfigs(
  broker: BrokerContext,
  req: AlterConfigsRequest,
): Promise<AlterConfigsResponse> {
  const refused = preprocessAlterResources(req.resources);
  const responses: AlterConfigsResourceResponse[] = [];
  for (const [i, resource] of req.resources.entries()) {
    const response: AlterConfigsResourceResponse = {
      errorCode: 0,
      errorMessage: null,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    };
    responses.push(response);
    try {
      const early = refused.get(i);
      if (early) throw early;
      await alterOne(broker, resource, req.validateOnly);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      response.errorCode = e.code;
      response.errorMessage = errorDetail(e);
      broker.logger.info('AlterConfigs refused a resource', {
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        error: e.message,
      });
    }
  }
  return { throttleTimeMs: 0, responses };
}

async function alterOne(
  broker: BrokerContext,
  resource: AlterConfigsRequestResource,
  validateOnly: boolean,
): Promise<void> {
  if (resource.resourceType !== ConfigResourceType.TOPIC)
    return refuseNonTopicResource(broker, resource.resourceType, resource.resourceName);
  const topic = resource.resourceName;
  if (topic === '')
    throw new KafkaError('INVALID_REQUEST', 'Default topic resources are not allowed.');
  const props: Record<string, string> = {};
  for (const c of resource.configs) if (c.value !== null) props[c.name] = c.value;
  await alterTopicConfigs(broker, topic, props, validateOnly);
}
