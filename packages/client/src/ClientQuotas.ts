/**
 * Client quotas through the Admin (Kafka's Admin.describeClientQuotas /
 * alterClientQuotas, KIP-546), over DescribeClientQuotas (48) and AlterClientQuotas (49)
 * to any broker; the broker reads and writes the quota entities in ZooKeeper.
 *
 * An entity is Kafka's ClientQuotaEntity: `{ user?: name | null, 'client-id'?: name | null }`,
 * null naming the default entity of that type (`<default>`). A filter component matches
 * one type: `match` a name (exact), null (the default entity) or absent (any name).
 */
import { KafkaError } from '@kzoo/common';
import { ApiKeys, type Connection } from '@kzoo/protocol';

export type ClientQuotaEntityType = 'user' | 'client-id' | 'ip';
/** Kafka's ClientQuotaEntity: entity type → name (null: the default entity). */
export type ClientQuotaEntity = Partial<Record<ClientQuotaEntityType, string | null>>;

export interface ClientQuotaFilterComponent {
  entityType: ClientQuotaEntityType;
  /** A name (exact match), null (the default entity) or undefined (any name). */
  match?: string | null;
}

export interface ClientQuotaFilter {
  components: ClientQuotaFilterComponent[];
  /** Leave out entities that have a component the filter does not name (Kafka's containsOnly). */
  strict?: boolean;
}

export interface ClientQuotaDescription {
  entity: ClientQuotaEntity;
  /** Quota key → value (`producer_byte_rate`, `consumer_byte_rate`, `request_percentage`). */
  values: Record<string, number>;
}

export interface ClientQuotaAlteration {
  entity: ClientQuotaEntity;
  /** value null removes the key. */
  ops: Array<{ key: string; value: number | null }>;
}

type Send = <T>(what: string, fn: (conn: Connection) => Promise<T>) => Promise<T>;

const TYPES: readonly string[] = ['user', 'client-id', 'ip'];

function entityToWire(what: string, entity: ClientQuotaEntity) {
  if (!entity || typeof entity !== 'object')
    throw new KafkaError(
      'INVALID_REQUEST',
      `${what}: an entity is an object, got ${String(entity)}`,
    );
  return Object.entries(entity).map(([entityType, entityName]) => {
    if (!TYPES.includes(entityType))
      throw new KafkaError(
        'INVALID_REQUEST',
        `${what}: unknown entity type ${JSON.stringify(entityType)} (user, client-id or ip)`,
      );
    return { entityType, entityName: entityName ?? null };
  });
}

function entityFromWire(
  data: ReadonlyArray<{ entityType: string; entityName: string | null }>,
): ClientQuotaEntity {
  const e: ClientQuotaEntity = {};
  for (const d of data) e[d.entityType as ClientQuotaEntityType] = d.entityName;
  return e;
}

export async function describeClientQuotas(
  send: Send,
  filter: ClientQuotaFilter,
): Promise<ClientQuotaDescription[]> {
  if (!filter || !Array.isArray(filter.components))
    throw new KafkaError(
      'INVALID_REQUEST',
      'describeClientQuotas expects { components: [...], strict? }',
    );
  const components = filter.components.map((c) => ({
    entityType: c.entityType,
    matchType: c.match === undefined ? 2 : c.match === null ? 1 : 0,
    match: c.match ?? null,
  }));
  const res = await send('describeClientQuotas', (conn) =>
    conn.request(ApiKeys.DescribeClientQuotas, 0, {
      components,
      strict: filter.strict ?? false,
    }),
  );
  if (res.errorCode !== 0)
    throw new KafkaError(res.errorCode, res.errorMessage ?? 'describeClientQuotas');
  return (res.entries ?? []).map((e) => ({
    entity: entityFromWire(e.entity),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }));
}

export async function alterClientQuotas(
  send: Send,
  entries: ClientQuotaAlteration[],
  opts: { validateOnly?: boolean } = {},
): Promise<void> {
  if (!Array.isArray(entries) || entries.length === 0)
    throw new KafkaError(
      'INVALID_REQUEST',
      'alterClientQuotas expects a non-empty array of entries',
    );
  const wire = entries.map((e) => ({
    entity: entityToWire('alterClientQuotas', e.entity),
    ops: (e.ops ?? []).map((o) => {
      if (!o || typeof o.key !== 'string' || (o.value !== null && typeof o.value !== 'number'))
        throw new KafkaError(
          'INVALID_REQUEST',
          `alterClientQuotas: bad op ${JSON.stringify(o)} (expected { key, value: number | null })`,
        );
      return { key: o.key, value: o.value ?? 0, remove: o.value === null };
    }),
  }));
  const res = await send('alterClientQuotas', (conn) =>
    conn.request(ApiKeys.AlterClientQuotas, 0, {
      entries: wire,
      validateOnly: opts.validateOnly ?? false,
    }),
  );
  const failed = res.entries.find((e) => e.errorCode !== 0);
  if (failed)
    throw new KafkaError(
      failed.errorCode,
      `${JSON.stringify(entityFromWire(failed.entity))}${failed.errorMessage ? `: ${failed.errorMessage}` : ''}`,
    );
}
