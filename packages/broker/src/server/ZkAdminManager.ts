/**
 * ZkAdminManager: the config-changing half of Kafka's `kafka.server.ZkAdminManager`
 * shared by AlterConfigs and IncrementalAlterConfigs: answers each resource (Kafka's
 * preprocess checks first), computes the entity's complete new config set from what
 * ZooKeeper holds, validates it and (unless validateOnly) writes it:
 * - TOPIC: through AdminZkClient.changeTopicConfig (`/config/topics/<t>`);
 * - BROKER: name '' (the cluster-wide default) or this broker's id (Kafka's getBrokerId:
 *   "Unexpected broker id, expected <id>, but received <name>" for another), validated
 *   by DynamicBrokerConfig (non-dynamic keys: "Cannot update these configs dynamically:
 *   Set(k)"; bad values), refusals answered as Kafka's ZooKeeper-mode broker answers them
 *   (INVALID_REQUEST "Invalid config value for resource ConfigResource(type=BROKER,
 *   name='1'): ..."), written through AdminZkClient.changeBrokerConfig
 *   (`/config/brokers/<id>` or `/config/brokers/<default>`);
 * both followed by a `/config/changes/config_change_<seq>` notification every broker
 * applies. Other resource types are refused.
 */
import { KafkaError } from '@kzoo/common';
import type { AlterConfigsResourceResponse } from '@kzoo/protocol';
import { preprocessAlterResources } from '../admin/TopicConfig';
import type { BrokerContext } from './BrokerContext';
import { ConfigResourceType, brokerIdOf, errorDetail } from './ConfigHelper';
import { brokerEntityName } from './DynamicBrokerConfig';

/** A resource of AlterConfigs or IncrementalAlterConfigs. */
export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: ReadonlyArray<{ name: string; value: string | null; configOperation?: number }>;
}

/** How a request turns an entity's current config set into the new complete one. */
export interface NewConfigs<R> {
  topic(topic: string, resource: R, current: Record<string, string>): Record<string, string>;
  broker(resource: R, current: Record<string, string>): Record<string, string>;
}

/**
 * Answers an AlterConfigs-style request, resource by resource: the preprocess refusals
 * (preprocessAlterResources), then per TOPIC or BROKER resource the complete new set
 * `newConfigs` computes from the entity's current one, validated and (unless
 * validateOnly) written by alterTopicConfigs / alterBrokerConfigs; other resource types
 * are refused. A KafkaError becomes that resource's errorCode and errorMessage (logged
 * with `api`); other errors propagate.
 */
export async function alterConfigResources<R extends AlterConfigsResource>(
  broker: BrokerContext,
  api: string,
  req: { resources: readonly R[]; validateOnly: boolean },
  newConfigs: NewConfigs<R>,
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
      if (resource.resourceType === ConfigResourceType.BROKER) {
        const brokerId = brokerIdOfResource(broker, resource.resourceName);
        const current = await broker.adminZkClient.fetchEntityConfig(
          'brokers',
          brokerEntityName(brokerId),
        );
        const props = newConfigs.broker(resource, current);
        await alterBrokerConfigs(broker, resource.resourceName, brokerId, props, validateOnly);
        continue;
      }
      if (resource.resourceType !== ConfigResourceType.TOPIC)
        refuseOtherResource(resource.resourceType);
      const topic = resource.resourceName;
      if (topic === '')
        throw new KafkaError('INVALID_REQUEST', 'Default topic resources are not allowed.');
      const current = await broker.adminZkClient.fetchTopicConfig(topic);
      const props = newConfigs.topic(topic, resource, current);
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

/**
 * Kafka's getBrokerId: null for the default resource (''), else the resource's broker
 * id, which must be this broker's (INVALID_REQUEST otherwise: each broker validates its
 * own dynamic configs, so clients send a broker's resource to that broker).
 */
export function brokerIdOfResource(broker: BrokerContext, resourceName: string): number | null {
  if (resourceName === '') return null;
  const id = brokerIdOf(resourceName);
  if (id !== broker.brokerId)
    throw new KafkaError(
      'INVALID_REQUEST',
      `Unexpected broker id, expected ${broker.brokerId}, but received ${resourceName}`,
    );
  return id;
}

/**
 * Kafka's alterBrokerConfigs: validates `props` as the complete new dynamic set of this
 * broker (`brokerId`) or of the cluster default (null) and, unless validateOnly, writes
 * `/config/brokers/<id|<default>>` and the change notification. A refused set is
 * INVALID_REQUEST "Invalid config value for resource ConfigResource(type=BROKER,
 * name='<name>'): <reason>", as Kafka's ZooKeeper-mode broker answers.
 */
export async function alterBrokerConfigs(
  broker: BrokerContext,
  resourceName: string,
  brokerId: number | null,
  props: Record<string, string>,
  validateOnly: boolean,
): Promise<void> {
  const dynamic = broker.dynamicConfig;
  if (!dynamic) throw new KafkaError('INVALID_REQUEST', 'this broker has no dynamic configuration');
  try {
    dynamic.validate(props, brokerId !== null);
  } catch (e) {
    if (!(e instanceof KafkaError) || e.errorName !== 'INVALID_CONFIG') throw e;
    throw new KafkaError(
      'INVALID_REQUEST',
      `Invalid config value for resource ConfigResource(type=BROKER, name='${resourceName}'): ${errorDetail(e)}`,
    );
  }
  if (validateOnly) return;
  await broker.adminZkClient.changeBrokerConfig(brokerId, props);
  broker.logger.info('updated broker configs', {
    entity: brokerEntityName(brokerId),
    config: JSON.stringify(props),
  });
}

/** Every resource type but TOPIC and BROKER: INVALID_REQUEST. */
export function refuseOtherResource(resourceType: number): never {
  if (resourceType === ConfigResourceType.BROKER_LOGGER)
    throw new KafkaError(
      'INVALID_REQUEST',
      'BROKER_LOGGER resources are not supported: kzoo has no log4j loggers',
    );
  throw new KafkaError('INVALID_REQUEST', `Unknown resource type ${resourceType}`);
}
