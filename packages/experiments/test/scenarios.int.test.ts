/**
 * A short seeded run of each scenario on a real ZooKeeper (the run's shared server, a
 * chroot per run) and three real broker processes. The safe configuration (acks=all,
 * min.insync.replicas=2, unclean election off, idempotence on) must lose and duplicate
 * nothing; acks=1 with the leader cut from ZooKeeper, and an unclean election after the
 * ISR shrank to the leader, must lose acknowledged records, and the checker must name the
 * election and the truncation. Runs compiled broker processes: `npx tsc -b` first.
 */
import { setLogLevel } from '@kzoo/common';
import { testZkServers } from '@kzoo/testkit/jest';
import { check, renderTerminal, runExperiment, type RunOptions } from '../src';

// the clients' retry warnings are expected here: faults are the point
beforeAll(() => setLogLevel('error'));

const SAFE: Pick<
  RunOptions,
  'acks' | 'minInsyncReplicas' | 'uncleanLeaderElection' | 'idempotence' | 'isrPath'
> = {
  acks: -1,
  minInsyncReplicas: 2,
  uncleanLeaderElection: false,
  idempotence: true,
  isrPath: 'alter-partition',
};

/** Short runs: a 3 s session, 1 s lag time, 100 sends/s. */
const SHORT = {
  durationMs: 7000,
  sessionTimeoutMs: 3000,
  replicaLagTimeMaxMs: 1000,
  ratePerSec: 100,
  deliveryTimeoutMs: 12000,
  requestTimeoutMs: 3000,
  healTimeoutMs: 45000,
};

async function checkedRun(o: Omit<RunOptions, 'zk'>) {
  const out = await runExperiment({
    ...o,
    zk: o.scenario.startsWith('zookeeper-') ? undefined : testZkServers(),
  });
  const result = check(out.history);
  const report = renderTerminal(result, out.history, { maxLost: 5 });
  const fired = out.history.faults.filter(
    (f) => f.phase === 'start' && f.target !== 'none' && f.kind !== 'heal',
  );
  return { history: out.history, result, report, fired };
}

function expectSafe(r: Awaited<ReturnType<typeof checkedRun>>): void {
  const got = {
    fired: r.fired.length > 0,
    healed: r.history.healedAt !== undefined,
    acknowledged: r.result.counts.acknowledged > 0,
    lost: r.result.counts.lost,
    duplicated: r.result.counts.duplicated,
    verdict: r.result.ok,
  };
  const want = {
    fired: true,
    healed: true,
    acknowledged: true,
    lost: 0,
    duplicated: 0,
    verdict: true,
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) process.stderr.write(r.report + '\n');
  expect(got).toEqual(want);
}

describe('experiments > scenarios (safe configuration: acks=all, min.insync 2, unclean off, idempotence)', () => {
  it.each([
    ['leader-kill', 11],
    ['leader-pause', 12],
    ['leader-isolated-from-zookeeper', 13],
    ['leader-isolated-from-followers', 14],
    ['follower-lag', 15],
    ['controller-kill', 16],
    ['controller-isolated', 17],
    ['rolling-restart', 18],
    ['client-partition', 19],
    ['random-mix', 20],
  ] as const)(
    '%s (seed %d): nothing acknowledged is lost or duplicated',
    async (scenario, seed) => {
      expectSafe(await checkedRun({ scenario, seed, ...SAFE, ...SHORT }));
    },
    150000,
  );
});

describe('experiments > scenarios that lose acknowledged records', () => {
  it('acks=1, leader isolated from ZooKeeper: the zombie leader acknowledges, a clean election, then its truncation', async () => {
    const r = await checkedRun({
      scenario: 'leader-isolated-from-zookeeper',
      seed: 1,
      ...SAFE,
      acks: 1,
      idempotence: false,
      ...SHORT,
      durationMs: 9000,
    });
    if (r.result.counts.lost === 0) process.stderr.write(r.report + '\n');
    expect(r.result.counts.lost).toBeGreaterThan(0);
    // acks=1 promises no such thing: loss is reported, not a violation
    expect(r.result.expectations.find((e) => e.id === 'no-acknowledged-loss')).toMatchObject({
      applies: false,
      held: false,
    });
    const isolated = r.fired.find((f) => f.kind === 'isolate-zookeeper')!;
    for (const lost of r.result.lost) {
      expect(lost.explanation.election).toMatchObject({ unclean: false });
      expect(lost.explanation.truncation).toBeDefined();
      expect(lost.explanation.text).toMatch(/was elected leader at epoch \d+/);
      expect(lost.explanation.text).toMatch(/truncated to offset \d+/);
      expect(`broker ${lost.explanation.ackedBy}`).toBe(isolated.target);
    }
  }, 150000);

  it('unclean election after the ISR shrank to the leader (acks=all, min.insync 1): lost, named as unclean', async () => {
    const r = await checkedRun({
      scenario: 'follower-lag-leader-kill',
      seed: 1,
      ...SAFE,
      minInsyncReplicas: 1,
      uncleanLeaderElection: true,
      ...SHORT,
      // the kill ends (the old leader restarts) at the end of the phase: well after its
      // session expired and the controller elected a follower uncleanly
      durationMs: 14000,
      sessionTimeoutMs: 6000,
    });
    if (r.result.counts.lost === 0) process.stderr.write(r.report + '\n');
    const kill = r.fired.find((f) => f.kind === 'kill');
    expect(kill).toBeDefined();
    expect(r.result.counts.lost).toBeGreaterThan(0);
    for (const lost of r.result.lost) {
      expect(lost.explanation.election).toMatchObject({ unclean: true });
      expect(lost.explanation.text).toMatch(/while not in the ISR \[\d+\] \(unclean/);
    }
  }, 150000);
});
