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
 * BROKER (4) resources: name '' (the cluster-wide defaults, `/config/brokers/<default>`)
 * or this broker's id (`/config/brokers/<id>`; another id: Kafka's "Unexpected broker
 * id" INVALID_REQUEST); the operations apply to the dynamic set in ZooKeeper (any name
 * for SET/DELETE; APPEND/SUBTRACT on LIST keys, starting from the value the broker runs
 * with), the result is validated as Kafka's DynamicBrokerConfig does (non-dynamic keys:
 * INVALID_REQUEST "Invalid config value for resource ConfigResource(type=BROKER,
 * name='1'): Cannot update these configs dynamically: Set(log.dirs)"), then written with
 * a change notification every broker applies (the named one, or all for '').
 * Not implemented: BROKER_LOGGER (8) — INVALID_REQUEST; alter-config policies.
 */
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '@kzoo/protocol';
import { prepareIncrementalConfigs } from '../admin/TopicConfig';
import { BROKER_CONFIG_DEF, type KafkaConfig } from '../config';
import type { BrokerContext } from '../server/BrokerContext';
import { topicDefaults } from '../server/ConfigHelper';
import { alterConfigResources } from '../server/ZkAdminManager';

export async function handleIncrementalAlterConfigs(
  broker: BrokerContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponse> {
  const current = broker.dynamicConfig?.currentConfig ?? broker.config;
  return alterConfigResources(broker, 'IncrementalAlterConfigs', req, {
    topic: (_topic, resource, overrides) =>
      prepareIncrementalConfigs(resource.configs, overrides, current ? topicDefaults(current) : {}),
    broker: (resource, props) =>
      prepareIncrementalConfigs(
        resource.configs,
        props,
        current ? brokerValues(current) : {},
        (n) => BROKER_CONFIG_DEF.configKey(n)?.type,
      ),
  });
}

/** The values a broker runs with, as strings: where APPEND/SUBTRACT start without a dynamic value. */
function brokerValues(config: KafkaConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.valuesByName()))
    if (v !== null) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}
