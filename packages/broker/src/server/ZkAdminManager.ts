/**
 * ZkAdminManager: the config-changing half of Kafka's `kafka.server.ZkAdminManager`
 * shared by AlterConfigs and IncrementalAlterConfigs: answers each resource (Kafka's
 * preprocess checks first), checks a topic resource, validates its complete new
 * override set and (unless validateOnly) writes it through
 * AdminZkClient.changeTopicConfig; refuses the resource types kzoo does not alter.
 */
import { KafkaError } from '@kzoo/common';
import type { AlterConfigsResourceResponse } from '@kzoo/protocol';
import { preprocessAlterResources } from '../admin/TopicConfig';
import type { BrokerContext } from './BrokerContext';
import { ConfigResourceType, brokerIdOf, errorDetail } from './ConfigHelper';

/** A resource of AlterConfigs or IncrementalAlterConfigs. */
export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: ReadonlyArray<{ name: string; value: string | null; configOperation?: number }>;
}

/**
 * Answers an AlterConfigs-style request, resource by resource: the preprocess refusals
 * (preprocessAlterResources), then per TOPIC resource the complete new override set
 * `topicOverrides` computes, validated and (unless validateOnly) written by
 * alterTopicConfigs; other resource types are refused. A KafkaError becomes that
 * resource's errorCode and errorMessage (logged with `api`); other errors propagate.
 */
export async function alterConfigResources<R extends AlterConfigsResource>(
  broker: BrokerContext,
  api: string,
  req: { resources: readonly R[]; validateOnly: boolean },
  topicOverrides: (topic: string, resource: R) => Promise<Record<string, string>>,
): Promise<{ throttleTimeMs: number; responses: AlterConfigsResourceResponse[] }> {
  const { resources, validateOnly } = req;
  const refused = preprocessAlterResources(resources);
  const responses: AlterConfigsResourceResponse[] = [];
  for (const [i, resource] of resources.entries()) {
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
      if (resource.resourceType !== ConfigResourceType.TOPIC)
        refuseNonTopicResource(broker, resource.resourceType, resource.resourceName);
      const topic = resource.resourceName;
      if (topic === '')
        throw new KafkaError('INVALID_REQUEST', 'Default topic resources are not allowed.');
      const props = await topicOverrides(topic, resource);
      await alterTopicConfigs(broker, topic, props, validateOnly);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      response.errorCode = e.code;
      response.errorMessage = errorDetail(e);
      broker.logger.info(`${api} refused a resource`, {
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        error: e.message,
      });
    }
  }
  return { throttleTimeMs: 0, responses };
}

/**
 * Kafka's alterTopicConfigs: UNKNOWN_TOPIC_OR_PARTITION for a topic this broker's
 * metadata does not know, INVALID_CONFIG for a bad set (a bad value's message says
 * which resource, as Kafka's "Invalid config value for resource ..."), else writes.
 */
export async function alterTopicConfigs(
  broker: BrokerContext,
  topic: string,
  props: Record<string, string>,
  validateOnly: boolean,
): Promise<void> {
  if (!broker.metadataCache.contains(topic))
    throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
  const admin = broker.adminZkClient;
  try {
    if (validateOnly) await admin.validateTopicConfig(topic, props);
    else await admin.changeTopicConfig(topic, props);
  } catch (e) {
    if (
      e instanceof KafkaError &&
      e.errorName === 'INVALID_CONFIG' &&
      !errorDetail(e).startsWith('Unknown topic config name')
    )
      throw new KafkaError(
        'INVALID_CONFIG',
        `Invalid config value for resource ConfigResource(type=TOPIC, name='${topic}'): ${errorDetail(e)}`,
      );
    throw e;
  }
  if (!validateOnly)
    broker.logger.info('updated topic configs', { topic, config: JSON.stringify(props) });
}

/** Every resource type but TOPIC: INVALID_REQUEST (kzoo has no dynamic broker configs). */
export function refuseNonTopicResource(
  broker: BrokerContext,
  resourceType: number,
  resourceName: string,
): never {
  if (resourceType === ConfigResourceType.BROKER) {
    if (resourceName !== '' && brokerIdOf(resourceName) !== broker.brokerId)
      throw new KafkaError(
        'INVALID_REQUEST',
        `Unexpected broker id, expected ${broker.brokerId}, but received ${resourceName}`,
      );
    throw new KafkaError(
      'INVALID_REQUEST',
      'dynamic broker configs are not supported: kzoo brokers read their config at startup',
    );
  }
  if (resourceType === ConfigResourceType.BROKER_LOGGER)
    throw new KafkaError(
      'INVALID_REQUEST',
      'BROKER_LOGGER resources are not supported: kzoo has no log4j loggers',
    );
  throw new KafkaError('INVALID_REQUEST', `Unknown resource type ${resourceType}`);
}
