/**
 * `kzoo configs --describe|--alter --entity-type topics|brokers|clients|users [--entity-name X]
 * [--add-config k=v,k2=[a,b]] [--delete-config k1,k2] [--all]`: configs through a broker,
 * as Kafka's `kafka-configs.sh --bootstrap-server` (DescribeConfigs with synonyms;
 * IncrementalAlterConfigs: --add-config = SET, --delete-config = DELETE). describe
 * prints Kafka's layout: `Dynamic configs for topic t are:` (only the overrides; with
 * --all every config, `All configs for ...`) then `  k=v sensitive=false synonyms={...}`.
 * Brokers: `--entity-name <id>` is that broker's dynamic configs (`/config/brokers/<id>`),
 * `--entity-default` the cluster-wide ones (`/config/brokers/<default>`); the broker
 * refuses keys it cannot change at runtime. Clients and users (client quotas:
 * producer_byte_rate, consumer_byte_rate, request_percentage, all enforced by the brokers;
 * controller_mutation_rate, stored only) go through DescribeClientQuotas /
 * AlterClientQuotas: quota-configs.ts.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin, type AlterConfigOp, type ConfigEntry, type ConfigResource } from '@kzoo/client';
import { runClient, withBootstrap, writeOut, type BootstrapArgs } from './client-args';
import { alterQuotas, describeQuotas, type QuotaEntityArg } from './quota-configs';

interface ConfigsArgs extends BootstrapArgs {
  describe: boolean;
  alter: boolean;
  /** Repeated (users, then clients) for a user's client quota. */
  'entity-type'?: 'topics' | 'brokers' | 'clients' | 'users' | Array<'clients' | 'users'>;
  'entity-name'?: string | string[];
  'entity-default': boolean;
  user?: string;
  client?: string;
  'user-defaults': boolean;
  'client-defaults': boolean;
  'add-config'?: string;
  'delete-config'?: string;
  all: boolean;
  json: boolean;
}

/** kafka-configs' --delete-config: `k1,k2`, the keys to remove. */
function parseDeleteConfig(s: string): string[] {
  return s
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/**
 * kafka-configs' --add-config: `k1=v1,k2=[v2,v3]` (square brackets keep a list value's
 * commas). Throws naming the bad entry.
 */
export function parseAddConfig(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      entries.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new Error(`--add-config: unbalanced brackets in ${JSON.stringify(s)}`);
  entries.push(cur);
  for (const e of entries.map((x) => x.trim()).filter(Boolean)) {
    const i = e.indexOf('=');
    if (i <= 0) throw new Error(`--add-config expects k=v[,k=v...], got ${JSON.stringify(e)}`);
    const v = e.slice(i + 1).trim();
    out[e.slice(0, i).trim()] = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
  }
  return out;
}

/**
 * The client-quota entities named on the command line (kafka-configs' entityTypes and
 * entityNames), or null when the command is about topics or brokers. Throws naming a bad
 * combination.
 */
export function quotaEntitiesOf(a: ConfigsArgs): QuotaEntityArg[] | null {
  const types = ([] as string[]).concat(a['entity-type'] ?? []);
  const names = ([] as string[]).concat(a['entity-name'] ?? []);
  const shorthand =
    a.user !== undefined || a.client !== undefined || a['user-defaults'] || a['client-defaults'];
  const quotaTypes = types.filter((t) => t === 'clients' || t === 'users');
  if (!shorthand && quotaTypes.length === 0) return null;
  if (quotaTypes.length !== types.length)
    throw new Error('--entity-type topics or brokers cannot be combined with clients or users');
  if (shorthand) {
    if (types.length > 0)
      throw new Error('--user/--client and their -defaults replace --entity-type; give one form');
    if (a.user !== undefined && a['user-defaults'])
      throw new Error('--user and --user-defaults exclude each other');
    if (a.client !== undefined && a['client-defaults'])
      throw new Error('--client and --client-defaults exclude each other');
    const out: QuotaEntityArg[] = [];
    if (a.user !== undefined || a['user-defaults'])
      out.push({ type: 'users', name: a['user-defaults'] ? '' : a.user });
    if (a.client !== undefined || a['client-defaults'])
      out.push({ type: 'clients', name: a['client-defaults'] ? '' : a.client });
    return out;
  }
  if (types.length === 1) {
    if (names.length > 1) throw new Error('one --entity-name per --entity-type');
    if (a['entity-default'] && names.length > 0)
      throw new Error('--entity-name and --entity-default exclude each other');
    return [{ type: types[0] as 'clients' | 'users', name: a['entity-default'] ? '' : names[0] }];
  }
  if (types.length !== 2 || types[0] !== 'users' || types[1] !== 'clients')
    throw new Error(
      'two entity types are a user and its client: --entity-type users ... --entity-type clients ...',
    );
  if (a['entity-default'])
    throw new Error(
      'with a user and a client, say the defaults as --user-defaults / --client-defaults',
    );
  if (names.length === 1) throw new Error('give an --entity-name for both entity types, or none');
  return [
    { type: 'users', name: names[0] },
    { type: 'clients', name: names[1] },
  ];
}

/** The source of what `--alter` sets on this entity (Kafka's ConfigCommand filter). */
function dynamicSource(entityType: 'topics' | 'brokers', name: string): ConfigEntry['source'] {
  if (entityType === 'topics') return 'DYNAMIC_TOPIC_CONFIG';
  return name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
}

/** What describe shows: the dynamic configs of the entity, or every config with --all. */
function selectConfigs(
  entityType: 'topics' | 'brokers',
  name: string,
  configs: ConfigEntry[],
  all: boolean,
): ConfigEntry[] {
  const dynamic = dynamicSource(entityType, name);
  return all ? configs : configs.filter((c) => c.source === dynamic);
}

/** Kafka's ConfigCommand describe lines for one resource. */
export function formatConfigs(
  entityType: 'topics' | 'brokers',
  name: string,
  configs: ConfigEntry[],
  all: boolean,
): string {
  const shown = selectConfigs(entityType, name, configs, all);
  const head =
    entityType === 'brokers' && name === ''
      ? 'Default configs for brokers in the cluster are:'
      : `${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${name} are:`;
  const lines = shown.map(
    (c) =>
      `  ${c.name}=${c.value ?? 'null'} sensitive=${c.isSensitive} synonyms={${c.synonyms
        .map((y) => `${y.source}:${y.name}=${y.value ?? 'null'}`)
        .join(', ')}}`,
  );
  return [head, ...lines].join('\n') + '\n';
}

export const configsCommand: CommandModule<object, ConfigsArgs> = {
  command: 'configs',
  describe: 'Describe or alter topic, broker and client quota configs, as kafka-configs.sh',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('describe', { type: 'boolean', default: false, describe: 'Show configs' })
      .option('alter', { type: 'boolean', default: false, describe: 'Change configs' })
      .option('entity-type', {
        type: 'string',
        choices: ['topics', 'brokers', 'clients', 'users'] as const,
        describe:
          "topics, brokers, clients or users (users then clients, each with --entity-name: a user's client)",
      })
      .option('entity-name', {
        type: 'string',
        describe: 'Topic name, broker id, client id or user principal name',
      })
      .option('entity-default', {
        type: 'boolean',
        default: false,
        describe:
          'The default entity: cluster-wide broker configs, or the default client/user quota',
      })
      .option('user', { type: 'string', describe: "The user's principal name (client quotas)" })
      .option('client', { type: 'string', describe: "The client's ID (client quotas)" })
      .option('user-defaults', {
        type: 'boolean',
        default: false,
        describe: 'The quota defaults for all users',
      })
      .option('client-defaults', {
        type: 'boolean',
        default: false,
        describe: 'The quota defaults for all clients',
      })
      .option('add-config', {
        type: 'string',
        describe: 'k=v[,k=v...] to set; [a,b] for a list value (cleanup.policy=[compact,delete])',
      })
      .option('delete-config', {
        type: 'string',
        describe: 'k[,k...] to remove (back to the default)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'With --describe: the configs as JSON (name, value, source, ...)',
      })
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 'With --describe: every config, not only the overrides',
      })
      .example('$0 configs --describe --entity-type topics --entity-name orders', 'the overrides')
      .example(
        '$0 configs --alter --entity-type topics --entity-name orders --add-config retention.ms=86400000,min.insync.replicas=2',
        'set configs (applied live by every broker)',
      )
      .example(
        '$0 configs --alter --entity-type topics --entity-name orders --delete-config min.insync.replicas',
        'back to the broker default',
      )
      .example(
        '$0 configs --alter --entity-type brokers --entity-default --add-config log.retention.ms=3600000',
        'a cluster-wide dynamic broker config (every broker applies it live)',
      )
      .example(
        '$0 configs --alter --entity-type clients --entity-name app --add-config producer_byte_rate=102400,consumer_byte_rate=204800',
        'a client quota (bytes/s; every broker throttles the client live)',
      )
      .example(
        '$0 configs --alter --entity-type clients --entity-default --add-config request_percentage=25',
        "every client's requests held to 25 % of each broker's time (KIP-124)",
      )
      .example(
        '$0 configs --describe --entity-type clients',
        'every client quota (--entity-default: the default client quota)',
      )
      .check((a) => {
        if (a.describe === a.alter) throw new Error('say --describe or --alter');
        const quota = quotaEntitiesOf(a);
        if (quota) {
          if (a.alter && quota.some((e) => e.name === undefined))
            throw new Error(
              '--alter of clients/users needs --entity-name or --entity-default for each entity type',
            );
          if (a.alter && !a['add-config'] && !a['delete-config'])
            throw new Error('--alter needs --add-config and/or --delete-config');
          if (a.describe && (a['add-config'] || a['delete-config']))
            throw new Error('--add-config and --delete-config go with --alter');
          if (a.all) throw new Error('--all is for topics and brokers');
          return true;
        }
        if (a['entity-type'] === undefined)
          throw new Error('say --entity-type (topics, brokers, clients or users)');
        if (Array.isArray(a['entity-type']) || Array.isArray(a['entity-name']))
          throw new Error('one --entity-type and --entity-name for topics and brokers');
        if (a.alter && a['entity-type'] === 'topics' && !a['entity-name'])
          throw new Error('--alter of topics needs --entity-name');
        if (a['entity-default'] && a['entity-type'] !== 'brokers')
          throw new Error('--entity-default is for brokers only');
        if (a['entity-default'] && a['entity-name'] !== undefined)
          throw new Error('--entity-name and --entity-default exclude each other');
        if (a.alter && a['entity-type'] === 'brokers' && !a['entity-name'] && !a['entity-default'])
          throw new Error('--alter of brokers needs --entity-name <id> or --entity-default');
        if (a.alter && !a['add-config'] && !a['delete-config'])
          throw new Error('--alter needs --add-config and/or --delete-config');
        if (a.describe && (a['add-config'] || a['delete-config']))
          throw new Error('--add-config and --delete-config go with --alter');
        return true;
      }) as Argv<ConfigsArgs>,
  handler: (args) =>
    runClient(async () => {
      const admin = new Admin({
        'bootstrap.servers': args['bootstrap-server'],
        'client.id': 'kzoo-configs',
        'default.api.timeout.ms': 30000,
      });
      const quota = quotaEntitiesOf(args);
      if (quota) {
        try {
          if (args.describe) {
            await describeQuotas(admin, quota, args.json);
            return;
          }
          const set = parseAddConfig(args['add-config'] ?? '');
          const del = parseDeleteConfig(args['delete-config'] ?? '');
          await writeOut(await alterQuotas(admin, quota, set, del));
        } finally {
          await admin.close();
        }
        return;
      }
      const entityType = args['entity-type'] as 'topics' | 'brokers';
      const resource: ConfigResource = {
        type: entityType === 'topics' ? 'topic' : 'broker',
        name: args['entity-default'] ? '' : ((args['entity-name'] as string | undefined) ?? ''),
      };
      try {
        if (args.describe) {
          // Without a name, as kafka-configs: every topic, or every broker then the default.
          const one = args['entity-default'] || args['entity-name'] !== undefined;
          const names = one
            ? [resource.name]
            : entityType === 'topics'
              ? (await admin.listTopics({ listInternal: true })).sort()
              : [
                  ...(await admin.describeCluster()).brokers
                    .map((b) => b.nodeId)
                    .sort((x, y) => x - y)
                    .map(String),
                  '',
                ];
          const described: Array<{ name: string; configs: ConfigEntry[] }> = [];
          for (const name of names) {
            const [r] = await admin.describeConfigs([{ type: resource.type, name }], {
              includeSynonyms: true,
            });
            described.push({ name, configs: r.configs });
          }
          if (args.json) {
            // the same selection as the text: what is set on the entity, or all with --all
            const out = described.map((d) => ({
              entityType,
              entityName: d.name,
              configs: selectConfigs(entityType, d.name, d.configs, args.all),
            }));
            await writeOut(JSON.stringify(one ? out[0] : out) + '\n');
            return;
          }
          await writeOut(
            described.map((d) => formatConfigs(entityType, d.name, d.configs, args.all)).join(''),
          );
          return;
        }
        const set = parseAddConfig(args['add-config'] ?? '');
        const del = parseDeleteConfig(args['delete-config'] ?? '');
        if (del.length > 0) {
          // kafka-configs refuses to delete what is not set on the entity.
          const [r] = await admin.describeConfigs([resource]);
          const source = dynamicSource(entityType, resource.name);
          const overridden = new Set(
            r.configs.filter((c) => c.source === source).map((c) => c.name),
          );
          const missing = del.filter((k) => !overridden.has(k));
          if (missing.length > 0) throw new Error(`Invalid config(s): ${missing.join(',')}`);
        }
        const ops: AlterConfigOp[] = [
          ...Object.entries(set).map(([name, value]) => ({ name, op: 'set' as const, value })),
          ...del.map((name) => ({ name, op: 'delete' as const })),
        ];
        await admin.incrementalAlterConfigs([{ resource, ops }]);
        await writeOut(
          resource.name === ''
            ? `Completed updating default config for ${entityType} in the cluster.\n`
            : `Completed updating config for ${resource.type} ${resource.name}.\n`,
        );
      } finally {
        await admin.close();
      }
    }),
};
