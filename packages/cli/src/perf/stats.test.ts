import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { producerPerfProps } from '../commands/perf';
import {
  ProducerStats,
  consumerHeader,
  consumerProgressLine,
  consumerTotalLine,
  latencyResultLines,
  parsePropertiesText,
  perfStamp,
  readProps,
  throttleDelayMs,
  windowLatencyLines,
  dueMs,
} from './stats';

describe('cli > perf > ProducerStats', () => {
  it('--warmup-records: the whole run stops its window lines, the steady state prints them and its own total', () => {
    let t = 1_000_000;
    const lines: string[] = [];
    const whole = new ProducerStats(
      2000,
      () => t,
      (l) => lines.push(l),
    );
    for (let i = 0; i < 500; i++) whole.record(10, 100, (t += 4)); // the warm-up: 2 s
    const steady = new ProducerStats(
      1500,
      () => t,
      (l) => lines.push(l),
      5000,
      true,
    );
    whole.suppressPrinting();
    for (let i = 0; i < 1500; i++) {
      t += 4;
      whole.record(2, 100, t);
      steady.record(2, 100, t);
    }
    // one window (the steady state's, 5 s after it began), preceded by Kafka's notice
    expect(lines).toEqual([
      'In steady state.',
      '1250 records sent, 250.0 records/sec (0.02 MB/sec), 2.0 ms avg latency, 2.0 ms max latency.',
    ]);
    expect(whole.totalLine(t)).toMatch(
      /^2000 records sent, 250\.000000 records\/sec .* 4\.00 ms avg latency/,
    );
    expect(steady.totalLine(t)).toMatch(
      /^1500 steady state records sent, 250\.000000 records\/sec .* 2\.00 ms avg latency, 2\.00 ms max latency, 2 ms 50th/,
    );
  });

  it('prints a window line once 5 s passed, in kafka-producer-perf-test’s format', () => {
    let t = 1_000_000;
    const lines: string[] = [];
    const s = new ProducerStats(
      1000,
      () => t,
      (l) => lines.push(l),
    );
    for (let i = 0; i < 500; i++) s.record(2, 100, (t += 4));
    // 500 records in 2000 ms: no window yet
    expect(lines).toEqual([]);
    for (let i = 0; i < 750; i++) s.record(i === 10 ? 40 : 4, 100, (t += 4));
    // the record acknowledged at +5000 ms closes the window: 1250 records in 5 s
    expect(lines).toEqual([
      '1250 records sent, 250.0 records/sec (0.02 MB/sec), 3.2 ms avg latency, 40.0 ms max latency.',
    ]);
  });

  it('ends with the totals and the 50th/95th/99th/99.9th percentiles', () => {
    let t = 0;
    const s = new ProducerStats(
      1000,
      () => t,
      () => undefined,
    );
    // latencies 1..1000 ms in a shuffled order
    for (let i = 0; i < 1000; i++) s.record(((i * 7919) % 1000) + 1, 1000, (t += 1));
    expect(s.percentiles(0.5, 0.95, 0.99, 0.999)).toEqual([501, 951, 991, 1000]);
    t = 2000;
    expect(s.totalLine()).toBe(
      '1000 records sent, 500.000000 records/sec (0.48 MB/sec), 500.50 ms avg latency, ' +
        '1000.00 ms max latency, 501 ms 50th, 951 ms 95th, 991 ms 99th, 1000 ms 99.9th.',
    );
  });

  it('samples at most 500,000 latencies, as Kafka does', () => {
    let t = 0;
    const s = new ProducerStats(
      2_000_000,
      () => t,
      () => undefined,
    );
    for (let i = 0; i < 2_000_000; i++) s.record(i < 1_000_000 ? 1 : 9, 1, (t += 0.001));
    // every 4th record sampled; half of them were 1 ms, half 9 ms
    expect(s.percentiles(0.25, 0.75)).toEqual([1, 9]);
    expect(s.count).toBe(2_000_000);
  });
});

describe('cli > perf > throttleDelayMs', () => {
  it('does not throttle with -1', () => {
    expect(throttleDelayMs(-1, 1_000_000, 1)).toBe(0);
  });
  it('waits until the record is due, deferring waits under 2 ms', () => {
    // 1000 records/s: record 100 is due at 100 ms
    expect(throttleDelayMs(1000, 100, 50)).toBeCloseTo(50);
    expect(throttleDelayMs(1000, 100, 99)).toBe(0);
    expect(throttleDelayMs(1000, 100, 150)).toBe(0);
  });
  it('never sends at 0', () => {
    expect(throttleDelayMs(0, 1, 0)).toBe(Infinity);
    // with a ramp of 200 records to 100/s, record 50 is due at 2 s (dueMs), not at 0.5 s
    expect(throttleDelayMs(100, 50, 0, 200)).toBeCloseTo(2000, 6);
    expect(throttleDelayMs(100, 50, 1999, 200)).toBe(0); // less than 2 ms ahead
  });
});

describe('cli > perf > consumer CSV', () => {
  it('has kafka-consumer-perf-test’s headers', () => {
    expect(consumerHeader(false)).toBe(
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ' +
        'rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    expect(consumerHeader(true)).toMatch(/^time, threadId, data\.consumed\.in\.MB, /);
  });
  it('formats the final line: totals over the run, fetch rates without the join time', () => {
    const start = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const line = consumerTotalLine({
      startMs: start,
      endMs: start + 4000,
      bytes: 100 * 1024 * 1024,
      messages: 1_000_000,
      joinMs: 2000,
    });
    expect(line).toBe(
      '2026-01-02 03:04:05:006, 2026-01-02 03:04:09:006, 100.0000, 25.0000, 1000000, 250000.0000, ' +
        '2000, 2000, 50.0000, 500000.0000',
    );
  });
  it('formats a detailed progress line per interval', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 0).getTime();
    expect(
      consumerProgressLine({
        bytes: 3 * 1024 * 1024,
        lastBytes: 1024 * 1024,
        messages: 300,
        lastMessages: 100,
        fromMs: t - 2000,
        toMs: t,
        joinMs: 1000,
      }),
    ).toBe(
      '2026-01-02 03:04:05:000, 0, 3.0000, 1.0000, 300, 100.0000, 1000, 1000, 2.0000, 200.0000',
    );
  });
  it('stamps times as yyyy-MM-dd HH:mm:ss:SSS', () => {
    expect(perfStamp(new Date(2026, 11, 4, 9, 8, 7, 65).getTime())).toBe('2026-12-04 09:08:07:065');
  });
});

describe('cli > perf > EndToEndLatency lines', () => {
  it('prints the average and floored percentiles', () => {
    const lat = Array.from({ length: 1000 }, (_, i) => i / 100 + 0.5); // 0.5 .. 10.49 ms
    expect(latencyResultLines(lat)).toEqual([
      'Avg latency: 5.4950 ms',
      'Percentiles: 50th = 5, 99th = 10, 99.9th = 10',
    ]);
  });
  it('at a set load, a line per second of records, so a moment with a tail stands out', () => {
    // 3 s at 100 records/s, then 50 more; second 2 has a 500 ms stall in its last 10 records
    const lat = Float64Array.from({ length: 350 }, (_, i) => (i >= 190 && i < 200 ? 500 : 1));
    expect(windowLatencyLines(lat, 100)).toEqual([
      '# second 1: 100 records, p50 1.00 ms, p99 1.00 ms, p99.9 1.00 ms, max 1.00 ms',
      '# second 2: 100 records, p50 1.00 ms, p99 500.00 ms, p99.9 500.00 ms, max 500.00 ms',
      '# second 3: 100 records, p50 1.00 ms, p99 1.00 ms, p99.9 1.00 ms, max 1.00 ms',
      '# second 4: 50 records, p50 1.00 ms, p99 1.00 ms, p99.9 1.00 ms, max 1.00 ms',
    ]);
    // a longer run: at most maxLines windows of whole seconds
    const long = windowLatencyLines(new Float64Array(45 * 10), 10, 20);
    expect(long).toHaveLength(15);
    expect(long[0]).toMatch(/^# seconds 1-3: 30 records, p50 0\.00 ms/);
    expect(long[14]).toMatch(/^# seconds 43-45: 30 records/);
  });
  it('a ramp of N warm-up records: the rate rises linearly from 0 and reaches R after 2N/R s', () => {
    // R = 100/s, N = 200: the ramp lasts 4 s; record i < 200 is due at 2*sqrt(200*i)/100 s
    expect(dueMs(0, 100, 200)).toBe(0);
    expect(dueMs(50, 100, 200)).toBeCloseTo(2000, 6); // a quarter of the records at half the time
    expect(dueMs(200, 100, 200)).toBeCloseTo(4000, 6);
    expect(dueMs(300, 100, 200)).toBeCloseTo(5000, 6); // then R: 100 more in 1 s
    expect(dueMs(300, 100)).toBe(3000); // no ramp: i / R
    // no second of the schedule holds more than R records
    let prev = 0;
    for (let s = 1; s <= 6; s++) {
      let i = 0;
      while (dueMs(i, 100, 200) < s * 1000) i++;
      expect(i - prev).toBeLessThanOrEqual(100);
      prev = i;
    }
  });
  it('with a ramp, the per-second lines follow the schedule: fewer records in the first seconds', () => {
    // R = 100/s, N = 200 warm-up: 12.5·t² records due by t s of the 4 s ramp, then 100 a second
    const lat = new Float64Array(400).fill(1);
    const lines = windowLatencyLines(lat, 100, 20, 200);
    const counts = lines.map((l) => Number(/: (\d+) records/.exec(l)![1]));
    expect(counts).toEqual([13, 37, 63, 87, 100, 100]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400);
    expect(lines[0]).toMatch(/^# second 1: /);
    expect(lines[5]).toMatch(/^# second 6: /);
  });
});

describe('cli > perf > properties', () => {
  it('reads a properties file: comments, blanks, = and : separators', () => {
    expect(parsePropertiesText('# c\n\nacks=all\nlinger.ms: 5\n! other\n', 'f')).toEqual({
      acks: 'all',
      'linger.ms': '5',
    });
  });
  it('--producer-props win over --producer.config, and bad pairs are named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-perf-props-'));
    try {
      const file = path.join(dir, 'p.properties');
      fs.writeFileSync(file, 'acks=all\nbatch.size=1000\n');
      expect(readProps(['acks=1'], file, 'producer-props')).toEqual({
        acks: '1',
        'batch.size': '1000',
      });
      expect(() => readProps(['acks'], undefined, 'producer-props')).toThrow(
        'Invalid property for --producer-props: "acks"',
      );
      expect(() => readProps([], path.join(dir, 'missing'), 'producer-props')).toThrow(
        /cannot read config file .*missing/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('bootstrap.servers from the props wins over --bootstrap-server', () => {
    expect(
      producerPerfProps({
        'producer-props': ['bootstrap.servers=h:1'],
        'bootstrap-server': 'h:2',
      })['bootstrap.servers'],
    ).toBe('h:1');
    expect(producerPerfProps({ 'bootstrap-server': 'h:2' })['bootstrap.servers']).toBe('h:2');
  });
});
