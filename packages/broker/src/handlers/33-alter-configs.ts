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
import type { AlterConfigsRequest, AlterConfigsResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';
import { alterConfigResources } from '../server/ZkAdminManager';

export async function handleAlterConfigs(
  broker: BrokerContext,
  req: AlterConfigsRequest,
): Promise<AlterConfigsResponse> {
  return alterConfigResources(broker, 'AlterConfigs', req, async (_topic, resource) => {
    // The configs given are the complete new override set.
    const props: Record<string, string> = {};
    for (const c of resource.configs) if (c.value !== null) props[c.name] = c.value;
    return props;
  });
}
