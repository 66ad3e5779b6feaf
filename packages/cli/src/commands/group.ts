/**
 * `kzoo group list|describe|reset-offsets|delete`: consumer-group administration through a
 * broker, as Kafka's `kafka-consumer-groups.sh --bootstrap-server` does it. describe prints
 * Kafka's columns (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST
 * CLIENT-ID), one row per partition the group owns or has committed, the log end offset
 * being the partition's high watermark; then the total lag. reset-offsets is a dry run
 * unless `--execute`, and is refused while the group has members.
 */
import * as fs from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { KafkaError, tpKey } from '@kzoo/common';
import {
  Admin,
  type GroupDescription,
  type PartitionOffset,
  type TopicPartition,
} from '@kzoo/client';
import { UsageError } from '../common';
import { runClient, withBootstrap, type BootstrapArgs } from './client-args';

interface GroupArgs extends BootstrapArgs {
  group?: string;
  'all-groups'?: boolean;
  members?: boolean;
  state?: boolean;
  offsets?: boolean;
  json?: boolean;
  topic?: string[];
  'all-topics'?: boolean;
  'to-earliest'?: boolean;
  'to-latest'?: boolean;
  'to-offset'?: number;
  'shift-by'?: number;
  'to-datetime'?: string;
  'by-duration'?: string;
  'to-current'?: boolean;
  'from-file'?: string;
  export?: boolean;
  'dry-run'?: boolean;
  execute?: boolean;
}

async function withAdmin<R>(args: BootstrapArgs, fn: (admin: Admin) => Promise<R>): Promise<R> {
  const admin = new Admin({
    'bootstrap.servers': args['bootstrap-server'],
    'client.id': 'kzoo-consumer-groups',
    'default.api.timeout.ms': 30000,
  });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

const byTp = (a: TopicPartition, b: TopicPartition) =>
  a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;

/** One row of `group describe`; offsets null where Kafka prints `-`. */
export interface GroupPartitionRow {
  topic: string;
  partition: number;
  currentOffset: number | null;
  /** null when the partition's leader cannot answer now. */
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface GroupReport {
  group: string;
  state: string;
  coordinator: number;
  protocol: string;
  members: GroupDescription['members'];
  partitions: GroupPartitionRow[];
  /** Sum of the lags that are known (rows with '-' count for nothing). */
  totalLag: number;
}

/** Describes a group: members, and per partition committed offset, high watermark and lag. */
export async function describeGroup(admin: Admin, group: string): Promise<GroupReport> {
  const [d] = await admin.describeGroups([group]);
  const committed = await admin.listConsumerGroupOffsets(group);
  const owner = new Map<string, GroupDescription['members'][number]>();
  for (const m of d.members) for (const tp of m.assignment) owner.set(tpKey(tp), m);
  const tps = new Map<string, TopicPartition>();
  for (const m of d.members) for (const tp of m.assignment) tps.set(tpKey(tp), tp);
  for (const c of committed) tps.set(tpKey(c), { topic: c.topic, partition: c.partition });
  const list = [...tps.values()].sort(byTp);
  // partitions without a leader right now (a broker down) show '-' instead of failing
  const ends = new Map(
    (await admin.listOffsets(list, 'latest', { partial: true })).map((o) => [
      tpKey(o),
      o.offset >= 0 ? o.offset : null,
    ]),
  );
  const offsets = new Map(committed.map((c) => [tpKey(c), c.offset]));
  let totalLag = 0;
  const partitions = list.map((tp): GroupPartitionRow => {
    const k = tpKey(tp);
    const current = offsets.get(k) ?? null;
    const end = ends.get(k) ?? null;
    const lag = current === null || end === null ? null : Math.max(0, end - current);
    if (lag !== null) totalLag += lag;
    const m = owner.get(k);
    return {
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: current,
      logEndOffset: end,
      lag,
      consumerId: m?.memberId ?? null,
      host: m?.host ?? null,
      clientId: m?.clientId ?? null,
    };
  });
  return {
    group,
    state: d.state,
    coordinator: d.coordinator,
    protocol: d.protocol,
    members: d.members,
    partitions,
    totalLag,
  };
}

function table(header: string[], rows: string[][], gap = ' '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join(gap)
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const dash = (v: string | number | null) => (v === null ? '-' : String(v));

export function formatGroupReport(r: GroupReport): string {
  const out: string[] = [];
  if (r.members.length === 0) out.push(`Consumer group '${r.group}' has no active members.`);
  out.push('');
  out.push(
    table(
      [
        'GROUP',
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ],
      r.partitions.map((p) => [
        r.group,
        p.topic,
        String(p.partition),
        dash(p.currentOffset),
        dash(p.logEndOffset),
        dash(p.lag),
        dash(p.consumerId),
        dash(p.host),
        dash(p.clientId),
      ]),
    ),
  );
  out.push('');
  out.push(
    `TOTAL-LAG: ${r.totalLag}  STATE: ${r.state}  MEMBERS: ${r.members.length}  COORDINATOR: ${r.coordinator}`,
  );
  return out.join('\n');
}

/**
 * `group describe --members`: kafka-consumer-groups' member table, with its
 * GROUP-INSTANCE-ID column when some member is static (KIP-345), as Kafka prints it.
 */
export function formatGroupMembers(r: GroupReport): string {
  if (r.members.length === 0) return `\nConsumer group '${r.group}' has no active members.`;
  const withInstanceId = r.members.some((m) => m.groupInstanceId);
  return (
    '\n' +
    table(
      withInstanceId
        ? ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS']
        : ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'],
      r.members.map((m) => [
        r.group,
        m.memberId,
        ...(withInstanceId ? [m.groupInstanceId ?? ''] : []),
        m.host,
        m.clientId,
        String(m.assignment.length),
      ]),
    )
  );
}

/** `group describe --state`: coordinator, assignment strategy, state and member count. */
export function formatGroupState(r: GroupReport, coordinatorAddress: string): string {
  return (
    '\n' +
    table(
      ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
      [
        [
          r.group,
          `${coordinatorAddress} (${r.coordinator})`,
          r.protocol || '',
          r.state,
          String(r.members.length),
        ],
      ],
      '  ',
    )
  );
}

/** `--topic T` or `--topic T:0,2`: the partitions named (all of T's without a list). */
async function resolveTopics(admin: Admin, specs: string[]): Promise<TopicPartition[]> {
  const out: TopicPartition[] = [];
  for (const spec of specs) {
    const i = spec.indexOf(':');
    const topic = i < 0 ? spec : spec.slice(0, i);
    const [d] = await admin.describeTopics([topic]);
    const all = d.partitions.map((p) => p.partition);
    if (i < 0) {
      for (const partition of all) out.push({ topic, partition });
      continue;
    }
    for (const s of spec.slice(i + 1).split(',')) {
      const partition = Number(s);
      if (!/^\d+$/.test(s) || !all.includes(partition))
        throw new KafkaError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `partition ${JSON.stringify(s)} of topic ${topic} does not exist (topic has ${all.length})`,
        );
      out.push({ topic, partition });
    }
  }
  return out.sort(byTp);
}

/**
 * `--to-datetime`: Kafka's `yyyy-MM-ddTHH:mm:ss.SSS`, optionally followed by `Z` or a
 * `+hh:mm` offset; without one, local time (as Kafka's tool). Milliseconds since the epoch.
 */
export function parseDateTime(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?(Z|[+-]\d\d:?\d\d)?$/.exec(
    s.trim(),
  );
  if (!m)
    throw new UsageError(
      `Error parsing timestamp '${s}': expected yyyy-MM-ddTHH:mm:ss.SSS[Z|+hh:mm]`,
    );
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  if (m[8] === undefined) return new Date(y, mo - 1, d, h, mi, sec, ms).getTime();
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  if (m[8] === 'Z') return utc;
  const sign = m[8][0] === '-' ? -1 : 1;
  const digits = m[8].slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
}

/** `--by-duration`: an ISO 8601 duration `PnDTnHnMn.nS` (java.time.Duration's), in ms. */
export function parseDuration(s: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(s.trim());
  if (
    !m ||
    s.trim().length <= 1 ||
    /T$/i.test(s.trim()) ||
    m.slice(1).every((x) => x === undefined)
  )
    throw new UsageError(
      `Error parsing duration '${s}': expected an ISO 8601 duration PnDTnHnMn.nS`,
    );
  const [d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0));
  return Math.round(((d * 24 + h) * 60 + mi) * 60000 + sec * 1000);
}

/** Kafka's reset-offsets plan: the new offset per partition, kept within [earliest, latest]. */
export async function planReset(
  admin: Admin,
  group: string,
  tps: TopicPartition[],
  how: {
    toEarliest?: boolean;
    toLatest?: boolean;
    toOffset?: number;
    shiftBy?: number;
    /** --to-datetime / --by-duration: the first offset at or after this time, else the end. */
    toTimestamp?: number;
    /** --to-current: the committed offset as it is (the log end where none is committed). */
    toCurrent?: boolean;
    /** --from-file: each partition's offset from the plan (tpKey → offset). */
    fromFile?: ReadonlyMap<string, number>;
  },
): Promise<PartitionOffset[]> {
  const atTime =
    how.toTimestamp !== undefined
      ? new Map(
          (await admin.listOffsets(tps, { timestamp: how.toTimestamp })).map((o) => [
            tpKey(o),
            o.offset,
          ]),
        )
      : null;
  const earliest = new Map(
    (await admin.listOffsets(tps, 'earliest')).map((o) => [tpKey(o), o.offset]),
  );
  const latest = new Map((await admin.listOffsets(tps, 'latest')).map((o) => [tpKey(o), o.offset]));
  const committed = new Map(
    (await admin.listConsumerGroupOffsets(group)).map((c) => [tpKey(c), c.offset]),
  );
  return tps.map((tp) => {
    const k = tpKey(tp);
    const lo = earliest.get(k)!;
    const hi = latest.get(k)!;
    let target: number;
    if (how.toCurrent) return { ...tp, offset: committed.get(k) ?? hi }; // as Kafka: not clamped
    if (how.fromFile) target = how.fromFile.get(k)!;
    else if (how.toEarliest) target = lo;
    else if (how.toLatest) target = hi;
    else if (how.toOffset !== undefined) target = how.toOffset;
    else if (atTime) {
      const o = atTime.get(k) ?? -1;
      target = o < 0 ? hi : o; // no record that late: the log end, as Kafka
    } else {
      const c = committed.get(k);
      if (c === undefined)
        throw new KafkaError(
          'INVALID_REQUEST',
          `cannot shift the offset of ${tp.topic}-${tp.partition}: the group has no committed offset there`,
        );
      target = c + how.shiftBy!;
    }
    return { ...tp, offset: Math.min(hi, Math.max(lo, target)) };
  });
}

/**
 * Kafka's reset plan CSV (`--from-file`, what `--export` prints): one
 * `topic,partition,offset` line per partition, or `group,topic,partition,offset` (Kafka's
 * multi-group form, of which the lines of `group` are taken). Blank lines are skipped;
 * anything else is an error naming the line.
 */
export function parseResetPlan(text: string, group: string): PartitionOffset[] {
  const out: PartitionOffset[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const f = line.split(',').map((x) => x.trim());
    const bad = (why: string) =>
      new Error(`--from-file line ${i + 1} (${JSON.stringify(raw)}): ${why}`);
    if (f.length !== 3 && f.length !== 4)
      throw bad('expected topic,partition,offset or group,topic,partition,offset');
    if (f.length === 4 && f[0] !== group) return;
    const [topic, p, o] = f.slice(-3);
    if (!topic) throw bad('empty topic');
    if (!/^\d+$/.test(p)) throw bad(`partition ${JSON.stringify(p)} is not a non-negative integer`);
    if (!/^\d+$/.test(o) || !Number.isSafeInteger(Number(o)))
      throw bad(`offset ${JSON.stringify(o)} is not a non-negative integer`);
    const partition = Number(p);
    const key = tpKey(topic, partition);
    if (seen.has(key)) throw bad(`${topic}-${partition} appears twice`);
    seen.add(key);
    out.push({ topic, partition, offset: Number(o) });
  });
  if (out.length === 0) throw new Error(`--from-file has no partitions for group ${group}`);
  return out;
}

/** The plan as Kafka's `--export` CSV (`topic,partition,offset` per line). */
export function formatResetPlan(plan: readonly PartitionOffset[]): string {
  return plan.map((o) => `${o.topic},${o.partition},${o.offset}\n`).join('');
}

const list: CommandModule<object, GroupArgs> = {
  command: 'list',
  describe: 'List consumer groups',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('json', { type: 'boolean', default: false, describe: 'Groups with state as JSON' })
      .example('$0 group list', 'one group id per line') as Argv<GroupArgs>,
  handler: (args) =>
    runClient(async () => {
      const groups = await withAdmin(args, (admin) => admin.listGroups());
      if (args.json) process.stdout.write(JSON.stringify(groups) + '\n');
      else if (groups.length > 0)
        process.stdout.write(groups.map((g) => g.groupId).join('\n') + '\n');
    }),
};

const describe: CommandModule<object, GroupArgs> = {
  command: 'describe [group]',
  describe: 'Members, committed offsets, log end offsets and lag of a group',
  builder: (y: Argv) =>
    withBootstrap(y)
      .positional('group', { type: 'string', describe: 'Group id (or --group, or --all-groups)' })
      .option('group', { type: 'string', describe: 'Group id, as Kafka’s tool takes it' })
      .option('all-groups', { type: 'boolean', default: false, describe: 'Every group' })
      .option('members', {
        type: 'boolean',
        describe: 'Members and their partition counts',
      })
      .option('state', {
        type: 'boolean',
        describe: 'Coordinator, assignment strategy, state, member count',
      })
      .option('offsets', {
        type: 'boolean',
        describe: 'Committed offsets, log end offsets and lag (the default)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'The report as JSON' })
      .check((a) => {
        if ([a.members, a.state, a.offsets].filter(Boolean).length > 1)
          throw new Error('--members, --state and --offsets are mutually exclusive');
        if (a['all-groups'] && a.group !== undefined)
          throw new Error('give a group or --all-groups, not both');
        if (!a['all-groups'] && (a.group === undefined || a.group === ''))
          throw new Error('Missing required argument: group (or --all-groups)');
        return true;
      })
      .example('$0 group describe billing', "Kafka's kafka-consumer-groups --describe table")
      .example(
        '$0 group describe --all-groups --state',
        'the state of every group',
      ) as Argv<GroupArgs>,
  handler: (args) =>
    runClient(async () => {
      await withAdmin(args, async (admin) => {
        const ids = args['all-groups']
          ? (await admin.listGroups()).map((g) => g.groupId).sort()
          : [args.group!];
        const reports: GroupReport[] = [];
        for (const id of ids) {
          const r = await describeGroup(admin, id);
          if (!args['all-groups'] && r.state === 'Dead' && r.partitions.length === 0)
            throw new KafkaError('GROUP_ID_NOT_FOUND', `consumer group '${id}' does not exist`);
          reports.push(r);
        }
        let address = new Map<number, string>();
        if (args.state)
          address = new Map(
            (await admin.describeCluster()).brokers.map((n) => [n.nodeId, `${n.host}:${n.port}`]),
          );
        const view = (r: GroupReport) =>
          args.members
            ? { group: r.group, members: r.members }
            : args.state
              ? {
                  group: r.group,
                  coordinator: r.coordinator,
                  protocol: r.protocol,
                  state: r.state,
                  members: r.members.length,
                }
              : r;
        if (args.json) {
          const out = reports.map(view);
          process.stdout.write(JSON.stringify(args['all-groups'] ? out : out[0]) + '\n');
          return;
        }
        const text = reports.map((r) =>
          args.members
            ? formatGroupMembers(r)
            : args.state
              ? formatGroupState(r, address.get(r.coordinator) ?? '?')
              : formatGroupReport(r),
        );
        if (text.length > 0) process.stdout.write(text.join('\n\n') + '\n');
      });
    }),
};

const reset: CommandModule<object, GroupArgs> = {
  command: 'reset-offsets <group>',
  describe: 'Set the committed offsets of an inactive group (dry run unless --execute)',
  builder: (y: Argv) =>
    withBootstrap(y)
      .positional('group', { type: 'string', describe: 'Group id' })
      .option('topic', {
        type: 'string',
        array: true,
        describe: 'Topic, or topic:p,p,... (repeatable)',
      })
      .option('all-topics', {
        type: 'boolean',
        default: false,
        describe: 'Every topic the group has committed offsets for',
      })
      .option('to-earliest', { type: 'boolean', describe: 'To the log start offset' })
      .option('to-latest', { type: 'boolean', describe: 'To the log end offset' })
      .option('to-offset', { type: 'number', describe: 'To this offset' })
      .option('shift-by', { type: 'number', describe: 'Move the committed offset by N (+/-)' })
      .option('to-datetime', {
        type: 'string',
        describe: 'To the first offset at or after yyyy-MM-ddTHH:mm:ss.SSS[Z|+hh:mm]',
      })
      .option('by-duration', {
        type: 'string',
        describe: 'To the first offset at or after now minus an ISO 8601 duration (PT1H, P1DT12H)',
      })
      .option('to-current', {
        type: 'boolean',
        describe: 'To the committed offset (the log end where none is committed)',
      })
      .option('from-file', {
        type: 'string',
        describe:
          'To the offsets of a CSV plan: topic,partition,offset per line (as --export prints)',
      })
      .option('export', {
        type: 'boolean',
        default: false,
        describe: 'Print the plan as CSV (topic,partition,offset), for --from-file',
      })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Only print the plan' })
      .option('execute', { type: 'boolean', default: false, describe: 'Commit the new offsets' })
      .option('json', { type: 'boolean', default: false, describe: 'The plan as JSON' })
      .example(
        '$0 group reset-offsets billing --topic orders --to-earliest --execute',
        'replay orders from the start',
      )
      .example(
        '$0 group reset-offsets billing --all-topics --to-current --export --dry-run > plan.csv',
        'save the committed offsets as a plan',
      )
      .example(
        '$0 group reset-offsets billing --from-file plan.csv --execute',
        'put them back later',
      ) as Argv<GroupArgs>,
  handler: (args) =>
    runClient(async () => {
      const group = args.group!;
      const hows = [
        args['to-earliest'],
        args['to-latest'],
        args['to-offset'] !== undefined,
        args['shift-by'] !== undefined,
        args['to-datetime'] !== undefined,
        args['by-duration'] !== undefined,
        args['to-current'],
        args['from-file'] !== undefined,
      ].filter(Boolean).length;
      if (hows !== 1)
        throw new UsageError(
          'name exactly one of --to-earliest, --to-latest, --to-offset N, --shift-by N, --to-datetime T, --by-duration D, --to-current, --from-file F',
        );
      let fromFile: PartitionOffset[] | undefined;
      if (args['from-file'] !== undefined) {
        let text: string;
        try {
          text = fs.readFileSync(args['from-file'], 'utf8');
        } catch (e) {
          throw new Error(`cannot read --from-file ${args['from-file']}: ${(e as Error).message}`);
        }
        fromFile = parseResetPlan(text, group);
        if (args.topic?.length || args['all-topics'])
          throw new UsageError('--from-file names the partitions: no --topic or --all-topics');
      }
      const toTimestamp =
        args['to-datetime'] !== undefined
          ? parseDateTime(args['to-datetime'])
          : args['by-duration'] !== undefined
            ? Date.now() - parseDuration(args['by-duration'])
            : undefined;
      for (const o of ['to-offset', 'shift-by'] as const) {
        const v = args[o];
        if (v !== undefined && !Number.isSafeInteger(v))
          throw new Error(`--${o} must be an integer, got ${String(v)}`);
      }
      if (args['to-offset'] !== undefined && args['to-offset'] < 0)
        throw new Error('--to-offset must not be negative');
      if (args['dry-run'] && args.execute)
        throw new Error('--dry-run and --execute exclude each other');
      if (!fromFile && !args.topic?.length && !args['all-topics'])
        throw new Error('name the partitions: --topic T[:p,p] (repeatable) or --all-topics');
      const plan = await withAdmin(args, async (admin) => {
        const [d] = await admin.describeGroups([group]);
        if (d.state !== 'Empty' && d.state !== 'Dead')
          throw new KafkaError(
            'NON_EMPTY_GROUP',
            `Assignments can only be reset if the group '${group}' is inactive, but the current state is ${d.state}.`,
          );
        const tps = fromFile
          ? fromFile.map(({ topic, partition }) => ({ topic, partition }))
          : args['all-topics']
            ? (await admin.listConsumerGroupOffsets(group)).map(({ topic, partition }) => ({
                topic,
                partition,
              }))
            : await resolveTopics(admin, args.topic!);
        const p = await planReset(admin, group, tps, {
          toEarliest: args['to-earliest'],
          toLatest: args['to-latest'],
          toOffset: args['to-offset'],
          shiftBy: args['shift-by'],
          toTimestamp,
          toCurrent: args['to-current'],
          fromFile: fromFile && new Map(fromFile.map((o) => [tpKey(o), o.offset])),
        });
        if (args.execute) await admin.alterConsumerGroupOffsets(group, p);
        return p;
      });
      if (args.json) {
        process.stdout.write(
          JSON.stringify({ group, executed: !!args.execute, offsets: plan }) + '\n',
        );
        return;
      }
      if (args.export) {
        process.stdout.write(formatResetPlan(plan));
        return;
      }
      if (!args.execute)
        process.stderr.write(
          'WARN: No action will be performed as the --execute option is missing. ' +
            'In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. ' +
            'You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n',
        );
      process.stdout.write(
        '\n' +
          table(
            ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
            plan.map((o) => [group, o.topic, String(o.partition), String(o.offset)]),
          ) +
          '\n',
      );
    }),
};

const del: CommandModule<object, GroupArgs> = {
  command: 'delete <group>',
  describe: 'Delete an inactive group and its committed offsets',
  builder: (y: Argv) =>
    withBootstrap(y)
      .positional('group', { type: 'string', describe: 'Group id' })
      .example('$0 group delete billing', 'the group must have no members') as Argv<GroupArgs>,
  handler: (args) =>
    runClient(async () => {
      await withAdmin(args, (admin) => admin.deleteGroups([args.group!]));
      process.stdout.write(
        `Deletion of requested consumer groups ('${args.group}') was successful.\n`,
      );
    }),
};

export const groupCommand: CommandModule = {
  command: 'group <command>',
  describe: 'List, describe, reset the offsets of and delete consumer groups',
  builder: (y: Argv) =>
    y
      .command(list)
      .command(describe)
      .command(reset)
      .command(del)
      .demandCommand(1, 'name a group command: list, describe, reset-offsets or delete'),
  handler: () => undefined,
};
