/**
 * `kzoo configs` for client quotas (entity types `clients` and `users`), as
 * kafka-configs.sh --bootstrap-server does them since KIP-546: through the Admin's
 * describeClientQuotas / alterClientQuotas (DescribeClientQuotas / AlterClientQuotas to
 * any broker). Entities: `--entity-type clients|users --entity-name X | --entity-default`,
 * a user's client `--entity-type users --entity-name U --entity-type clients
 * --entity-name C`, or Kafka's shorthands `--user U | --user-defaults` and
 * `--client C | --client-defaults`. Messages and validation in kafka-configs' words.
 */
import type { Admin, ClientQuotaEntity, ClientQuotaFilterComponent } from '@kzoo/client';
import { isClientOrUserQuotaConfig } from '@kzoo/common';
import { writeOut } from './client-args';

export type QuotaEntityType = 'clients' | 'users';
/** One entity component: its type and name ('' = the default entity, undefined = any). */
export interface QuotaEntityArg {
  type: QuotaEntityType;
  name: string | undefined;
}

/** Java's Double.toString, as kafka-configs prints quota values (`102400.0`, `1.048576E7`). */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [m, e] = n.toExponential().split('e');
  return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
}

const entityTypeName = (t: QuotaEntityType) => (t === 'users' ? 'user' : 'client-id');

/** Kafka's describeQuotaConfigs lines: `Quota configs for client-id 'app' are k=v, ...`. */
export function formatQuotaDescriptions(
  descriptions: Array<{ entity: ClientQuotaEntity; values: Record<string, number> }>,
): string {
  return descriptions
    .map(({ entity, values }) => {
      const parts: string[] = [];
      for (const [type, label] of [
        ['user', 'user-principal'],
        ['client-id', 'client-id'],
      ] as const) {
        if (!(type in entity)) continue;
        const name = entity[type];
        parts.push(
          name === null || name === undefined ? `the default ${label}` : `${label} '${name}'`,
        );
      }
      const entries = Object.entries(values)
        .map(([k, v]) => `${k}=${javaDouble(v)}`)
        .join(', ');
      return `Quota configs for ${parts.join(', ')} are ${entries}\n`;
    })
    .join('');
}

function filterOf(entities: readonly QuotaEntityArg[]): ClientQuotaFilterComponent[] {
  return entities.map((e) => ({
    entityType: entityTypeName(e.type),
    ...(e.name === undefined ? {} : { match: e.name === '' ? null : e.name }),
  }));
}

function entityOf(entities: readonly QuotaEntityArg[]): ClientQuotaEntity {
  const out: ClientQuotaEntity = {};
  for (const e of entities) {
    if (e.name === undefined)
      throw new Error('Exactly one entity name must be specified for every entity type');
    out[entityTypeName(e.type)] = e.name === '' ? null : e.name;
  }
  return out;
}

export async function describeQuotas(
  admin: Admin,
  entities: readonly QuotaEntityArg[],
  json: boolean,
): Promise<void> {
  const found = await admin.describeClientQuotas({
    components: filterOf(entities),
    strict: true,
  });
  if (json) {
    await writeOut(JSON.stringify(found) + '\n');
    return;
  }
  await writeOut(formatQuotaDescriptions(found));
}

/**
 * kafka-configs' alter of client/user quotas: only quota keys (its message otherwise), a
 * deleted key must be set, values must parse as numbers; then one AlterClientQuotas.
 */
export async function alterQuotas(
  admin: Admin,
  entities: readonly QuotaEntityArg[],
  add: Record<string, string>,
  del: readonly string[],
): Promise<string> {
  const head = entities[0]!;
  const clientish = head.type === 'clients' || entities.length === 2;
  const unknownAdd = Object.keys(add).filter((k) => !isClientOrUserQuotaConfig(k));
  const unknownDel = del.filter((k) => !isClientOrUserQuotaConfig(k));
  const scope = clientish
    ? "Only quota configs can be %s for 'clients'"
    : "Only quota and SCRAM credential configs can be %s for 'users'";
  if (unknownAdd.length > 0)
    throw new Error(
      `${scope.replace('%s', 'added')} using --bootstrap-server. Unexpected config names: Set(${unknownAdd.join(', ')})`,
    );
  if (unknownDel.length > 0)
    throw new Error(
      `${scope.replace('%s', 'deleted')} using --bootstrap-server. Unexpected config names: Set(${unknownDel.join(', ')})`,
    );
  const entity = entityOf(entities);
  const [current] = await admin.describeClientQuotas({
    components: filterOf(entities),
    strict: true,
  });
  const invalid = del.filter((k) => !(k in (current?.values ?? {})));
  if (invalid.length > 0) throw new Error(`Invalid config(s): ${invalid.join(',')}`);
  const ops = [
    ...Object.entries(add).map(([key, v]) => {
      const value = v.trim() === '' ? NaN : Number(v);
      if (!Number.isFinite(value))
        throw new Error(`Cannot parse quota configuration value for ${key}: ${v}`);
      return { key, value };
    }),
    ...del.map((key) => ({ key, value: null })),
  ];
  await admin.alterClientQuotas([{ entity, ops }]);
  return head.name
    ? `Completed updating config for ${head.type.slice(0, -1)} ${head.name}.\n`
    : `Completed updating default config for ${head.type} in the cluster.\n`;
}
