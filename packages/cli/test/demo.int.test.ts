import { runCli } from '@kzoo/testkit';

/**
 * `npm run demo` is the project's front door: run the real `kzoo demo` (its own
 * ZooKeeper and broker processes) and check the story it tells is what happened.
 */
describe('cli > kzoo demo', () => {
  it('fails over a leader and the controller without losing acknowledged records, then heals', async () => {
    const r = await runCli(['demo', '--records', '3000'], { timeoutMs: 120000 });
    try {
      check(r.stdout, r.stderr, r.code);
    } catch (e) {
      // The whole story, so a failure says which step went wrong.
      process.stderr.write(`kzoo demo exited ${r.code} (${r.signal})\n${r.stdout}\n${r.stderr}\n`);
      throw e;
    }
  });
});

function check(out: string, stderr: string, code: number | null): void {
  expect(stderr).not.toMatch(/ERROR/);
  expect(code).toBe(0);
  expect(out).toMatch(/3 brokers registered/);
  expect(out).toMatch(/\/brokers\/topics\/orders\/partitions\/0\/state = \{"controller_epoch":1/);
  expect(out).toMatch(/3000 records acknowledged/);
  expect(out).toMatch(/leads orders-0 \d+ ms after the kill; leader epoch 0 -> [1-9]/);
  expect(out).toMatch(/read back 3000 records from the survivors: 0 acknowledged records lost/);
  // The first kill may already have hit the controller (epoch 1 -> 2); the second bumps it again.
  const [, before, after] =
    /is controller \d+ ms after the kill; controller epoch (\d+) -> (\d+)/.exec(out) ?? [];
  expect(Number(after)).toBe(Number(before) + 1);
  expect(out).toMatch(/acks=all: refused with NOT_ENOUGH_REPLICAS/);
  expect(out).toMatch(/acks=1: acknowledged at orders-\d offset \d+/);
  expect(out).toMatch(/every ISR is full again/);
  expect(out).toMatch(
    /point any Kafka client at 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/,
  );
  // kcat reads everything acknowledged (3000 records plus the acks=1 one) through the Kafka listener
  expect(out).toMatch(
    /kcat read 3001 records \(orders-0: \d+, orders-1: \d+, orders-2: \d+\), exit code 0/,
  );
  expect(out.trimEnd()).toMatch(/done\.$/);
}
