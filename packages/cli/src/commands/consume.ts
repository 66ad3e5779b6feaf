/**
 * `kzoo consume TOPIC`: prints records as Kafka's kafka-console-consumer does: values
 * one per line (`--print-key` puts `key<TAB>value`), or `--json` one object per record.
 * Starts at the end of each partition, or with `--from-beginning` at its start, or at
 * `--offset` of `--partition`. Stops after `--max-messages`, or when `--timeout-ms`
 * passes with no new record, then prints `Processed a total of N messages` on stderr.
 * With `--group G` it subscribes as a member of G instead (start: G's committed offsets,
 * else the end, or the start with `--from-beginning`) and, before it exits (or when a
 * rebalance takes partitions away), commits the offsets of what it printed, as Kafka's
 * console consumer does.
 */
import type { Argv, CommandModule } from 'yargs';
import { withTopic, UsageError } from '../common';
import {
  ADMIN_CONFIG_DEF,
  Admin,
  Consumer,
  type ConsumerRecord,
  type OffsetAndPartition,
  type TopicPartition,
} from '@kzoo/client';
import {
  parseKeyValues,
  runClient,
  withBootstrap,
  writeOut,
  type BootstrapArgs,
} from './client-args';
import { tpKey } from '@kzoo/common';

interface ConsumeArgs extends BootstrapArgs {
  topic: string;
  group?: string;
  'from-beginning': boolean;
  partition?: number;
  offset?: string;
  'max-messages'?: number;
  'timeout-ms'?: number;
  json: boolean;
  'print-key': boolean;
  'print-offset': boolean;
  'key-separator': string;
  'consumer-property'?: string[];
  'isolation-level'?: string;
  property?: string[];
}

/** How a record is printed: Kafka's DefaultMessageFormatter properties, or JSON. */
export interface FormatterOptions {
  json: boolean;
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullLiteral: string;
}

const FORMATTER_PROPERTIES = [
  'print.timestamp',
  'print.partition',
  'print.offset',
  'print.headers',
  'print.key',
  'print.value',
  'key.separator',
  'headers.separator',
  'headers.key.separator',
  'null.literal',
];

/**
 * kafka-console-consumer's `--property k=v` (print.timestamp, print.partition,
 * print.offset, print.headers, print.key, print.value, key.separator, headers.separator,
 * headers.key.separator, null.literal), with kzoo's `--print-key`, `--print-offset`
 * (partition and offset) and `--key-separator` as shorthands for the same.
 */
export function formatterOptions(
  args: Pick<ConsumeArgs, 'json' | 'print-key' | 'print-offset' | 'key-separator'> & {
    property?: string[];
  },
): FormatterOptions {
  const p = parseKeyValues(args.property, 'property', false);
  for (const k of Object.keys(p))
    if (!FORMATTER_PROPERTIES.includes(k))
      process.stderr.write(
        `kzoo: ignoring unknown --property ${k} (known: ${FORMATTER_PROPERTIES.join(', ')})\n`,
      );
  const flag = (k: string, dflt: boolean) => (k in p ? p[k].toLowerCase() === 'true' : dflt);
  return {
    json: args.json,
    printTimestamp: flag('print.timestamp', false),
    printPartition: flag('print.partition', args['print-offset']),
    printOffset: flag('print.offset', args['print-offset']),
    printHeaders: flag('print.headers', false),
    printKey: flag('print.key', args['print-key']),
    printValue: flag('print.value', true),
    keySeparator: p['key.separator'] ?? args['key-separator'],
    headersSeparator: p['headers.separator'] ?? ',',
    headersKeySeparator: p['headers.key.separator'] ?? ':',
    nullLiteral: p['null.literal'] ?? 'null',
  };
}

/** One record as kafka-console-consumer prints it (DefaultMessageFormatter's field order), or JSON. */
export function formatRecord(r: ConsumerRecord, o: FormatterOptions): string {
  if (o.json) {
    return JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key === null ? null : r.key.toString('utf8'),
      value: r.value === null ? null : r.value.toString('utf8'),
      headers: Object.fromEntries(
        r.headers.map((h) => [h.key, h.value === null ? null : h.value.toString('utf8')]),
      ),
    });
  }
  const text = (b: Buffer | null) => (b === null ? o.nullLiteral : b.toString('utf8'));
  const fields: string[] = [];
  // kzoo's records carry no timestamp type: CreateTime, the default
  if (o.printTimestamp)
    fields.push(r.timestamp >= 0 ? `CreateTime:${r.timestamp}` : 'NO_TIMESTAMP');
  if (o.printPartition) fields.push(`Partition:${r.partition}`);
  if (o.printOffset) fields.push(`Offset:${r.offset}`);
  if (o.printHeaders)
    fields.push(
      r.headers.length === 0
        ? 'NO_HEADERS'
        : r.headers
            .map((h) => `${h.key}${o.headersKeySeparator}${text(h.value)}`)
            .join(o.headersSeparator),
    );
  if (o.printKey) fields.push(text(r.key));
  if (o.printValue) fields.push(text(r.value));
  return fields.join(o.keySeparator);
}

export const consumeCommand: CommandModule<object, ConsumeArgs> = {
  command: 'consume [topic]',
  describe: 'Print records of a topic',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y))
      .option('from-beginning', {
        type: 'boolean',
        default: false,
        describe: 'Start at the earliest offset',
      })
      .option('group', {
        type: 'string',
        describe: 'Consume as a member of this group; commits what was printed on exit',
      })
      .option('partition', { type: 'number', describe: 'Only this partition' })
      .option('offset', {
        type: 'string',
        describe: 'With --partition: start offset, a number, "earliest" or "latest"',
      })
      .option('max-messages', { type: 'number', describe: 'Exit after this many records' })
      .option('timeout-ms', {
        type: 'number',
        describe: 'Exit when no record arrives for this long',
      })
      .option('json', { type: 'boolean', default: false, describe: 'One JSON object per record' })
      .option('print-key', {
        type: 'boolean',
        default: false,
        describe: 'Print the key before the value',
      })
      .option('print-offset', {
        type: 'boolean',
        default: false,
        describe: 'Print partition and offset',
      })
      .option('key-separator', { type: 'string', default: '\t', describe: 'Between key and value' })
      .option('property', {
        type: 'string',
        array: true,
        describe:
          'Formatter property key=value, as kafka-console-consumer: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, headers.separator, headers.key.separator, null.literal',
      })
      .option('consumer-property', {
        type: 'string',
        array: true,
        describe: 'Any consumer config key=value',
      })
      .option('isolation-level', {
        type: 'string',
        choices: ['read_uncommitted', 'read_committed'],
        describe: 'read_committed: only committed transactional records (isolation.level)',
      })
      .example('$0 consume orders --from-beginning --max-messages 10', 'the first ten records')
      .example(
        '$0 consume --topic orders --from-beginning --property print.key=true print.offset=true key.separator=:',
        'keys and offsets, as kafka-console-consumer',
      )
      .example(
        '$0 consume orders --partition 0 --offset 42 --json --timeout-ms 5000',
        'JSON lines from offset 42',
      )
      .example(
        '$0 consume orders --group billing --timeout-ms 5000',
        'as a member of billing',
      ) as Argv<ConsumeArgs>,
  handler: (args) =>
    runClient(async () => {
      if (args.offset !== undefined && args.partition === undefined)
        throw new UsageError('--offset needs --partition');
      if (args.group !== undefined && (args.partition !== undefined || args.offset !== undefined))
        throw new UsageError('--group subscribes to the whole topic: no --partition or --offset');
      if (args.group === '') throw new UsageError('--group needs a group id');
      let startOffset: number | 'earliest' | 'latest' | undefined;
      if (args.offset !== undefined) {
        if (args.offset === 'earliest' || args.offset === 'latest') startOffset = args.offset;
        else if (/^\d+$/.test(args.offset)) startOffset = Number(args.offset);
        else
          throw new UsageError(
            `--offset must be a number, earliest or latest, got ${JSON.stringify(args.offset)}`,
          );
      }
      const format = formatterOptions(args);
      const max = args['max-messages'];
      if (max !== undefined && (!Number.isInteger(max) || max < 1))
        throw new UsageError('--max-messages must be a positive integer');

      const consumerProps = parseKeyValues(args['consumer-property'], 'consumer-property');
      // The topic must exist: a clear error instead of waiting for it forever. The check
      // talks to the cluster as the consumer will: --consumer-property keys an Admin also
      // has (bootstrap.servers, client.id, request.timeout.ms, ...) apply to it too.
      const admin = new Admin({
        'bootstrap.servers': args['bootstrap-server'],
        'client.id': 'kzoo-console-consumer',
        ...Object.fromEntries(
          Object.entries(consumerProps).filter(([k]) => ADMIN_CONFIG_DEF.has(k)),
        ),
      });
      let partitions: number[];
      try {
        const [d] = await admin.describeTopics([args.topic]);
        partitions = d.partitions.map((p) => p.partition);
      } finally {
        await admin.close();
      }
      if (args.partition !== undefined && !partitions.includes(args.partition))
        throw new Error(
          `UNKNOWN_TOPIC_OR_PARTITION: partition ${args.partition} of topic ${args.topic} does not exist (topic has ${partitions.length})`,
        );

      const group = args.group;
      const consumer = new Consumer({
        'client.id': 'kzoo-console-consumer',
        'bootstrap.servers': args['bootstrap-server'],
        'auto.offset.reset': args['from-beginning'] ? 'earliest' : 'latest',
        ...(group !== undefined ? { 'group.id': group, 'enable.auto.commit': false } : {}),
        ...(args['isolation-level'] ? { 'isolation.level': args['isolation-level'] } : {}),
        ...consumerProps,
      });
      // --group: the next offset after the last printed record, per partition
      const printed = new Map<string, OffsetAndPartition>();
      const commitPrinted = async (only?: TopicPartition[]) => {
        const keys = only?.map((tp) => tpKey(tp));
        const offsets = keys
          ? keys.flatMap((k) => (printed.has(k) ? [printed.get(k)!] : []))
          : [...printed.values()];
        if (offsets.length === 0) return;
        try {
          await consumer.commitSync(offsets);
          for (const o of offsets) printed.delete(tpKey(o));
        } catch (e) {
          process.stderr.write(`kzoo: could not commit offsets: ${(e as Error).message}\n`);
        }
      };
      let assigned = 0;
      if (group !== undefined) {
        consumer.subscribe([args.topic], {
          onPartitionsRevoked: (tps) => commitPrinted(tps),
          onPartitionsAssigned: (tps) => {
            assigned = tps.length;
          },
        });
      } else {
        const tps: TopicPartition[] = (
          args.partition !== undefined ? [args.partition] : partitions
        ).map((partition) => ({
          topic: args.topic,
          partition,
        }));
        consumer.assign(tps);
        if (typeof startOffset === 'number') consumer.seek(tps[0], startOffset);
        else if (startOffset === 'earliest') consumer.seekToBeginning(tps);
        else if (startOffset === 'latest') consumer.seekToEnd(tps);
      }

      let count = 0;
      let stop = false;
      const onSignal = () => {
        stop = true;
        // a group member leaves the loop (at most one short poll) to commit, then closes
        if (group === undefined) void consumer.close();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const timeout = args['timeout-ms'];
        // in a group, the --timeout-ms clock starts once partitions are assigned
        let idleSince = Date.now();
        while (!stop) {
          const recs = await consumer.poll(
            group !== undefined ? Math.min(timeout ?? 1000, 500) : (timeout ?? 1000),
          );
          if (recs.length === 0) {
            if (group !== undefined && assigned === 0) idleSince = Date.now();
            if (timeout !== undefined && Date.now() - idleSince >= timeout) break;
            if (group === undefined && timeout !== undefined) break;
            continue;
          }
          idleSince = Date.now();
          const take = max !== undefined ? recs.slice(0, max - count) : recs;
          const ok = await writeOut(take.map((r) => formatRecord(r, format)).join('\n') + '\n');
          // stdout closed (`| head`): that batch was not printed; commit and exit 0
          if (ok) count += take.length;
          if (group !== undefined && ok)
            for (const r of take)
              printed.set(tpKey(r), {
                topic: r.topic,
                partition: r.partition,
                offset: r.offset + 1,
              });
          if (!ok || (max !== undefined && count >= max)) break;
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (group !== undefined) await commitPrinted();
        await consumer.close();
        process.stderr.write(`Processed a total of ${count} messages\n`);
      }
    }),
};
