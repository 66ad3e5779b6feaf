/**
 * Kafka's QuotaConfigs for client and user entities (`/config/clients/<id>`,
 * `/config/users/<user>[/clients/<id>]`): the keys, their types and docs, as
 * DynamicConfig.Client / DynamicConfig.User define them.
 */
export const PRODUCER_BYTE_RATE = 'producer_byte_rate';
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate';
export const REQUEST_PERCENTAGE = 'request_percentage';
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';

export interface QuotaConfigKey {
  name: string;
  /** LONG values are whole numbers; DOUBLE may have a fraction. */
  type: 'LONG' | 'DOUBLE';
  doc: string;
}

export const CLIENT_QUOTA_CONFIGS: readonly QuotaConfigKey[] = [
  {
    name: PRODUCER_BYTE_RATE,
    type: 'LONG',
    doc: 'A rate representing the upper bound (bytes/sec) for producer traffic.',
  },
  {
    name: CONSUMER_BYTE_RATE,
    type: 'LONG',
    doc: 'A rate representing the upper bound (bytes/sec) for consumer traffic.',
  },
  {
    name: REQUEST_PERCENTAGE,
    type: 'DOUBLE',
    doc: 'A percentage representing the upper bound of time spent for processing requests.',
  },
  {
    name: CONTROLLER_MUTATION_RATE,
    type: 'DOUBLE',
    doc: 'The rate at which mutations are accepted for the create topics request, the create partitions request and the delete topics request.',
  },
];

/** Kafka's QuotaConfigs.isClientOrUserQuotaConfig. */
export function isClientOrUserQuotaConfig(name: string): boolean {
  return CLIENT_QUOTA_CONFIGS.some((k) => k.name === name);
}

export function quotaConfigKey(name: string): QuotaConfigKey | undefined {
  return CLIENT_QUOTA_CONFIGS.find((k) => k.name === name);
}
