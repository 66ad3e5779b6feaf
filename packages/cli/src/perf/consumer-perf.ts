/**
 * `kzoo perf consume`: kafka-consumer-perf-test on kzoo's Consumer. Joins group `group`
 * for the topic (the rebalance listener measures the join time, rebalance.time.ms), polls
 * until `messages` records arrived or no record came for `timeoutMs`, and prints Kafka's
 * CSV: the header (unless hidden), a line per reporting interval with
 * `--show-detailed-stats`, else one final line.
 */
import { Consumer } from '@kzoo/client';
import { consumerHeader, consumerProgressLine, consumerTotalLine } from './stats';
import { selfLine, watchSelf } from './self-stats';
import { tpKey } from '@kzoo/common';

export interface ConsumerPerfOptions {
  topic: string;
  messages: number;
  group: string;
  fetchSize: number;
  fromLatest: boolean;
  timeoutMs: number;
  reportingIntervalMs: number;
  showDetailedStats: boolean;
  hideHeader: boolean;
  props: Record<string, string>;
  print?: (line: string) => void;
  /** kzoo: after Kafka's lines, `# this process during the run: ...` (see self-stats). */
  selfStats?: boolean;
}

export interface ConsumerPerfResult {
  messages: number;
  bytes: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Records per second of fetching alone (without the group join). */
  fetchRecordsPerSec: number;
  joinMs: number;
}

export async function runConsumerPerf(o: ConsumerPerfOptions): Promise<ConsumerPerfResult> {
  const print = o.print ?? ((l: string) => void process.stdout.write(l + '\n'));
  const stopWatching = o.selfStats ? watchSelf() : undefined;
  if (!o.hideHeader) print(consumerHeader(o.showDetailedStats));
  const consumer = new Consumer({
    'client.id': 'perf-consumer-client',
    ...o.props,
    'group.id': o.group,
    'max.partition.fetch.bytes': o.fetchSize,
    'auto.offset.reset': o.fromLatest ? 'latest' : 'earliest',
    'check.crcs': false,
  });
  let joinMs = 0;
  let joinMsInRound = 0;
  const assigned = new Set<string>();
  let joinStart = Date.now();
  const startMs = joinStart;
  let messages = 0;
  let bytes = 0;
  let endMs = startMs;
  try {
    consumer.subscribe([o.topic], {
      onPartitionsRevoked: (tps) => {
        for (const tp of tps) assigned.delete(tpKey(tp));
        if (assigned.size === 0) joinStart = Date.now();
      },
      onPartitionsAssigned: (tps) => {
        if (assigned.size === 0) {
          const elapsed = Date.now() - joinStart;
          joinMs += elapsed;
          joinMsInRound += elapsed;
        }
        for (const tp of tps) assigned.add(tpKey(tp));
      },
    });
    let now = Date.now();
    let lastReport = now;
    let lastConsumed = now;
    let lastMessages = 0;
    let lastBytes = 0;
    while (messages < o.messages && now - lastConsumed <= o.timeoutMs) {
      const records = await consumer.poll(100);
      now = Date.now();
      if (records.length > 0) lastConsumed = now;
      for (const r of records) {
        messages++;
        if (r.key) bytes += r.key.length;
        if (r.value) bytes += r.value.length;
      }
      if (o.showDetailedStats && now - lastReport >= o.reportingIntervalMs) {
        print(
          consumerProgressLine({
            bytes,
            lastBytes,
            messages,
            lastMessages,
            fromMs: lastReport,
            toMs: now,
            joinMs: joinMsInRound,
          }),
        );
        joinMsInRound = 0;
        lastReport = now;
        lastMessages = messages;
        lastBytes = bytes;
      }
    }
    if (messages < o.messages)
      print(
        `WARNING: Exiting before consuming the expected number of messages: timeout (${o.timeoutMs} ms) exceeded. ` +
          'You can use the --timeout option to increase the timeout.',
      );
    endMs = Date.now();
  } finally {
    await consumer.close();
  }
  if (!o.showDetailedStats) print(consumerTotalLine({ startMs, endMs, bytes, messages, joinMs }));
  if (stopWatching) print(selfLine(stopWatching(), messages));
  const secs = Math.max(endMs - startMs, 1) / 1000;
  const fetchSecs = Math.max(endMs - startMs - joinMs, 1) / 1000;
  return {
    messages,
    bytes,
    recordsPerSec: messages / secs,
    mbPerSec: bytes / (1024 * 1024) / secs,
    fetchRecordsPerSec: messages / fetchSecs,
    joinMs,
  };
}
