/**
 * `kzoo topic create|list|describe|alter|delete`: topic administration through a broker,
 * as Kafka's `kafka-topics.sh --bootstrap-server` does (CreateTopics/CreatePartitions/
 * DeleteTopics to the controller, Metadata for list and describe). describe prints Kafka's layout:
 * `Topic: t  TopicId: <base64 Uuid>  PartitionCount: 3  ReplicationFactor: 1  Configs: ...`
 * then one line per partition.
 */
import type { Argv, CommandModule } from 'yargs';
import { Admin, type PartitionDescription, type TopicDescription } from '@kzoo/client';
import { withTopic, UsageError } from '../common';
import { parseKeyValues, runClient, withBootstrap, type BootstrapArgs } from './client-args';

interface TopicArgs extends BootstrapArgs {
  topic?: string;
  partitions?: number;
  'replication-factor'?: number;
  config?: string[];
  'if-not-exists'?: boolean;
  'validate-only'?: boolean;
  json?: boolean;
  'under-replicated-partitions'?: boolean;
  'unavailable-partitions'?: boolean;
}

/** A partition as `topic describe` shows it: with its reassignment while one runs. */
export type DescribedPartition = PartitionDescription & {
  reassignment?: { replicas: number[]; addingReplicas: number[]; removingReplicas: number[] };
};

/**
 * kafka-topics' replication factor of a partition: while a reassignment runs (a replica
 * being added or removed is still in the replica set), the reassignment's replicas not
 * being added; else the replica set.
 */
export function replicationFactor(p: DescribedPartition): number {
  const r = p.reassignment;
  const changing = r ? [...r.addingReplicas, ...r.removingReplicas] : [];
  return r && p.replicas.some((x) => changing.includes(x))
    ? r.replicas.length - r.addingReplicas.length
    : p.replicas.length;
}

/**
 * kafka-topics' describe filters: under-replicated = ISR smaller than the replication
 * factor (a reassignment's new replicas not counted); unavailable = no leader, or a leader
 * that is not live.
 */
export function filterPartitions(
  d: DescribedTopic,
  f: { underReplicated?: boolean; unavailable?: boolean },
): DescribedTopic {
  return {
    ...d,
    partitions: d.partitions.filter(
      (p) =>
        (!f.underReplicated || p.isr.length < replicationFactor(p)) &&
        (!f.unavailable || p.leader < 0 || p.offlineReplicas.includes(p.leader)),
    ),
  };
}

async function withAdmin<R>(args: BootstrapArgs, fn: (admin: Admin) => Promise<R>): Promise<R> {
  const admin = new Admin({
    'bootstrap.servers': args['bootstrap-server'],
    'client.id': 'kzoo-topic',
    'default.api.timeout.ms': 30000,
  });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/**
 * A topic's description with the configs that are not defaults (kafka-topics' `Configs:`)
 * and the reassignments of its partitions.
 */
export type DescribedTopic = Omit<TopicDescription, 'partitions'> & {
  partitions: DescribedPartition[];
  configs?: Record<string, string | null>;
};

export function formatTopicDescription(d: DescribedTopic): string {
  const rf = d.partitions[0] ? replicationFactor(d.partitions[0]) : 0;
  // as kafka-topics: TopicId only for a topic that has one
  let head = `Topic: ${d.name}${d.topicId ? `\tTopicId: ${d.topicId}` : ''}`;
  head += `\tPartitionCount: ${d.partitions.length}\tReplicationFactor: ${rf}`;
  if (d.configs)
    head += `\tConfigs: ${Object.entries(d.configs)
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join(',')}`;
  const lines = [head];
  for (const p of d.partitions) {
    let line =
      `\tTopic: ${d.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}` +
      `\tLeaderEpoch: ${p.leaderEpoch}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`;
    if (p.reassignment)
      line += `\tAdding Replicas: ${p.reassignment.addingReplicas.join(',')}\tRemoving Replicas: ${p.reassignment.removingReplicas.join(',')}`;
    if (p.offlineReplicas.length > 0) line += `\tOffline: ${p.offlineReplicas.join(',')}`;
    if (p.error) line += `\tError: ${p.error}`;
    lines.push(line);
  }
  return lines.join('\n');
}

const create: CommandModule<object, TopicArgs> = {
  command: 'create [topic]',
  describe: 'Create a topic',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y))
      .option('partitions', {
        type: 'number',
        describe: "Partition count (default: the broker's num.partitions)",
      })
      .option('replication-factor', {
        type: 'number',
        describe: "Replicas per partition (default: the broker's default.replication.factor)",
      })
      .option('config', {
        type: 'string',
        array: true,
        describe: 'Topic config key=value (repeatable)',
      })
      .option('if-not-exists', {
        type: 'boolean',
        default: false,
        describe: 'Succeed if the topic exists',
      })
      .option('validate-only', {
        type: 'boolean',
        default: false,
        describe: 'Check the request, create nothing',
      })
      .example(
        '$0 topic create orders --partitions 3 --replication-factor 1 --config retention.ms=60000 --bootstrap-server 127.0.0.1:9092',
        'a 3-partition topic keeping records for a minute',
      ) as Argv<TopicArgs>,
  handler: (args) =>
    runClient(async () => {
      // kafka-topics' checks and sentences
      const rf = args['replication-factor'];
      if (rf !== undefined && !(Number.isInteger(rf) && rf >= 1 && rf <= 32767))
        throw new UsageError('The replication factor must be between 1 and 32767 inclusive');
      const n = args.partitions;
      if (n !== undefined && !(Number.isInteger(n) && n >= 1))
        throw new UsageError('The partitions must be greater than 0');
      const configs = parseKeyValues(args.config, 'config');
      await withAdmin(args, async (admin) => {
        try {
          await admin.createTopics(
            [
              {
                topic: args.topic!,
                numPartitions: args.partitions,
                replicationFactor: args['replication-factor'],
                configs,
              },
            ],
            { validateOnly: args['validate-only'] },
          );
        } catch (e) {
          if (
            args['if-not-exists'] &&
            (e as { errorName?: string }).errorName === 'TOPIC_ALREADY_EXISTS'
          )
            return;
          throw e;
        }
        process.stdout.write(
          args['validate-only']
            ? `Topic ${args.topic} is valid.\n`
            : `Created topic ${args.topic}.\n`,
        );
      });
    }),
};

const list: CommandModule<object, TopicArgs> = {
  command: 'list',
  describe: 'List topic names',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('json', { type: 'boolean', default: false, describe: 'The names as a JSON array' })
      .example(
        '$0 topic list --bootstrap-server 127.0.0.1:9092',
        'one name per line',
      ) as Argv<TopicArgs>,
  handler: (args) =>
    runClient(async () => {
      const names = await withAdmin(args, (admin) => admin.listTopics());
      if (args.json) process.stdout.write(JSON.stringify(names) + '\n');
      else if (names.length > 0) process.stdout.write(names.join('\n') + '\n');
    }),
};

/** How long `topic describe` waits for the controller's list of reassignments. */
const REASSIGNMENTS_WAIT_MS = 5000;

/**
 * The ongoing reassignments by `topic-partition`, through an Admin of its own whose requests
 * time out after REASSIGNMENTS_WAIT_MS (a paused controller still accepts connections: the
 * request would otherwise hold the command, and its exit, for the full request timeout);
 * empty when the controller does not answer in time.
 */
async function ongoingReassignments(
  args: BootstrapArgs,
): Promise<Map<string, NonNullable<DescribedPartition['reassignment']>>> {
  const moving = new Map<string, NonNullable<DescribedPartition['reassignment']>>();
  const admin = new Admin({
    'bootstrap.servers': args['bootstrap-server'],
    'client.id': 'kzoo-topic',
    'request.timeout.ms': REASSIGNMENTS_WAIT_MS,
    'default.api.timeout.ms': REASSIGNMENTS_WAIT_MS,
  });
  try {
    for (const r of await admin.listPartitionReassignments(null))
      moving.set(`${r.topic}-${r.partition}`, {
        replicas: r.replicas,
        addingReplicas: r.addingReplicas,
        removingReplicas: r.removingReplicas,
      });
  } catch {
    // as kafka-topics: describe without them
  } finally {
    await admin.close();
  }
  return moving;
}

const describe: CommandModule<object, TopicArgs> = {
  command: 'describe [topic]',
  describe: 'Show partitions, leaders, replicas and ISR (all topics without a name)',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y), false)
      .option('json', { type: 'boolean', default: false, describe: 'One JSON object per topic' })
      .option('under-replicated-partitions', {
        alias: 'under-replicated',
        type: 'boolean',
        default: false,
        describe: 'Only partitions whose ISR is smaller than their replica set',
      })
      .option('unavailable-partitions', {
        alias: 'unavailable',
        type: 'boolean',
        default: false,
        describe: 'Only partitions without a live leader',
      })
      .example('$0 topic describe orders', 'partitions of one topic')
      .example(
        '$0 topic describe --unavailable',
        'partitions that cannot be written',
      ) as Argv<TopicArgs>,
  handler: (args) =>
    runClient(async () => {
      const out: DescribedTopic[] = await withAdmin(args, async (admin) => {
        const names = args.topic ? [args.topic] : await admin.listTopics();
        if (names.length === 0) return [];
        // Each partition's reassignment while one runs, asked first (the controller may be
        // unreachable: at most REASSIGNMENTS_WAIT_MS, then without them, as kafka-topics goes
        // on without them), so that the partition states printed are the freshest.
        const moving = await ongoingReassignments(args);
        const topics = await admin.describeTopics(names);
        // kafka-topics prints the configs that are not defaults (overrides, broker settings)
        const configs = await admin.describeConfigs(
          topics.map((t) => ({ type: 'topic' as const, name: t.name })),
        );
        return topics.map((t, i) => ({
          ...t,
          partitions: t.partitions.map((p) => {
            const r = moving.get(`${t.name}-${p.partition}`);
            return r ? { ...p, reassignment: r } : p;
          }),
          configs: Object.fromEntries(
            configs[i].configs.filter((e) => !e.isDefault).map((e) => [e.name, e.value]),
          ),
        }));
      });
      const filtering = args['under-replicated-partitions'] || args['unavailable-partitions'];
      const text = out
        .map((d) =>
          filtering
            ? filterPartitions(d, {
                underReplicated: args['under-replicated-partitions'],
                unavailable: args['unavailable-partitions'],
              })
            : d,
        )
        .filter((d) => !filtering || d.partitions.length > 0)
        .map((d) =>
          args.json
            ? JSON.stringify(d)
            : filtering
              ? formatTopicDescription(d).split('\n').slice(1).join('\n')
              : formatTopicDescription(d),
        )
        .join('\n');
      if (text) process.stdout.write(text + '\n');
    }),
};

const alter: CommandModule<object, TopicArgs> = {
  command: 'alter [topic]',
  describe: 'Add partitions to a topic (the count only grows)',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y))
      .option('partitions', {
        type: 'number',
        demandOption: true,
        describe: 'The new total partition count',
      })
      .example(
        '$0 topic alter orders --partitions 9',
        'grow orders to 9 partitions',
      ) as Argv<TopicArgs>,
  handler: (args) =>
    runClient(async () => {
      await withAdmin(args, (admin) =>
        admin.createPartitions([{ topic: args.topic!, count: args.partitions! }]),
      );
      process.stdout.write(`Topic ${args.topic} now has ${args.partitions} partitions.\n`);
    }),
};

const del: CommandModule<object, TopicArgs> = {
  command: 'delete [topic]',
  describe: 'Delete a topic',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y)).example(
      '$0 topic delete orders',
      'the topic and its data go',
    ) as Argv<TopicArgs>,
  handler: (args) =>
    runClient(async () => {
      await withAdmin(args, (admin) => admin.deleteTopics([args.topic!]));
      process.stdout.write(`Deleted topic ${args.topic}.\n`);
    }),
};

export const topicCommand: CommandModule = {
  command: 'topic <command>',
  describe: 'Create, list, describe and delete topics (through a broker)',
  builder: (y: Argv) =>
    y
      .command(create)
      .command(list)
      .command(describe)
      .command(alter)
      .command(del)
      .demandCommand(1, 'name a topic command: create, list, describe, alter or delete'),
  handler: () => undefined,
};
