/**
 * `kzoo produce TOPIC`: one record per stdin line, as Kafka's kafka-console-producer.
 * With `--key-separator SEP` each line is `key SEP value` (a line without SEP is an
 * error, as Kafka's `parse.key=true`). Records are sent as lines arrive; at end of input
 * the producer flushes, prints nothing on success and exits 0, or prints the Kafka error
 * and exits 1.
 */
import * as readline from 'node:readline';
import type { Argv, CommandModule } from 'yargs';
import { withTopic } from '../common';
import { Producer, type ProducerRecord } from '@kzoo/client';
import { parseKeyValues, runClient, withBootstrap, type BootstrapArgs } from './client-args';

interface ProduceArgs extends BootstrapArgs {
  topic: string;
  'key-separator'?: string;
  acks: string;
  partition?: number;
  'compression-type': string;
  'linger-ms': number;
  'batch-size': number;
  'max-block-ms': number;
  'producer-property'?: string[];
  property?: string[];
}

/** Most records awaiting acknowledgement before reading more input. */
const MAX_PENDING = 10000;

export const produceCommand: CommandModule<object, ProduceArgs> = {
  command: 'produce [topic]',
  describe: 'Send stdin lines as records to a topic',
  builder: (y: Argv) =>
    withTopic(withBootstrap(y))
      .option('key-separator', { type: 'string', describe: 'Split each line into key SEP value' })
      .option('acks', {
        type: 'string',
        default: 'all',
        choices: ['0', '1', 'all', '-1'],
        describe: 'acks',
      })
      .option('partition', { type: 'number', describe: 'Send every record to this partition' })
      .option('compression-type', {
        type: 'string',
        default: 'none',
        choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
        describe: 'compression.type',
      })
      .option('linger-ms', { type: 'number', default: 5, describe: 'linger.ms' })
      .option('batch-size', { type: 'number', default: 16384, describe: 'batch.size' })
      .option('max-block-ms', {
        type: 'number',
        default: 10000,
        describe: 'max.block.ms: how long to wait for the topic to appear in metadata',
      })
      .option('property', {
        type: 'string',
        array: true,
        describe:
          'Line reader property key=value, as kafka-console-producer: parse.key=true, key.separator (default tab)',
      })
      .option('producer-property', {
        type: 'string',
        array: true,
        describe: 'Any producer config key=value',
      })
      .example(
        'echo hello | $0 produce orders --bootstrap-server 127.0.0.1:9092',
        'one record, value "hello"',
      )
      .example("printf 'k1:v1\\nk2:v2\\n' | $0 produce orders --key-separator :", 'keyed records')
      .example(
        "printf 'k1:v1\\n' | $0 produce --topic orders --property parse.key=true key.separator=:",
        'the same, as kafka-console-producer',
      ) as Argv<ProduceArgs>,
  handler: (args) =>
    runClient(async () => {
      const producer = new Producer({
        'client.id': 'kzoo-console-producer',
        'bootstrap.servers': args['bootstrap-server'],
        acks: args.acks,
        'compression.type': args['compression-type'],
        'linger.ms': args['linger-ms'],
        'batch.size': args['batch-size'],
        'max.block.ms': args['max-block-ms'],
        ...parseKeyValues(args['producer-property'], 'producer-property'),
      });
      let failure: unknown;
      try {
        await producer.partitionsFor(args.topic);
        // kafka-console-producer's reader properties; --key-separator SEP is parse.key with SEP
        const props = parseKeyValues(args.property, 'property', false);
        for (const k of Object.keys(props))
          if (k !== 'parse.key' && k !== 'key.separator')
            process.stderr.write(
              `kzoo: ignoring unknown --property ${k} (known: parse.key, key.separator)\n`,
            );
        const sep =
          args['key-separator'] ??
          (props['parse.key']?.toLowerCase() === 'true'
            ? (props['key.separator'] ?? '\t')
            : undefined);
        const pending: Array<Promise<unknown>> = [];
        const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
        let lineNo = 0;
        for await (const line of rl) {
          lineNo++;
          let record: ProducerRecord;
          if (sep !== undefined) {
            const i = line.indexOf(sep);
            if (i < 0)
              throw new Error(
                `line ${lineNo} has no key separator ${JSON.stringify(sep)}: ${JSON.stringify(line)}`,
              );
            record = { key: line.slice(0, i), value: line.slice(i + sep.length) };
          } else {
            record = { value: line };
          }
          if (args.partition !== undefined) record.partition = args.partition;
          const p = producer.send(args.topic, record);
          p.catch((e: unknown) => (failure ??= e));
          pending.push(p);
          if (failure) break;
          if (pending.length >= MAX_PENDING)
            await Promise.allSettled(pending.splice(0, MAX_PENDING / 2));
        }
        rl.close();
        await Promise.allSettled(pending);
        if (failure) throw failure;
      } finally {
        await producer.close({ timeoutMs: failure ? 0 : undefined });
      }
    }),
};
