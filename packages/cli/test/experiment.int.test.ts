/**
 * `kzoo experiment`: the listing and the usage errors (exit 2, one line naming the
 * problem) — before any cluster starts. Whole runs are tested in packages/experiments.
 */
import { runCli } from '@kzoo/testkit';

describe('cli > experiment', () => {
  it('list: every scenario with a one-line description', async () => {
    const r = await runCli(['experiment', 'list']);
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'leader-kill',
        'leader-pause',
        'leader-isolated-from-zookeeper',
        'leader-isolated-from-followers',
        'follower-lag',
        'controller-kill',
        'controller-isolated',
        'rolling-restart',
        'zookeeper-node-kill',
        'zookeeper-quorum-loss',
        'client-partition',
        'random-mix',
      ]),
    );
    expect(r.stdout).toMatch(
      /^zookeeper-quorum-loss +SIGKILL two of three ZooKeeper nodes.*\[3 ZooKeeper nodes\]$/m,
    );
  });

  it.each([
    [
      ['experiment', 'run', 'leader-kil'],
      /kzoo: unknown scenario "leader-kil"; scenarios: leader-kill, /,
    ],
    [['experiment', 'run', 'leader-kill', '--acks', '2'], /kzoo: invalid --acks "2": 0, 1 or all/],
    [
      ['experiment', 'run', 'leader-kill', '--acks', '1', '--idempotence'],
      /kzoo: --idempotence needs --acks all \(got --acks 1\)/,
    ],
    [['experiment', 'run', 'leader-kill', '--duration', 'soon'], /kzoo: invalid duration "soon"/],
    [['experiment', 'run', 'leader-kill', '--seed', '-3'], /kzoo: invalid seed "-3"/],
    [
      ['experiment', 'matrix', '--unclean', 'maybe'],
      /kzoo: invalid --unclean value maybe: off or on/,
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
