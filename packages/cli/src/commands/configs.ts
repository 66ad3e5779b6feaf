/**
 * `kzoo configs --describe|--alter --entity-type topics|brokers [--entity-name X]
 * [--add-config k=v,k2=[a,b]] [--delete-config k1,k2] [--all]`: configs through a broker,
 * as Kafka's `kafka-configs.sh --bootstrap-server` (DescribeConfigs with synonyms;
 * IncrementalAlterConfigs: --add-config = SET, --delete-config = DELETE). describe
 * prints Kafka's layout: `Dynamic configs for topic t are:` (only the overrides; with
 * --all every config, `All configs for ...`) then `  k=v sensitive=false synonyms={...}`.
 * Brokers: `--entity-name <id>` is that broker's dynamic configs (`/config/brokers/<id>`),
 * `--entity-default` the cluster-wide ones (`/config/brokers/<default>`); the broker
 * refuses keys it cannot change at runtime.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin, type AlterConfigOp, type ConfigEntry, type ConfigResource } from '@kzoo/client';
import { runClient, withBootstrap, writeOut, type BootstrapArgs } from './client-args';

interface ConfigsArgs extends BootstrapArgs {
  describe: boolean;
  alter: boolean;
  'entity-type': 'topics' | 'brokers';
  'entity-name'?: string;
  'entity-default': boolean;
  'add-config'?: string;
  'delete-config'?: string;
  all: boolean;
  json: boolean;
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
  describe: 'Describe or alter topic and broker configs, as kafka-configs.sh',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('describe', { type: 'boolean', default: false, describe: 'Show configs' })
      .option('alter', { type: 'boolean', default: false, describe: 'Change configs' })
      .option('entity-type', {
        type: 'string',
        choices: ['topics', 'brokers'] as const,
        demandOption: true,
        describe: 'topics or brokers',
      })
      .option('entity-name', { type: 'string', describe: 'Topic name or broker id' })
      .option('entity-default', {
        type: 'boolean',
        default: false,
        describe: 'The cluster-wide broker defaults (brokers only)',
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
      .check((a) => {
        if (a.describe === a.alter) throw new Error('say --describe or --alter');
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
      const entityType = args['entity-type'];
      const resource: ConfigResource = {
        type: entityType === 'topics' ? 'topic' : 'broker',
        name: args['entity-default'] ? '' : (args['entity-name'] ?? ''),
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
        const del = (args['delete-config'] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
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
