/**
 * DescribeConfigs (key 32), v0 (Kafka v4's fields), answered by any broker as Kafka's
 * ConfigHelper does, per resource:
 * - TOPIC (2): every topic config kzoo knows (or the keys asked for; null or empty =
 *   all), each with its value: the override in `/config/topics/<t>` (source
 *   TOPIC_CONFIG 1), else the broker's value for it (STATIC_BROKER_CONFIG 4 when the
 *   broker's config sets the key, DEFAULT_CONFIG 5 otherwise); includeSynonyms lists
 *   Kafka's synonym chain (the override, then the broker keys), includeDocumentation a
 *   line of documentation; configType as Kafka (BOOLEAN 1 ... PASSWORD 9). A topic this
 *   broker's metadata does not know: UNKNOWN_TOPIC_OR_PARTITION; an invalid name:
 *   INVALID_TOPIC_EXCEPTION.
 * - BROKER (4): this broker's id: every broker config kzoo knows with the value this
 *   broker runs with and its source (DYNAMIC_BROKER_CONFIG 2 from `/config/brokers/<id>`,
 *   DYNAMIC_DEFAULT_BROKER_CONFIG 3 from `/config/brokers/<default>`,
 *   STATIC_BROKER_CONFIG 4, DEFAULT_CONFIG 5), read-only unless kzoo changes it at
 *   runtime; name '': the cluster-wide dynamic defaults only (Kafka's default
 *   resource); another id: INVALID_REQUEST "Unexpected broker id, expected <id> or empty
 *   string, but received <name>"; a non-number: INVALID_REQUEST.
 * - BROKER_LOGGER (8): INVALID_REQUEST (not supported: kzoo has no log4j loggers).
 * - other types: INVALID_REQUEST "Unsupported resource type: <n>".
 * Sensitive keys (kzoo.zookeeper.digest, as Kafka's PASSWORD type) are returned without a value.
 */
import { KafkaError } from '@kzoo/common';
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestResource,
  DescribeConfigsResponse,
  DescribeConfigsResult,
} from '@kzoo/protocol';
import { validateTopicName } from '../admin/Topic';
import type { BrokerContext } from '../server/BrokerContext';
import { DynamicBrokerConfig } from '../server/DynamicBrokerConfig';
import {
  ConfigResourceType,
  brokerIdOf,
  describeBrokerConfigs,
  describeDefaultBrokerConfigs,
  describeTopicConfigs,
  errorDetail,
  type DescribeOptions,
} from '../server/ConfigHelper';

export async function handleDescribeConfigs(
  broker: BrokerContext,
  req: DescribeConfigsRequest,
): Promise<DescribeConfigsResponse> {
  const results: DescribeConfigsResult[] = [];
  for (const resource of req.resources) {
    const result: DescribeConfigsResult = {
      errorCode: 0,
      errorMessage: null,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      configs: [],
    };
    results.push(result);
    try {
      result.configs = await describeOne(broker, resource, {
        keys: resource.configurationKeys,
        includeSynonyms: req.includeSynonyms,
        includeDocumentation: req.includeDocumentation,
      });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      result.errorCode = e.code;
      result.errorMessage = errorDetail(e);
      result.configs = [];
    }
  }
  return { throttleTimeMs: 0, results };
}

async function describeOne(
  broker: BrokerContext,
  resource: DescribeConfigsRequestResource,
  opts: DescribeOptions,
): Promise<DescribeConfigsResult['configs']> {
  const config = broker.config;
  if (!config)
    throw new KafkaError('INVALID_REQUEST', 'this broker has no configuration to describe');
  const levels = broker.dynamicConfig ?? new DynamicBrokerConfig(config);
  const name = resource.resourceName;
  switch (resource.resourceType) {
    case ConfigResourceType.TOPIC: {
      validateTopicName(name);
      if (!broker.metadataCache.contains(name))
        throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${name}' does not exist.`);
      const overrides = await broker.adminZkClient.fetchTopicConfig(name);
      return describeTopicConfigs(levels, overrides, opts);
    }
    case ConfigResourceType.BROKER:
      if (name === '') return describeDefaultBrokerConfigs(levels, opts);
      if (brokerIdOf(name) !== broker.brokerId)
        throw new KafkaError(
          'INVALID_REQUEST',
          `Unexpected broker id, expected ${broker.brokerId} or empty string, but received ${name}`,
        );
      return describeBrokerConfigs(levels, opts);
    case ConfigResourceType.BROKER_LOGGER:
      throw new KafkaError(
        'INVALID_REQUEST',
        'BROKER_LOGGER resources are not supported: kzoo has no log4j loggers',
      );
    default:
      throw new KafkaError(
        'INVALID_REQUEST',
        `Unsupported resource type: ${resource.resourceType}`,
      );
  }
}
