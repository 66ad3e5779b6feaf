/**
 * `kzoo reassign-partitions --generate|--execute|--verify|--cancel|--list`: Kafka's
 * `kafka-reassign-partitions.sh` (the AlterPartitionReassignments /
 * ListPartitionReassignments path, KIP-455), with its JSON files:
 * - `--topics-to-move-json-file`: `{"version":1,"topics":[{"topic":"foo"}]}`
 * - `--reassignment-json-file`: `{"version":1,"partitions":[{"topic":"foo",
 *   "partition":0,"replicas":[2,3,4],"log_dirs":["any","any","any"]}]}` (log_dirs
 *   optional; only "any" is supported)
 * `--generate` prints the current assignment and a proposal over `--broker-list`
 * (Kafka's rack-unaware assignReplicasToBrokers); `--replication-factor N` (a kzoo
 * addition) proposes N replicas per partition — an RF increase or decrease is then
 * an ordinary `--execute` of that file. `--execute` prints the current assignment
 * (to roll back with) and starts the moves; `--verify` says per partition whether it
 * is completed or still in progress (exit 1 while any is not complete); `--cancel`
 * cancels the listed moves.
 *
 * Throttles, as Kafka's tool sets them: `--execute --throttle <bytes/s>` sets
 * `leader.replication.throttled.rate` and `follower.replication.throttled.rate` on every
 * broker of the moves (sources and destinations) and, per moving topic,
 * `leader.replication.throttled.replicas` (each partition's existing replicas, any of which
 * may lead it) and `follower.replication.throttled.replicas` (its new replicas), counting the
 * moves already in progress too. `--execute` refuses to start while other moves are in
 * progress unless `--additional` is given, which also changes the rate of a running move
 * (resubmit its file with a new `--throttle`). `--verify`, once no move is in progress in
 * the cluster, and `--cancel`, remove all of those configs from every live broker and the
 * file's brokers and topics (unless `--preserve-throttles`).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { Admin } from '@kzoo/client';
import { assignReplicasToBrokers } from '@kzoo/broker';
import { runClient, withBootstrap, type BootstrapArgs } from './client-args';
import { tpKey } from '@kzoo/common';

interface ReassignArgs extends BootstrapArgs {
  generate: boolean;
  execute: boolean;
  verify: boolean;
  cancel: boolean;
  list: boolean;
  'topics-to-move-json-file'?: string;
  'reassignment-json-file'?: string;
  'broker-list'?: string;
  'replication-factor'?: number;
  throttle?: number;
  additional: boolean;
  'preserve-throttles': boolean;
}

export interface PartitionMove {
  topic: string;
  partition: number;
  replicas: number[];
}

function readJson(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${what} ${file} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Kafka's parseTopicsData: `{"version":1,"topics":[{"topic":"foo"}]}`. */
export function parseTopicsToMove(js: Record<string, unknown>, file = 'topics file'): string[] {
  if (js.version !== undefined && js.version !== 1)
    throw new Error(`${file}: unsupported version ${JSON.stringify(js.version)} (expected 1)`);
  if (!Array.isArray(js.topics)) throw new Error(`${file}: "topics" is not a list`);
  return js.topics.map((t: unknown, i) => {
    const name = (t as { topic?: unknown } | null)?.topic;
    if (typeof name !== 'string' || name === '')
      throw new Error(`${file}: topics[${i}] has no "topic" name`);
    return name;
  });
}

/** Kafka's parsePartitionReassignmentData: the partitions, replicas and (ignored) log_dirs. */
export function parseReassignment(
  js: Record<string, unknown>,
  file = 'reassignment file',
): PartitionMove[] {
  if (js.version !== undefined && js.version !== 1)
    throw new Error(`${file}: unsupported version ${JSON.stringify(js.version)} (expected 1)`);
  if (!Array.isArray(js.partitions)) throw new Error(`${file}: "partitions" is not a list`);
  const seen = new Set<string>();
  const moves = js.partitions.map((raw: unknown, i): PartitionMove => {
    const p = (raw ?? {}) as Record<string, unknown>;
    if (typeof p.topic !== 'string' || p.topic === '')
      throw new Error(`${file}: partitions[${i}] has no "topic"`);
    if (!Number.isInteger(p.partition) || (p.partition as number) < 0)
      throw new Error(`${file}: partitions[${i}] has no valid "partition"`);
    if (
      !Array.isArray(p.replicas) ||
      p.replicas.length === 0 ||
      !p.replicas.every((r) => Number.isInteger(r) && r >= 0)
    )
      throw new Error(
        `${file}: partitions[${i}] "replicas" must be a non-empty list of broker ids`,
      );
    const replicas = p.replicas as number[];
    if (new Set(replicas).size !== replicas.length)
      throw new Error(
        `${file}: duplicate replica in ${p.topic}-${String(p.partition)}: [${replicas.join(',')}]`,
      );
    if (p.log_dirs !== undefined) {
      if (!Array.isArray(p.log_dirs) || p.log_dirs.length !== replicas.length)
        throw new Error(
          `${file}: log_dirs of ${p.topic}-${String(p.partition)} must match replicas`,
        );
      if (p.log_dirs.some((d) => d !== 'any'))
        throw new Error(`${file}: log_dirs other than "any" are not supported`);
    }
    const key = tpKey(p.topic as string, p.partition as number);
    if (seen.has(key)) throw new Error(`${file}: ${key} is listed twice`);
    seen.add(key);
    return { topic: p.topic, partition: p.partition as number, replicas };
  });
  if (moves.length === 0) throw new Error(`${file}: no partitions to reassign`);
  return moves;
}

/** The JSON Kafka's tool prints and reads. */
export function formatReassignment(moves: readonly PartitionMove[]): string {
  return JSON.stringify({
    version: 1,
    partitions: [...moves]
      .sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      )
      .map((m) => ({
        topic: m.topic,
        partition: m.partition,
        replicas: m.replicas,
        log_dirs: m.replicas.map(() => 'any'),
      })),
  });
}

// Kafka's ReassignPartitionsCommand texts.
export const cannotExecuteBecauseOfExistingMessage =
  'Cannot execute because there is an existing partition assignment.  Use --additional to ' +
  'override this and create a new partition assignment in addition to the existing one. The ' +
  '--additional flag can also be used to change the throttle by resubmitting the current ' +
  'reassignment.';
export const youMustRunVerifyPeriodicallyMessage =
  'Warning: You must run --verify periodically, until the reassignment completes, to ensure ' +
  'the throttle is removed.';
const BROKER_LEVEL_THROTTLES = [
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
];
const TOPIC_LEVEL_THROTTLES = [
  'leader.replication.throttled.replicas',
  'follower.replication.throttled.replicas',
];

/** A partition's move: the replicas it has (sources) and those it gains (destinations). */
export interface ReplicaMove {
  sources: number[];
  destinations: number[];
}
/** topic → partition → move (Kafka's MoveMap). */
export type MoveMap = Map<string, Map<number, ReplicaMove>>;

/**
 * Kafka's calculateProposedMoveMap: the moves in progress (sources: the replicas minus the
 * adding ones; destinations: the adding ones), then each planned partition (sources: those
 * of its move in progress, else its current replicas; destinations: the planned replicas
 * not among the sources).
 */
export function calculateProposedMoveMap(
  ongoing: readonly {
    topic: string;
    partition: number;
    replicas: number[];
    addingReplicas: number[];
  }[],
  plan: readonly PartitionMove[],
  current: readonly PartitionMove[],
): MoveMap {
  const moves: MoveMap = new Map();
  const of = (topic: string) => {
    let m = moves.get(topic);
    if (!m) moves.set(topic, (m = new Map()));
    return m;
  };
  for (const o of ongoing)
    of(o.topic).set(o.partition, {
      sources: o.replicas.filter((r) => !o.addingReplicas.includes(r)),
      destinations: [...o.addingReplicas],
    });
  for (const m of plan) {
    const parts = of(m.topic);
    const sources =
      parts.get(m.partition)?.sources ??
      current.find((c) => c.topic === m.topic && c.partition === m.partition)?.replicas;
    if (!sources)
      throw new Error(`Trying to reassign a topic partition ${tpKey(m)} with 0 replicas`);
    parts.set(m.partition, {
      sources: [...sources],
      destinations: m.replicas.filter((r) => !sources.includes(r)),
    });
  }
  return moves;
}

/** Kafka's calculateLeaderThrottles: per topic, `partition:source` of every move, sorted. */
export function calculateLeaderThrottles(moves: MoveMap): Map<string, string> {
  return new Map(
    [...moves].map(([topic, parts]) => [
      topic,
      sortedSet([...parts].flatMap(([p, m]) => m.sources.map((b) => `${p}:${b}`))),
    ]),
  );
}

/** Kafka's calculateFollowerThrottles: per topic, `partition:destination` (not a source), sorted. */
export function calculateFollowerThrottles(moves: MoveMap): Map<string, string> {
  return new Map(
    [...moves].map(([topic, parts]) => [
      topic,
      sortedSet(
        [...parts].flatMap(([p, m]) =>
          m.destinations.filter((b) => !m.sources.includes(b)).map((b) => `${p}:${b}`),
        ),
      ),
    ]),
  );
}

/** Kafka's calculateReassigningBrokers: every source and destination of the moves. */
export function calculateReassigningBrokers(moves: MoveMap): number[] {
  const ids = new Set<number>();
  for (const parts of moves.values())
    for (const m of parts.values()) for (const b of [...m.sources, ...m.destinations]) ids.add(b);
  return [...ids].sort((a, b) => a - b);
}

/** A Scala TreeSet[String] joined with commas: distinct, in string order. */
function sortedSet(items: string[]): string {
  return [...new Set(items)].sort().join(',');
}

function parseBrokerList(s: string): number[] {
  const ids = s.split(',').map((x) => x.trim());
  if (ids.some((x) => !/^\d+$/.test(x)))
    throw new Error(`--broker-list must be comma-separated broker ids, got ${JSON.stringify(s)}`);
  const out = ids.map(Number);
  if (new Set(out).size !== out.length) throw new Error(`--broker-list repeats a broker: ${s}`);
  return out;
}

async function currentAssignment(admin: Admin, topics: string[]): Promise<PartitionMove[]> {
  const described = await admin.describeTopics([...new Set(topics)]);
  return described.flatMap((d) =>
    d.partitions.map((p) => ({ topic: d.name, partition: p.partition, replicas: p.replicas })),
  );
}

const out = (s: string) => process.stdout.write(s);

/**
 * Kafka's modifyReassignmentThrottle: the topics' throttled replicas, then the rate on every
 * broker of the moves (both the leader and the follower rate).
 */
async function modifyReassignmentThrottle(admin: Admin, moves: MoveMap, rate: number) {
  const leader = calculateLeaderThrottles(moves);
  const follower = calculateFollowerThrottles(moves);
  await admin.incrementalAlterConfigs(
    [...moves.keys()].map((topic) => ({
      resource: { type: 'topic' as const, name: topic },
      ops: [
        { name: TOPIC_LEVEL_THROTTLES[0]!, op: 'set' as const, value: leader.get(topic) ?? '' },
        { name: TOPIC_LEVEL_THROTTLES[1]!, op: 'set' as const, value: follower.get(topic) ?? '' },
      ],
    })),
  );
  await admin.incrementalAlterConfigs(
    calculateReassigningBrokers(moves).map((id) => ({
      resource: { type: 'broker' as const, name: String(id) },
      ops: BROKER_LEVEL_THROTTLES.map((name) => ({
        name,
        op: 'set' as const,
        value: String(rate),
      })),
    })),
  );
  out(`The inter-broker throttle limit was set to ${rate} B/s\n`);
}

/** Kafka's clearAllThrottles: the rates of every live broker and the file's, the file's topics' lists. */
async function clearAllThrottles(admin: Admin, plan: readonly PartitionMove[]) {
  const live = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
  const brokers = [...new Set([...live, ...plan.flatMap((m) => m.replicas)])];
  out(
    `Clearing broker-level throttles on broker${brokers.length === 1 ? '' : 's'} ${brokers.join(',')}\n`,
  );
  await admin.incrementalAlterConfigs(
    brokers.map((id) => ({
      resource: { type: 'broker' as const, name: String(id) },
      ops: BROKER_LEVEL_THROTTLES.map((name) => ({ name, op: 'delete' as const })),
    })),
  );
  const topics = [...new Set(plan.map((m) => m.topic))];
  out(
    `Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}\n`,
  );
  await admin.incrementalAlterConfigs(
    topics.map((name) => ({
      resource: { type: 'topic' as const, name },
      ops: TOPIC_LEVEL_THROTTLES.map((n) => ({ name: n, op: 'delete' as const })),
    })),
  );
}

export const reassignPartitionsCommand: CommandModule<object, ReassignArgs> = {
  command: 'reassign-partitions',
  describe: "Move partition replicas between brokers (Kafka's kafka-reassign-partitions)",
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('generate', { type: 'boolean', default: false, describe: 'Propose an assignment' })
      .option('execute', {
        type: 'boolean',
        default: false,
        describe: 'Start the moves in the file',
      })
      .option('verify', { type: 'boolean', default: false, describe: 'Are the moves done?' })
      .option('cancel', {
        type: 'boolean',
        default: false,
        describe: 'Cancel the moves in the file',
      })
      .option('list', { type: 'boolean', default: false, describe: 'List the moves in progress' })
      .option('topics-to-move-json-file', {
        type: 'string',
        describe: 'With --generate: {"version":1,"topics":[{"topic":"foo"}]}',
      })
      .option('broker-list', {
        type: 'string',
        describe: 'With --generate: the brokers to place replicas on, e.g. 2,3,4',
      })
      .option('replication-factor', {
        type: 'number',
        describe: 'With --generate (kzoo addition): replicas per partition in the proposal',
      })
      .option('throttle', {
        type: 'number',
        describe:
          'With --execute: the movement of partitions between brokers will be throttled to this value (bytes/sec); ' +
          'change it by resubmitting the current reassignment with --additional. The throttle rate should be at least 1 KB/s.',
      })
      .option('additional', {
        type: 'boolean',
        default: false,
        describe:
          'With --execute: execute this reassignment in addition to any other ongoing ones; also changes the throttle of an ongoing reassignment',
      })
      .option('preserve-throttles', {
        type: 'boolean',
        default: false,
        describe: 'With --verify or --cancel: do not modify broker or topic throttles',
      })
      .option('reassignment-json-file', {
        type: 'string',
        describe: 'With --execute, --verify, --cancel: the partitions and their target replicas',
      })
      .example(
        '$0 reassign-partitions --generate --topics-to-move-json-file topics.json --broker-list 2,3,4',
        'propose a move',
      )
      .example('$0 reassign-partitions --execute --reassignment-json-file plan.json', 'start it')
      .example(
        '$0 reassign-partitions --execute --reassignment-json-file plan.json --throttle 10485760',
        'start it, replication throttled to 10 MiB/s',
      )
      .example(
        '$0 reassign-partitions --execute --additional --reassignment-json-file plan.json --throttle 52428800',
        'raise the throttle of the running move',
      )
      .example(
        '$0 reassign-partitions --verify --reassignment-json-file plan.json',
        'is it done? (then removes the throttles)',
      )
      .check((a) => {
        const n = [a.generate, a.execute, a.verify, a.cancel, a.list].filter(Boolean).length;
        if (n !== 1)
          throw new Error('say one action: --generate, --execute, --verify, --cancel or --list');
        if (a.generate && (!a['topics-to-move-json-file'] || !a['broker-list']))
          throw new Error('--generate needs --topics-to-move-json-file and --broker-list');
        if ((a.execute || a.verify || a.cancel) && !a['reassignment-json-file'])
          throw new Error('--execute, --verify and --cancel need --reassignment-json-file');
        const action = a.generate
          ? '--generate'
          : a.execute
            ? '--execute'
            : a.verify
              ? '--verify'
              : a.cancel
                ? '--cancel'
                : '--list';
        const only = (opt: string, set: boolean, ...allowed: string[]) => {
          if (set && !allowed.includes(action))
            throw new Error(`Option "--${opt}" can't be used with action "${action}"`);
        };
        only('throttle', a.throttle !== undefined, '--execute');
        only('additional', a.additional, '--execute');
        only('preserve-throttles', a['preserve-throttles'], '--verify', '--cancel');
        const t = a.throttle;
        if (t !== undefined && (!Number.isSafeInteger(t) || t < 0))
          throw new Error(`--throttle must be a number of bytes/s (0 or more), got ${String(t)}`);
        const rf = a['replication-factor'];
        if (rf !== undefined && (!Number.isInteger(rf) || rf < 1))
          throw new Error(`--replication-factor must be a positive integer, got ${rf}`);
        return true;
      }) as Argv<ReassignArgs>,
  handler: (args) =>
    runClient(async () => {
      const plan = args['reassignment-json-file']
        ? parseReassignment(
            readJson(args['reassignment-json-file'], 'reassignment file'),
            args['reassignment-json-file'],
          )
        : [];
      const topics = args['topics-to-move-json-file']
        ? parseTopicsToMove(
            readJson(args['topics-to-move-json-file'], 'topics file'),
            args['topics-to-move-json-file'],
          )
        : [];
      const brokers = args['broker-list'] ? parseBrokerList(args['broker-list']) : [];
      const admin = new Admin({
        'bootstrap.servers': args['bootstrap-server'],
        'client.id': 'kzoo-reassign-partitions',
        'default.api.timeout.ms': 30000,
      });
      try {
        if (args.generate) {
          const current = await currentAssignment(admin, topics);
          const proposed: PartitionMove[] = [];
          for (const topic of [...new Set(topics)]) {
            const parts = current.filter((c) => c.topic === topic);
            const rf = args['replication-factor'] ?? parts[0]?.replicas.length ?? 1;
            const a = assignReplicasToBrokers(brokers, parts.length, rf);
            for (const [partition, replicas] of a) proposed.push({ topic, partition, replicas });
          }
          out(`Current partition replica assignment\n${formatReassignment(current)}\n\n`);
          out(`Proposed partition reassignment configuration\n${formatReassignment(proposed)}\n`);
          return;
        }
        if (args.execute) {
          const ongoing = await admin.listPartitionReassignments(null);
          if (!args.additional && ongoing.length > 0)
            throw new Error(cannotExecuteBecauseOfExistingMessage);
          const current = await currentAssignment(
            admin,
            plan.map((m) => m.topic),
          );
          const planned = new Set(plan.map((m) => tpKey(m)));
          const missing = [...planned].filter((k) => !current.some((c) => tpKey(c) === k));
          if (missing.length > 0)
            throw new Error(
              `The proposed assignment contains non-existent partitions: ${missing.join(',')}`,
            );
          out(
            `Current partition replica assignment\n\n${formatReassignment(
              current.filter((c) => planned.has(tpKey(c))),
            )}\n\nSave this to use as the --reassignment-json-file option during rollback\n`,
          );
          if (args.throttle !== undefined) {
            out(`${youMustRunVerifyPeriodicallyMessage}\n`);
            const moves = calculateProposedMoveMap(ongoing, plan, current);
            await modifyReassignmentThrottle(admin, moves, args.throttle);
          }
          const results = await admin.alterPartitionReassignments(plan);
          const failed = results.filter((r) => r.error !== null);
          if (failed.length > 0) {
            for (const f of failed)
              out(
                `Error reassigning partition(s):\n${f.topic}-${f.partition}: ${f.error} ${f.message ?? ''}\n`,
              );
            process.exitCode = 1;
            return;
          }
          out(
            `Successfully started partition reassignment${plan.length > 1 ? 's' : ''} for ${plan
              .map((m) => tpKey(m))
              .join(',')}\n`,
          );
          return;
        }
        if (args.verify) {
          const ongoing = await admin.listPartitionReassignments(
            plan.map((m) => ({ topic: m.topic, partition: m.partition })),
          );
          const current = await currentAssignment(
            admin,
            plan.map((m) => m.topic),
          );
          out('Status of partition reassignment:\n');
          let done = true;
          for (const m of plan) {
            const tp = tpKey(m);
            if (ongoing.some((o) => o.topic === m.topic && o.partition === m.partition)) {
              done = false;
              out(`Reassignment of partition ${tp} is still in progress.\n`);
              continue;
            }
            const now = current.find((c) => c.topic === m.topic && c.partition === m.partition);
            if (now && now.replicas.join(',') === m.replicas.join(','))
              out(`Reassignment of partition ${tp} is completed.\n`);
            else {
              done = false;
              out(
                `There is no active reassignment of partition ${tp}, but replica set is ${
                  now?.replicas.join(',') ?? '(none)'
                } rather than ${m.replicas.join(',')}.\n`,
              );
            }
          }
          // Kafka's verifyAssignment: once no move is in progress anywhere, clear every throttle
          // (it cannot know which brokers earlier moves touched).
          const inProgress = (await admin.listPartitionReassignments(null)).length > 0;
          if (!inProgress && !args['preserve-throttles']) await clearAllThrottles(admin, plan);
          if (!done) process.exitCode = 1;
          return;
        }
        if (args.cancel) {
          const results = await admin.alterPartitionReassignments(
            plan.map((m) => ({ topic: m.topic, partition: m.partition, replicas: null })),
          );
          const ok = results.filter((r) => r.error === null);
          const failed = results.filter((r) => r.error !== null);
          if (ok.length > 0)
            out(
              `Successfully cancelled partition reassignments for: ${ok
                .map((r) => tpKey(r))
                .join(',')}\n`,
            );
          for (const f of failed)
            out(`Could not cancel ${f.topic}-${f.partition}: ${f.error} ${f.message ?? ''}\n`);
          if (failed.some((f) => f.error !== 'NO_REASSIGNMENT_IN_PROGRESS')) process.exitCode = 1;
          // Kafka's cancelAssignment clears the throttles too
          else if (!args['preserve-throttles']) await clearAllThrottles(admin, plan);
          return;
        }
        // --list
        const ongoing = await admin.listPartitionReassignments(null);
        if (ongoing.length === 0) {
          out('No partition reassignments found.\n');
          return;
        }
        out('Current partition reassignments:\n');
        for (const o of ongoing)
          out(
            `${o.topic}-${o.partition}: replicas: ${o.replicas.join(',')}. adding: ${o.addingReplicas.join(',')}. removing: ${o.removingReplicas.join(',')}.\n`,
          );
      } finally {
        await admin.close();
      }
    }),
};
