/**
 * ClientQuotaAdmin: the client-quota half of Kafka's `kafka.server.ZkAdminManager`
 * (describeClientQuotas / alterClientQuotas, KIP-546) over ZooKeeper's quota entities:
 *
 *   (user)              → /config/users/<sanitized user | <default>>
 *   (user, client-id)   → /config/users/<user>/clients/<sanitized client-id | <default>>
 *   (client-id)         → /config/clients/<sanitized client-id | <default>>
 *
 * An entity name of null is the default entity of its type (`<default>`). Refusals are
 * KafkaErrors with Kafka's codes and words (INVALID_REQUEST "Invalid configuration key
 * k", "Configuration producer_byte_rate must be a LONG value", "Invalid empty client
 * quota entity", ...). `ip` entities (connection-rate quotas) are not kept by kzoo:
 * altering one is refused, describing finds none.
 */
import {
  KafkaError,
  desanitize,
  quotaConfigKey,
  sanitize,
  isClientOrUserQuotaConfig,
} from '@kzoo/common';
import {
  ClientQuotaMatchType,
  type ClientQuotaEntityData,
  type DescribeClientQuotasComponent,
  type DescribeClientQuotasEntry,
} from '@kzoo/protocol';
import { ConfigEntityName } from '@kzoo/zk';
import type { AdminZkClient } from '../admin/AdminZkClient';

/** Kafka's ClientQuotaEntity types. */
export const ClientQuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** A filter component as Kafka's ClientQuotaFilterComponent: match undefined = any name. */
interface FilterComponent {
  entityType: string;
  /** A name (exact), null (the default entity) or undefined (any specified name). */
  match: string | null | undefined;
}

/**
 * Kafka's DescribeClientQuotasRequest.filter: the wire components as filter components (a
 * default or any-name component ignores its match string, as Kafka's does; an exact one
 * without a name, which Kafka fails on, is INVALID_REQUEST here).
 */
function toFilterComponent(c: DescribeClientQuotasComponent): FilterComponent {
  switch (c.matchType) {
    case ClientQuotaMatchType.EXACT:
      if (c.match === null)
        throw new KafkaError(
          'INVALID_REQUEST',
          `Filter component ${c.entityType} matches an exact name (match type 0) but names none`,
        );
      return { entityType: c.entityType, match: c.match };
    case ClientQuotaMatchType.DEFAULT:
      return { entityType: c.entityType, match: null };
    case ClientQuotaMatchType.SPECIFIED:
      return { entityType: c.entityType, match: undefined };
    default:
      throw new KafkaError('INVALID_REQUEST', `Unexpected match type: ${c.matchType}`);
  }
}

const sanitizeEntityName = (name: string | null): string =>
  name === null ? ConfigEntityName.Default : sanitize(name);

const desanitizeEntityName = (name: string): string | null =>
  name === ConfigEntityName.Default ? null : desanitize(name);

/** Kafka's clientQuotaPropsToDoubleMap: the quota keys of a config set as numbers. */
function quotaValues(props: Record<string, string>): Array<{ key: string; value: number }> {
  const out: Array<{ key: string; value: number }> = [];
  for (const [key, v] of Object.entries(props)) {
    if (!isClientOrUserQuotaConfig(key)) continue;
    const value = Number(v);
    if (v.trim() === '' || !Number.isFinite(value))
      throw new KafkaError(
        'INVALID_REQUEST',
        `Cannot parse quota configuration value for ${key}: ${v}`,
      );
    out.push({ key, value });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function entityData(user: string | null | undefined, clientId: string | null | undefined) {
  const e: ClientQuotaEntityData[] = [];
  if (user !== undefined) e.push({ entityType: ClientQuotaEntityType.USER, entityName: user });
  if (clientId !== undefined)
    e.push({ entityType: ClientQuotaEntityType.CLIENT_ID, entityName: clientId });
  return e;
}

/**
 * Kafka's ZkAdminManager.describeClientQuotas: the quota entities matching the filter
 * components (each type at most once; `strict` leaves out entities with components the
 * filter does not name), with their quota values.
 */
export async function describeClientQuotas(
  admin: AdminZkClient,
  components: readonly DescribeClientQuotasComponent[],
  strict: boolean,
): Promise<DescribeClientQuotasEntry[]> {
  let userComponent: FilterComponent | undefined;
  let clientIdComponent: FilterComponent | undefined;
  let ipComponent: FilterComponent | undefined;
  for (const wire of components) {
    const c = toFilterComponent(wire);
    switch (c.entityType) {
      case ClientQuotaEntityType.USER:
        if (userComponent)
          throw new KafkaError('INVALID_REQUEST', 'Duplicate user filter component entity type');
        userComponent = c;
        break;
      case ClientQuotaEntityType.CLIENT_ID:
        if (clientIdComponent)
          throw new KafkaError('INVALID_REQUEST', 'Duplicate client filter component entity type');
        clientIdComponent = c;
        break;
      case ClientQuotaEntityType.IP:
        if (ipComponent)
          throw new KafkaError('INVALID_REQUEST', 'Duplicate ip filter component entity type');
        ipComponent = c;
        break;
      case '':
        throw new KafkaError('INVALID_REQUEST', 'Unexpected empty filter component entity type');
      default:
        throw new KafkaError(
          'UNSUPPORTED_VERSION',
          `Custom entity type '${c.entityType}' not supported`,
        );
    }
  }
  if ((userComponent || clientIdComponent) && ipComponent)
    throw new KafkaError(
      'INVALID_REQUEST',
      'Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.',
    );
  if (ipComponent) return []; // kzoo keeps no ip quotas

  const wantExact = (c: FilterComponent | undefined) => c !== undefined && c.match !== undefined;
  const wantExcluded = (c: FilterComponent | undefined) => strict && c === undefined;
  const exactUser = wantExact(userComponent);
  const exactClientId = wantExact(clientIdComponent);
  const excludeUser = wantExcluded(userComponent);
  const excludeClientId = wantExcluded(clientIdComponent);
  const user = userComponent?.match as string | null;
  const clientId = clientIdComponent?.match as string | null;

  // [user (undefined: no user component; null: default), clientId, props]
  const found: Array<
    [string | null | undefined, string | null | undefined, Record<string, string>]
  > = [];
  const userEntities = await admin.fetchAllEntityConfigs('users');
  if (exactUser && excludeClientId)
    found.push([user, undefined, await admin.fetchEntityConfig('users', sanitizeEntityName(user))]);
  else if (!excludeUser && !exactClientId)
    for (const [name, props] of userEntities)
      if (!name.includes('/')) found.push([desanitizeEntityName(name), undefined, props]);

  if (excludeUser && exactClientId)
    found.push([
      undefined,
      clientId,
      await admin.fetchEntityConfig('clients', sanitizeEntityName(clientId)),
    ]);
  else if (!exactUser && !excludeClientId)
    for (const [name, props] of await admin.fetchAllEntityConfigs('clients'))
      found.push([undefined, desanitizeEntityName(name), props]);

  if (exactUser && exactClientId)
    found.push([
      user,
      clientId,
      await admin.fetchEntityConfig(
        'users',
        `${sanitizeEntityName(user)}/clients/${sanitizeEntityName(clientId)}`,
      ),
    ]);
  else if (!excludeUser && !excludeClientId)
    for (const [name, props] of userEntities) {
      const parts = name.split('/');
      if (parts.length === 1) continue;
      if (parts.length !== 3 || parts[1] !== 'clients')
        throw new KafkaError('UNKNOWN_SERVER_ERROR', `Unexpected config path: ${name}`);
      found.push([desanitizeEntityName(parts[0]!), desanitizeEntityName(parts[2]!), props]);
    }

  const matches = (c: FilterComponent | undefined, name: string | null | undefined) => {
    if (c === undefined) return name === undefined || !strict;
    if (c.match === undefined) return name !== undefined;
    return name === c.match;
  };
  const out: DescribeClientQuotasEntry[] = [];
  for (const [u, c, props] of found) {
    const values = quotaValues(props);
    if (values.length > 0 && matches(userComponent, u) && matches(clientIdComponent, c))
      out.push({ entity: entityData(u, c), values });
  }
  return out;
}

/** One entry of an AlterClientQuotas request. */
export interface ClientQuotaAlteration {
  entity: readonly ClientQuotaEntityData[];
  ops: ReadonlyArray<{ key: string; value: number; remove: boolean }>;
}

/**
 * Kafka's ZkAdminManager.alterClientQuotas for one entry: the entity's current config
 * set with the ops applied (a removal deletes the key; LONG keys must be whole numbers),
 * validated and, unless validateOnly, written with its change notification.
 */
export async function alterClientQuotas(
  admin: AdminZkClient,
  entry: ClientQuotaAlteration,
  validateOnly: boolean,
): Promise<void> {
  if (entry.entity.length === 0)
    throw new KafkaError('INVALID_REQUEST', 'Invalid empty client quota entity');
  let user: string | undefined;
  let clientId: string | undefined;
  let ip: string | undefined;
  for (const { entityType, entityName } of entry.entity) {
    const sanitized = sanitizeEntityName(entityName);
    switch (entityType) {
      case ClientQuotaEntityType.USER:
        user = sanitized;
        break;
      case ClientQuotaEntityType.CLIENT_ID:
        clientId = sanitized;
        break;
      case ClientQuotaEntityType.IP:
        ip = sanitized;
        break;
      default:
        throw new KafkaError(
          'INVALID_REQUEST',
          `Unhandled client quota entity type: ${entityType}`,
        );
    }
    if (entityName !== null && entityName === '')
      throw new KafkaError('INVALID_REQUEST', `Empty ${entityType} not supported`);
  }
  if (ip !== undefined) {
    if (user !== undefined || clientId !== undefined)
      throw new KafkaError(
        'INVALID_REQUEST',
        'Invalid quota entity combination, IP entity should not be used with user/client ID entity.',
      );
    throw new KafkaError(
      'INVALID_REQUEST',
      'IP connection-rate quotas are not supported: kzoo has no ip quota entities',
    );
  }
  const [type, path] =
    user !== undefined
      ? (['users', clientId !== undefined ? `${user}/clients/${clientId}` : user] as const)
      : clientId !== undefined
        ? (['clients', clientId] as const)
        : (() => {
            throw new KafkaError('INVALID_REQUEST', 'Invalid client quota entity');
          })();
  const props = await admin.fetchEntityConfig(type, path);
  for (const op of entry.ops) {
    if (op.remove) {
      delete props[op.key];
      continue;
    }
    const key = quotaConfigKey(op.key);
    if (!key) throw new KafkaError('INVALID_REQUEST', `Invalid configuration key ${op.key}`);
    if (!Number.isFinite(op.value) || op.value < 0)
      throw new KafkaError(
        'INVALID_REQUEST',
        `Configuration ${op.key} must not be negative, got ${op.value}`,
      );
    if (key.type === 'DOUBLE') {
      // as Java's Double.toString writes it (50 → "50.0") for the usual magnitudes
      props[op.key] =
        Number.isInteger(op.value) && op.value < 1e7 ? op.value.toFixed(1) : String(op.value);
      continue;
    }
    const epsilon = 1e-6;
    const whole = Math.trunc(op.value + epsilon);
    if (Math.abs(whole - op.value) > epsilon || !Number.isSafeInteger(whole))
      throw new KafkaError('INVALID_REQUEST', `Configuration ${op.key} must be a LONG value`);
    props[op.key] = String(whole);
  }
  if (validateOnly) return;
  if (type === 'clients') await admin.changeClientIdConfig(path, props);
  else await admin.changeUserOrUserClientIdConfig(path, props);
}
