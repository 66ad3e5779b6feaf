/**
 * `kzoo perf produce|consume|end-to-end-latency`: Kafka's perf tools
 * (kafka-producer-perf-test, kafka-consumer-perf-test, EndToEndLatency) with their options
 * and output, each in its own process against any cluster (`--bootstrap-server`).
 */
import { randomInt } from 'node:crypto';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../common';
import { runConsumerPerf } from '../perf/consumer-perf';
import { runEndToEndLatency } from '../perf/e2e-latency';
import { runProducerPerf } from '../perf/producer-perf';
import { readProps } from '../perf/stats';
import { defaultBootstrap, runClient, withBootstrap, type BootstrapArgs } from './client-args';

interface ProducePerfArgs extends BootstrapArgs {
  topic: string;
  'num-records': number;
  'record-size': number;
  throughput: number;
  'producer-props'?: string[];
  'producer.config'?: string;
  'warmup-records': number;
  'self-stats': boolean;
}

/** kzoo's --self-stats of `perf produce` and `perf consume`. */
const SELF_STATS = {
  type: 'boolean',
  default: false,
  describe:
    'kzoo: after the results, print this process’s CPU (share of a core, µs per record), event-loop delay, GC pauses and time waiting for a CPU: a load generator on the machine it measures is part of the result',
} as const;

/** --warmup-records (KIP-1052): at least 0, fewer than --num-records. */
function warmupRecords(a: { 'warmup-records': number; 'num-records': number }): void {
  const w = a['warmup-records'];
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0)
    throw new UsageError(`--warmup-records should be an integer >= 0 (got ${String(w)})`);
  if (w > 0 && w >= a['num-records'])
    throw new UsageError(
      'The value for --warmup-records must be strictly fewer than the number of records in the test, --num-records.',
    );
}

/** Producer props as Kafka's tool reads them; --bootstrap-server fills bootstrap.servers when they do not. */
export function producerPerfProps(args: {
  'producer-props'?: string[];
  'producer.config'?: string;
  'bootstrap-server'?: string;
}): Record<string, string> {
  const props = readProps(args['producer-props'], args['producer.config'], 'producer-props');
  if (props['bootstrap.servers'] === undefined)
    props['bootstrap.servers'] = args['bootstrap-server'] ?? defaultBootstrap();
  return props;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new UsageError(`--${name} should be greater than zero (got ${String(v)})`);
  return v;
}

const produce: CommandModule<object, ProducePerfArgs> = {
  command: 'produce',
  describe: 'kafka-producer-perf-test: send N records, print throughput and latency percentiles',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('topic', {
        type: 'string',
        demandOption: true,
        describe: 'produce messages to this topic',
      })
      .option('num-records', {
        type: 'number',
        demandOption: true,
        describe: 'number of messages to produce',
      })
      .option('record-size', {
        type: 'number',
        demandOption: true,
        describe: 'message size in bytes',
      })
      .option('throughput', {
        type: 'number',
        demandOption: true,
        describe:
          'throttle maximum message throughput to *approximately* THROUGHPUT messages/sec; -1 disables throttling',
      })
      .option('producer-props', {
        type: 'string',
        array: true,
        describe:
          'producer configs PROP-NAME=PROP-VALUE ...; they take precedence over --producer.config',
      })
      .option('producer.config', { type: 'string', describe: 'producer config properties file' })
      .option('warmup-records', {
        type: 'number',
        default: 0,
        describe:
          'The number of records to treat as warmup; these initial records will not be included in steady-state statistics. An additional summary line will be printed describing the steady-state statistics.',
      })
      .option('self-stats', SELF_STATS)
      .check((a) => {
        positiveInt('num-records', a['num-records']);
        positiveInt('record-size', a['record-size']);
        if (typeof a.throughput !== 'number' || Number.isNaN(a.throughput))
          throw new UsageError('--throughput expects a number (-1: no limit)');
        warmupRecords(a);
        return true;
      })
      .example(
        '$0 perf produce --topic t --num-records 1000000 --record-size 100 --throughput -1 --producer-props acks=1',
        'as fast as possible',
      ) as Argv<ProducePerfArgs>,
  handler: (args) =>
    runClient(async () => {
      await runProducerPerf({
        topic: args.topic,
        numRecords: args['num-records'],
        recordSize: args['record-size'],
        throughput: args.throughput,
        props: producerPerfProps(args),
        warmupRecords: args['warmup-records'],
        selfStats: args['self-stats'],
      });
    }),
};

interface ConsumePerfArgs extends BootstrapArgs {
  topic: string;
  messages: number;
  group?: string;
  'fetch-size': number;
  'from-latest': boolean;
  timeout: number;
  'reporting-interval': number;
  'show-detailed-stats': boolean;
  'hide-header': boolean;
  'consumer.config'?: string;
  'consumer-props'?: string[];
  'self-stats': boolean;
}

const consume: CommandModule<object, ConsumePerfArgs> = {
  command: 'consume',
  describe: 'kafka-consumer-perf-test: consume N records in a group, print Kafka’s CSV line',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('topic', {
        type: 'string',
        demandOption: true,
        describe: 'The topic to consume from',
      })
      .option('messages', {
        type: 'number',
        demandOption: true,
        describe: 'The number of messages to consume',
      })
      .option('group', {
        type: 'string',
        describe: 'The group id to consume on (default perf-consumer-<random>)',
      })
      .option('fetch-size', {
        type: 'number',
        default: 1024 * 1024,
        describe: 'The amount of data to fetch in a single request (max.partition.fetch.bytes)',
      })
      .option('from-latest', {
        type: 'boolean',
        default: false,
        describe: 'Without a committed offset, start at the latest record instead of the earliest',
      })
      .option('timeout', {
        type: 'number',
        default: 10000,
        describe: 'The maximum allowed time in milliseconds between returned records',
      })
      .option('reporting-interval', {
        type: 'number',
        default: 5000,
        describe: 'Interval in milliseconds at which to print progress info',
      })
      .option('show-detailed-stats', {
        type: 'boolean',
        default: false,
        describe: 'Print stats for each reporting interval',
      })
      .option('hide-header', { type: 'boolean', default: false, describe: 'Skip the CSV header' })
      .option('consumer.config', { type: 'string', describe: 'Consumer config properties file' })
      .option('consumer-props', {
        type: 'string',
        array: true,
        describe: 'kzoo: consumer configs PROP-NAME=PROP-VALUE ... (over --consumer.config)',
      })
      .option('self-stats', SELF_STATS)
      .check((a) => {
        positiveInt('messages', a.messages);
        positiveInt('fetch-size', a['fetch-size']);
        if (!(a['reporting-interval'] > 0))
          throw new UsageError('Reporting interval must be greater than 0.');
        if (!(a.timeout >= 0)) throw new UsageError('--timeout must be >= 0 ms');
        return true;
      }) as Argv<ConsumePerfArgs>,
  handler: (args) =>
    runClient(async () => {
      const props = readProps(args['consumer-props'], args['consumer.config'], 'consumer-props');
      props['bootstrap.servers'] = args['bootstrap-server'];
      await runConsumerPerf({
        topic: args.topic,
        messages: args.messages,
        group: args.group ?? `perf-consumer-${randomInt(100000)}`,
        fetchSize: args['fetch-size'],
        fromLatest: args['from-latest'],
        timeoutMs: args.timeout,
        reportingIntervalMs: args['reporting-interval'],
        showDetailedStats: args['show-detailed-stats'],
        hideHeader: args['hide-header'],
        props,
        selfStats: args['self-stats'],
      });
    }),
};

interface LatencyArgs extends BootstrapArgs {
  topic: string;
  'num-records': number;
  'producer-acks': string;
  'record-size': number;
  'command-config'?: string;
  throughput?: number;
  'warmup-records': number;
}

const latency: CommandModule<object, LatencyArgs> = {
  command: 'end-to-end-latency',
  describe:
    'EndToEndLatency: produce → consume one record at a time (or at --throughput), percentiles',
  builder: (y: Argv) =>
    withBootstrap(y)
      .option('topic', {
        type: 'string',
        demandOption: true,
        describe: 'Topic (created with 1 partition, RF 1 if missing)',
      })
      .option('num-records', {
        type: 'number',
        demandOption: true,
        describe: 'Number of records to send',
      })
      .option('producer-acks', {
        type: 'string',
        default: '1',
        describe: 'acks: 1 or all (latency needs a synchronous acknowledgement)',
      })
      .option('record-size', { type: 'number', default: 100, describe: 'Record size in bytes' })
      .option('command-config', { type: 'string', describe: 'Client config properties file' })
      .option('throughput', {
        type: 'number',
        describe:
          'kzoo: send at this many records/s without waiting, measure each record end to end',
      })
      .option('warmup-records', {
        type: 'number',
        default: 0,
        describe:
          'kzoo, with --throughput: the first N records are sent at a rate rising from 0 to --throughput (over 2N/throughput s) and left out of the steady-state percentiles (an extra line)',
      })
      .check((a) => {
        positiveInt('num-records', a['num-records']);
        positiveInt('record-size', a['record-size']);
        if (a['producer-acks'] !== '1' && a['producer-acks'] !== 'all')
          throw new UsageError(
            'Latency testing requires synchronous acknowledgement. Please use 1 or all',
          );
        if (a.throughput !== undefined && !(a.throughput > 0))
          throw new UsageError('--throughput must be > 0 records/s');
        if (a.throughput !== undefined && a['record-size'] < 12)
          throw new UsageError(
            '--record-size must be >= 12 with --throughput (a send time and index ride in each value)',
          );
        warmupRecords(a);
        if (a['warmup-records'] > 0 && a.throughput === undefined)
          throw new UsageError('--warmup-records needs --throughput (the at-load mode)');
        return true;
      }) as Argv<LatencyArgs>,
  handler: (args) =>
    runClient(async () => {
      await runEndToEndLatency({
        bootstrap: args['bootstrap-server'],
        topic: args.topic,
        numRecords: args['num-records'],
        acks: args['producer-acks'],
        recordSize: args['record-size'],
        props: readProps(undefined, args['command-config'], 'command-config'),
        throughput: args.throughput,
        warmupRecords: args['warmup-records'],
      });
    }),
};

export const perfCommand: CommandModule = {
  command: 'perf <tool>',
  describe: 'Kafka’s perf tools: produce, consume, end-to-end-latency',
  builder: (y: Argv) =>
    y
      .command(produce)
      .command(consume)
      .command(latency)
      .demandCommand(1, 'name a perf tool: produce, consume or end-to-end-latency'),
  handler: () => undefined,
};
