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
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '@kzoo/protocol';
import { prepareIncrementalConfigs } from '../admin/TopicConfig';
import type { BrokerContext } from '../server/BrokerContext';
import { topicDefaults } from '../server/ConfigHelper';
import { alterConfigResources } from '../server/ZkAdminManager';

export async function handleIncrementalAlterConfigs(
  broker: BrokerContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  return alterConfigResources(broker, 'IncrementalAlterConfigs', req, async (topic, resource) => {
    const current = await broker.adminZkClient.fetchTopicConfig(topic);
    const defaults = broker.config ? topicDefaults(broker.config) : {};
    return prepareIncrementalConfigs(resource.configs, current, defaults);
  });
}
