/**
 * What `kzoo perf` prints and how it paces, as Kafka's perf tools do it (ProducerPerformance's
 * Stats and ThroughputThrottler, ConsumerPerformance's CSV, EndToEndLatency's percentiles),
 * as pure functions and a clock-injected class so unit tests need no network and no sleeps.
 */
import * as fs from 'node:fs';
import { UsageError } from '../common';

const MB = 1024 * 1024;

/**
 * Kafka's ProducerPerformance.Stats: totals, a window printed every `reportingIntervalMs`
 * ("N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency."), and
 * at most 500,000 sampled latencies for the percentiles of the final line.
 */
export class ProducerStats {
  private readonly start: number;
  private readonly sampling: number;
  private readonly latencies: Float64Array;
  private index = 0;
  private sorted: Float64Array | undefined;
  private iteration = 0;
  count = 0;
  bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowStart: number;
  private windowCount = 0;
  private windowBytes = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private printing = true;

  /**
   * `steadyState`: the stats of the records after `--warmup-records` (KIP-1052): its final
   * line says "N steady state records sent", its first window line is preceded by "In
   * steady state.".
   */
  constructor(
    numRecords: number,
    private readonly now: () => number,
    private readonly print: (line: string) => void,
    private readonly reportingIntervalMs = 5000,
    private readonly steadyState = false,
  ) {
    this.start = now();
    this.windowStart = this.start;
    this.sampling = Math.max(1, Math.floor(numRecords / Math.min(numRecords, 500000)));
    this.latencies = new Float64Array(Math.floor(numRecords / this.sampling) + 1);
  }

  /** One acknowledged record: its latency in ms, its size, the time of the acknowledgement. */
  record(latencyMs: number, bytes: number, time: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    if (latencyMs > this.maxLatency) this.maxLatency = latencyMs;
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latencyMs;
    if (latencyMs > this.windowMaxLatency) this.windowMaxLatency = latencyMs;
    if (this.iteration % this.sampling === 0 && this.index < this.latencies.length)
      this.latencies[this.index++] = latencyMs;
    if (time - this.windowStart >= this.reportingIntervalMs) {
      if (this.steadyState && this.count === this.windowCount) this.print('In steady state.');
      if (this.printing) this.print(this.windowLine(time));
      this.windowStart = time;
      this.windowCount = 0;
      this.windowBytes = 0;
      this.windowMaxLatency = 0;
      this.windowTotalLatency = 0;
    }
    this.iteration++;
  }

  /** When these stats began (the clock's ms). */
  get startTime(): number {
    return this.start;
  }

  /** Window lines stop (the steady-state stats print theirs from now on). */
  suppressPrinting(): void {
    this.printing = false;
  }

  windowLine(time: number): string {
    const elapsed = Math.max(time - this.windowStart, 1e-3);
    const n = this.windowCount;
    return (
      `${n} records sent, ${((1000 * n) / elapsed).toFixed(1)} records/sec ` +
      `(${((1000 * this.windowBytes) / elapsed / MB).toFixed(2)} MB/sec), ` +
      `${(n ? this.windowTotalLatency / n : 0).toFixed(1)} ms avg latency, ` +
      `${this.windowMaxLatency.toFixed(1)} ms max latency.`
    );
  }

  /** The sampled latencies' percentiles (ms), Kafka's way: sorted[floor(p * size)]. */
  percentiles(...ps: number[]): number[] {
    // Sorted once for the samples so far (the final line and the result both ask).
    if (this.sorted === undefined || this.sorted.length !== this.index)
      this.sorted = this.latencies.slice(0, this.index).sort();
    const sorted = this.sorted;
    return ps.map((p) => (sorted.length ? sorted[Math.floor(p * sorted.length)] : 0));
  }

  /** The elapsed time from the start to `time`, and the final line. */
  totalLine(time = this.now()): string {
    const elapsed = Math.max(time - this.start, 1e-3);
    const [p50, p95, p99, p999] = this.percentiles(0.5, 0.95, 0.99, 0.999);
    return (
      `${this.count}${this.steadyState ? ' steady state' : ''} records sent, ` +
      `${((1000 * this.count) / elapsed).toFixed(6)} records/sec ` +
      `(${((1000 * this.bytes) / elapsed / MB).toFixed(2)} MB/sec), ` +
      `${(this.count ? this.totalLatency / this.count : 0).toFixed(2)} ms avg latency, ` +
      `${this.maxLatency.toFixed(2)} ms max latency, ${Math.floor(p50)} ms 50th, ` +
      `${Math.floor(p95)} ms 95th, ${Math.floor(p99)} ms 99th, ${Math.floor(p999)} ms 99.9th.`
    );
  }

  recordsPerSec(time = this.now()): number {
    return (1000 * this.count) / Math.max(time - this.start, 1e-3);
  }
}

/**
 * Kafka's ThroughputThrottler, as a delay: with a target of `throughput` records/s
 * (-1: no limit; 0: never send), how long to wait before record number `sent` (0-based)
 * `elapsedMs` after the start; with `rampRecords`, on dueMs's schedule (the first ones sent
 * at a rate rising to `throughput`). Waits shorter than 2 ms are deferred (Kafka's
 * MIN_SLEEP_NS), so the sender catches up in bursts rather than sleeping per record.
 */
export function throttleDelayMs(
  throughput: number,
  sent: number,
  elapsedMs: number,
  rampRecords = 0,
): number {
  if (throughput < 0) return 0;
  if (throughput === 0) return Infinity;
  const ahead = dueMs(sent, throughput, rampRecords) - elapsedMs;
  return ahead >= 2 ? ahead : 0;
}

/** kafka-consumer-perf-test's header (`detailed`: --show-detailed-stats). */
export function consumerHeader(detailed: boolean): string {
  const extra = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
  return detailed
    ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`
    : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${extra}`;
}

/** kafka-consumer-perf-test's `yyyy-MM-dd HH:mm:ss:SSS` (local time). */
export function perfStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`
  );
}

export interface ConsumerTotals {
  startMs: number;
  endMs: number;
  bytes: number;
  messages: number;
  /** Time spent joining the group (rebalance.time.ms). */
  joinMs: number;
}

/** kafka-consumer-perf-test's final CSV line. */
export function consumerTotalLine(t: ConsumerTotals): string {
  const secs = Math.max(t.endMs - t.startMs, 1) / 1000;
  const fetchMs = Math.max(t.endMs - t.startMs - t.joinMs, 1);
  const mb = t.bytes / MB;
  return (
    `${perfStamp(t.startMs)}, ${perfStamp(t.endMs)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ` +
    `${t.messages}, ${(t.messages / secs).toFixed(4)}, ${Math.round(t.joinMs)}, ${Math.round(fetchMs)}, ` +
    `${(mb / (fetchMs / 1000)).toFixed(4)}, ${(t.messages / (fetchMs / 1000)).toFixed(4)}`
  );
}

/** One --show-detailed-stats line for the interval [fromMs, toMs]. */
export function consumerProgressLine(p: {
  bytes: number;
  lastBytes: number;
  messages: number;
  lastMessages: number;
  fromMs: number;
  toMs: number;
  joinMs: number;
}): string {
  const elapsed = Math.max(p.toMs - p.fromMs, 1);
  const intervalMb = (p.bytes - p.lastBytes) / MB;
  const intervalMsgs = p.messages - p.lastMessages;
  const fetchMs = p.toMs - p.fromMs - p.joinMs;
  return (
    `${perfStamp(p.toMs)}, 0, ${(p.bytes / MB).toFixed(4)}, ${((1000 * intervalMb) / elapsed).toFixed(4)}, ` +
    `${p.messages}, ${((1000 * intervalMsgs) / elapsed).toFixed(4)}, ${Math.round(p.joinMs)}, ` +
    `${Math.round(fetchMs)}, ${(fetchMs <= 0 ? 0 : (1000 * intervalMb) / fetchMs).toFixed(4)}, ` +
    `${(fetchMs <= 0 ? 0 : (1000 * intervalMsgs) / fetchMs).toFixed(4)}`
  );
}

/** EndToEndLatency's closing lines: average and the 50th/99th/99.9th percentiles (ms, floored). */
export function latencyResultLines(latenciesMs: Float64Array | number[]): string[] {
  const n = latenciesMs.length;
  let total = 0;
  for (const l of latenciesMs) total += l;
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (p: number) => (n ? Math.floor(sorted[Math.floor(n * p)]) : 0);
  return [
    `Avg latency: ${(n ? total / n : 0).toFixed(4)} ms`,
    `Percentiles: 50th = ${at(0.5)}, 99th = ${at(0.99)}, 99.9th = ${at(0.999)}`,
  ];
}

/** Percentiles with two decimals, for the bench lines (`p50 1.23 ms, p99 ..., p99.9 ...`). */
export function fineLatencyLine(latenciesMs: Float64Array): string {
  const sorted = Float64Array.from(latenciesMs).sort();
  const n = sorted.length;
  const at = (p: number) => (n ? sorted[Math.min(n - 1, Math.floor(n * p))] : 0);
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, p99.9 ${at(0.999).toFixed(2)} ms, max ${(n ? sorted[n - 1] : 0).toFixed(2)} ms`;
}

/**
 * At a set load of `rate` records/s whose first `rampRecords` records are sent at a rate
 * rising linearly from 0 to `rate` (twice as long as at `rate`: a cold process warms up
 * without a queue building behind it): when record `i` (0-based) is due, in ms from the start.
 * The ramp sends R·t²/(2T) records in its first t s of T = 2N/R, so record i < N is due at
 * 2·√(N·i)/R s, and one after it at (N + i)/R s.
 */
export function dueMs(i: number, rate: number, rampRecords = 0): number {
  const n = rampRecords;
  return ((i < n ? 2 * Math.sqrt(n * i) : n + i) / rate) * 1000;
}

/** The first record (0-based) due at or after `ms` on dueMs's schedule. */
function firstDueAt(ms: number, rate: number, rampRecords: number): number {
  const n = rampRecords;
  const x = (ms / 1000) * rate; // records a constant rate would have sent by then
  const i = x < 2 * n ? Math.ceil((x * x) / (4 * n)) : Math.ceil(x - n);
  // float error at a boundary: step to the exact first one
  let j = Math.max(0, i);
  while (j > 0 && dueMs(j - 1, rate, n) >= ms) j--;
  while (dueMs(j, rate, n) < ms) j++;
  return j;
}

/**
 * At a set load: the latencies of the records due in each second (dueMs's schedule: `perSecond`
 * records a second after a ramp of `rampRecords`), so a tail from a moment (the start, a
 * stall) is told from one spread over the run. At most `maxLines` lines: longer runs are cut
 * into that many windows of whole seconds.
 */
export function windowLatencyLines(
  latenciesMs: Float64Array,
  perSecond: number,
  maxLines = 20,
  rampRecords = 0,
): string[] {
  const n = latenciesMs.length;
  if (n === 0) return [];
  const seconds = Math.max(1, Math.ceil(dueMs(n - 1, perSecond, rampRecords) / 1000 + 1e-9));
  const span = Math.max(1, Math.ceil(seconds / maxLines));
  const lines: string[] = [];
  for (let k = 0, from = 0; from < n; k++) {
    const to = Math.min(n, firstDueAt((k + 1) * span * 1000, perSecond, rampRecords));
    if (to <= from) continue;
    const label = span === 1 ? `second ${k + 1}` : `seconds ${k * span + 1}-${(k + 1) * span}`;
    lines.push(
      `# ${label}: ${to - from} records, ${fineLatencyLine(latenciesMs.subarray(from, to))}`,
    );
    from = to;
  }
  return lines;
}

/**
 * A Java properties file as Kafka's Utils.loadProps reads the simple cases: `key=value`
 * or `key: value` per line, `#` and `!` comments, blank lines skipped.
 */
export function parsePropertiesText(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m)
      throw new UsageError(`${source}:${i + 1}: expected key=value, got ${JSON.stringify(raw)}`);
    out[m[1]] = m[2];
  });
  return out;
}

export function loadPropertiesFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  return parsePropertiesText(text, file);
}

/**
 * Kafka's readProps: the config file first, then `k=v` pairs (they win); a pair without
 * exactly one `=` is an error naming it.
 */
export function readProps(
  pairs: string[] | undefined,
  configFile: string | undefined,
  option: string,
): Record<string, string> {
  const props = configFile ? loadPropertiesFile(configFile) : {};
  for (const kv of pairs ?? []) {
    const pieces = kv.split('=');
    if (pieces.length !== 2 || pieces[0] === '')
      throw new UsageError(
        `Invalid property for --${option}: ${JSON.stringify(kv)} (expected key=value)`,
      );
    props[pieces[0].trim()] = pieces[1].trim();
  }
  return props;
}
