// `kzoo perf produce|consume|end-to-end-latency` as their own processes against one broker
// process, with modest record counts: what each prints (Kafka's formats) and that the
// records really went through. Needs `npx tsc -b` first.
import { randomBytes } from 'node:crypto';
import { Admin, Consumer } from '@kzoo/client';
import { runCli } from '@kzoo/testkit';
import { TestCluster } from '@kzoo/testkit/jest';
import { perfConsumeArgs, perfProduceArgs } from '../src/perf/perf-args';

const name = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

/** `kzoo perf produce` of `n` 100-byte records to `topic`, unthrottled, then `extra`. */
const perfProduce = (topic: string, n: number, ...extra: string[]) =>
  perfProduceArgs({ topic, records: n }, ...extra);

async function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const c = new Consumer({ 'bootstrap.servers': bootstrap });
  try {
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    c.assign(tps);
    c.seekToEnd(tps);
    let sum = 0;
    for (const tp of tps) sum += await c.position(tp);
    return sum;
  } finally {
    await c.close();
  }
}

describe('cli > kzoo perf (processes)', () => {
  let cluster: TestCluster;
  let bootstrap: string;
  let topic: string;
  const N = 5000;

  beforeAll(async () => {
    cluster = await TestCluster.start({ brokers: 1, waitForMetadata: true });
    bootstrap = `127.0.0.1:${cluster.broker(1).port}`;
    topic = name('perf');
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    try {
      await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
  }, 120000);

  it('perf produce sends N records and prints kafka-producer-perf-test’s final line', async () => {
    const r = await runCli(
      perfProduce(topic, N, '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=1'),
      { timeoutMs: 90000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toMatch(
      new RegExp(
        `^${N} records sent, \\d+\\.\\d{6} records/sec \\(\\d+\\.\\d{2} MB/sec\\), \\d+\\.\\d{2} ms avg latency, ` +
          '\\d+\\.\\d{2} ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.$',
      ),
    );
    expect(await endOffsets(bootstrap, topic, 2)).toBe(N);
  }, 120000);

  it('perf consume reads them in a group and prints kafka-consumer-perf-test’s CSV', async () => {
    const r = await runCli(perfConsumeArgs(bootstrap, topic, N, '--group', name('perf-group')), {
      timeoutMs: 90000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, line] = r.stdout.trim().split('\n');
    expect(header).toBe(
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ' +
        'rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    );
    const f = line.split(', ');
    expect(f).toHaveLength(10);
    expect(f[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$/);
    expect(f[2]).toBe(((N * 100) / (1024 * 1024)).toFixed(4));
    expect(f[4]).toBe(String(N));
  }, 120000);

  it('perf end-to-end-latency creates a missing topic, checks each record, prints percentiles', async () => {
    const t = name('e2e');
    const r = await runCli(
      [
        'perf',
        'end-to-end-latency',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        t,
        '--num-records',
        '30',
        '--producer-acks',
        'all',
      ],
      { timeoutMs: 90000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `Topic "${t}" does not exist. Will create topic with 1 partition(s) and replication factor = 1`,
    );
    expect(lines[1]).toMatch(/^0\t\d+(\.\d+)?$/);
    expect(lines[2]).toMatch(/^Avg latency: \d+\.\d{4} ms$/);
    expect(lines[3]).toMatch(/^Percentiles: 50th = \d+, 99th = \d+, 99\.9th = \d+$/);
    expect(await endOffsets(bootstrap, t, 1)).toBe(30);

    // at a set load: 200 records at 400/s into the same topic, each measured end to end
    const l = await runCli(
      [
        'perf',
        'end-to-end-latency',
        '--bootstrap-server',
        bootstrap,
        '--topic',
        t,
        '--num-records',
        '200',
        '--throughput',
        '400',
        '--warmup-records',
        '120',
      ],
      { timeoutMs: 90000 },
    );
    expect(l.stderr).toBe('');
    expect(l.code).toBe(0);
    const ms =
      'p50 \\d+\\.\\d\\d ms, p99 \\d+\\.\\d\\d ms, p99\\.9 \\d+\\.\\d\\d ms, max \\d+\\.\\d\\d ms';
    expect(l.stdout).toMatch(new RegExp(`^# at 400 records/s: ${ms} \\(200 records\\)$`, 'm'));
    // the records after the warm-up (sent on a 0.6 s ramp: 2 × 120 / 400), and each second's
    // records (all 200 due within 0.8 s: one line)
    expect(l.stdout).toMatch(
      new RegExp(
        `^# steady state at 400 records/s: ${ms} \\(80 records after 120 warmup records, sent at a rate rising from 0 over 0\\.6 s\\)$`,
        'm',
      ),
    );
    expect(l.stdout).toMatch(new RegExp(`^# second 1: 200 records, ${ms}$`, 'm'));
    // and what the measuring process itself did meanwhile (its CPU, stalls, GC pauses, and
    // how long it waited for a CPU)
    expect(l.stdout).toMatch(
      /^# this process during the run: CPU \d+ % of one core \(\d+\.\d\d µs per record\), event-loop delay 99th \d+\.\d \/ max \d+\.\d ms, GC \d+ pauses, \d+ ms in all, longest \d+\.\d ms, waited for a CPU \d+ ms of \d+ ms$/m,
    );
    expect(await endOffsets(bootstrap, t, 1)).toBe(230);
  }, 150000);

  it('perf produce --warmup-records: the whole run, then the steady state after the warm-up', async () => {
    const t = name('warm');
    const r = await runCli(
      perfProduce(
        t,
        3000,
        '--warmup-records',
        '1000',
        '--producer-props',
        `bootstrap.servers=${bootstrap}`,
        'acks=1',
      ),
      { timeoutMs: 90000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'Warmup first 1000 records. Steady state results will print after the complete test summary.',
    );
    const rest =
      ' records/sec \\(\\d+\\.\\d{2} MB/sec\\), \\d+\\.\\d{2} ms avg latency, ' +
      '\\d+\\.\\d{2} ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99\\.9th\\.$';
    expect(lines.at(-2)).toMatch(new RegExp(`^3000 records sent, \\d+\\.\\d{6}${rest}`));
    expect(lines.at(-1)).toMatch(
      new RegExp(`^2000 steady state records sent, \\d+\\.\\d{6}${rest}`),
    );
    expect(await endOffsets(bootstrap, t, 1)).toBe(3000);
  }, 120000);

  it('--self-stats: after Kafka’s lines, the tool’s own CPU per record, stalls and GC', async () => {
    const t = name('self');
    const self =
      /^# this process during the run: CPU \d+ % of one core \((\d+\.\d\d) µs per record\), event-loop delay 99th \d+\.\d \/ max \d+\.\d ms, GC \d+ pauses, \d+ ms in all, longest \d+\.\d ms(, waited for a CPU \d+ ms of \d+ ms)?$/;
    const p = await runCli(
      perfProduce(t, 2000, '--self-stats', '--producer-props', `bootstrap.servers=${bootstrap}`),
      { timeoutMs: 90000 },
    );
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const out = p.stdout.trim().split('\n');
    expect(out.at(-2)).toMatch(/^2000 records sent, /);
    const perRecord = self.exec(out.at(-1)!);
    expect(perRecord).not.toBeNull();
    expect(Number(perRecord![1])).toBeGreaterThan(0);
    const c = await runCli(perfConsumeArgs(bootstrap, t, 2000, '--self-stats'), {
      timeoutMs: 90000,
    });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const lines = c.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1].split(', ')[4]).toBe('2000');
    expect(lines[2]).toMatch(self);
  }, 120000);

  it('bad input is one clear line and exit code 2', async () => {
    const r = await runCli(perfProduce(topic, 10, '--producer-props', 'acks'), {
      timeoutMs: 30000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'kzoo: Invalid property for --producer-props: "acks" (expected key=value)',
    );
    const w = await runCli(
      perfProduce(
        topic,
        10,
        '--warmup-records',
        '10',
        '--producer-props',
        `bootstrap.servers=${bootstrap}`,
      ),
      { timeoutMs: 30000 },
    );
    expect(w.code).toBe(2);
    expect(w.stderr).toContain(
      'The value for --warmup-records must be strictly fewer than the number of records in the test, --num-records.',
    );
  }, 60000);
});
