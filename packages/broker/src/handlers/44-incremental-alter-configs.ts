/**
 * IncrementalAlterConfigs (key 44), v0 (Kafka v1's fields), answered by any broker (as
 * a ZooKeeper-mode Kafka broker does). Per TOPIC (2) resource: the operations
 * (SET 0, DELETE 1, APPEND 2, SUBTRACT 3; APPEND/SUBTRACT only on list keys such as
 * cleanup.policy) are applied to the overrides in `/config/topics/<t>`, the result is
 * validated, then written as Kafka's AdminZkClient.changeTopicConfig does
 * (`/config/topics/<t>`, then a `/config/changes/config_change_<seq>` notification that
 * every broker's DynamicConfigManager applies to its live logs and partitions).
 * validateOnly: everything but the writes.
 * Errors per resource: INVALID_CONFIG (an unknown key, named; a bad value, with the
 * reason; APPEND/SUBTRACT on a non-list key), UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_TOPIC_EXCEPTION, INVALID_REQUEST (a resource named twice, a key named twice,
 * a null value for SET/APPEND/SUBTRACT, an unknown operation, an empty topic name,
 * another resource type).
 * Not implemented: BROKER (4) resources — dynamic broker configs are not supported
 * (INVALID_REQUEST; a broker id other than this one gets Kafka's "Unexpected broker id"
 * message first); BROKER_LOGGER (8) — INVALID_REQUEST; alter-config policies.
 */
import { KafkaError } from '@kzoo/common';
import type {
  AlterConfigsResourceResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsRequestResource,
  IncrementalAlterConfigsResponse,
} from '@kzoo/protocol';
import { prepareIncrementalConfigs, preprocessAlterResources } from '../admin/TopicConfig';
import type { BrokerContext } from '../server/BrokerContext';
import { ConfigResourceType, errorDetail, topicDefaults } from '../server/ConfigHelper';
import { alterTopicConfigs, refuseNonTopicResource } from '../server/ZkAdminManager';

export async function handleIncrementalAlterConfigs(
  broker: BrokerContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
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
      broker.logger.info('IncrementalAlterConfigs refused a resource', {
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
  resource: IncrementalAlterConfigsRequestResource,
  validateOnly: boolean,
): Promise<void> {
  if (resource.resourceType !== ConfigResourceType.TOPIC)
    return refuseNonTopicResource(broker, resource.resourceType, resource.resourceName);
  const topic = resource.resourceName;
  if (topic === '')
    throw new KafkaError('INVALID_REQUEST', 'Default topic resources are not allowed.');
  const current = await broker.adminZkClient.fetchTopicConfig(topic);
  const defaults = broker.config ? topicDefaults(broker.config) : {};
  const props = prepareIncrementalConfigs(resource.configs, current, defaults);
  await alterTopicConfigs(broker, topic, props, validateOnly);
}
