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
 * BROKER (4) resources: name '' (the cluster-wide dynamic defaults in
 * `/config/brokers/<default>`) or this broker's id (`/config/brokers/<id>`); the configs
 * given become the complete dynamic set, validated as Kafka's DynamicBrokerConfig does
 * (non-dynamic keys and bad values: INVALID_REQUEST "Invalid config value for resource
 * ConfigResource(type=BROKER, name='1'): ..."), then written with a change notification.
 * Not implemented: BROKER_LOGGER (8) — INVALID_REQUEST, as Kafka answers it here;
 * alter-config policies.
 */
import type { AlterConfigsRequest, AlterConfigsResponse } from '@kzoo/protocol';
import type { BrokerContext } from '../server/BrokerContext';
import { alterConfigResources } from '../server/ZkAdminManager';

export async function handleAlterConfigs(
  broker: BrokerContext,
  req: AlterConfigsRequest,
): Promise<AlterConfigsResponse> {
  // The configs given are the entity's complete new set.
  const given = (resource: AlterConfigsRequest['resources'][number]) => {
    const props: Record<string, string> = {};
    for (const c of resource.configs) if (c.value !== null) props[c.name] = c.value;
    return props;
  };
  return alterConfigResources(broker, 'AlterConfigs', req, {
    topic: (_topic, resource) => given(resource),
    broker: (resource) => given(resource),
  });
}
