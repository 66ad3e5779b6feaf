// Usage errors as Kafka's tools treat them (exit code 2, nothing contacted), and Kafka's
// `--topic T` beside the positional. Real `kzoo` processes; needs `npx tsc -b` first.
import { runCli } from '@kzoo/testkit';

// nothing listens here: a usage error must be reported before any connection
const NOWHERE = ['--bootstrap-server', '127.0.0.1:1'];

describe('cli > usage errors (processes)', () => {
  it.each([
    [['topic', 'create'], /Missing required argument: topic/],
    [['topic', 'frobnicate'], /Unknown argument|name a topic command/],
    [['consume'], /topic/],
    [['nonsense'], /Unknown argument/],
    [['produce', 't', '--acks', '2'], /Invalid values/],
  ])('kzoo %j exits 2 with the usage message', async (args, message) => {
    const r = await runCli([...args, ...NOWHERE]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('topic create --partitions -1 (or 0) is refused as Kafka refuses it, exit 2', async () => {
    for (const n of ['-1', '0']) {
      const r = await runCli(['topic', 'create', 't', '--partitions', n, ...NOWHERE]);
      expect(r.stderr).toBe('kzoo: The partitions must be greater than 0\n');
      expect(r.code).toBe(2);
    }
    const rf = await runCli(['topic', 'create', 't', '--replication-factor', '0', ...NOWHERE]);
    expect(rf.stderr).toBe('kzoo: The replication factor must be between 1 and 32767 inclusive\n');
    expect(rf.code).toBe(2);
  });

  it('--topic T is accepted where the topic is positional', async () => {
    // each stops at a check that comes after parsing, so the arguments parsed
    const checks: Array<[string[], RegExp]> = [
      [['topic', 'create', '--topic', 't', '--partitions', '0'], /partitions must be greater/],
      [['consume', '--topic', 't', '--offset', '3'], /--offset needs --partition/],
      [['produce', '--topic', 't', '--producer-property', 'x'], /expects key=value/],
    ];
    for (const [args, message] of checks) {
      const r = await runCli([...args, ...NOWHERE]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
  });
});
