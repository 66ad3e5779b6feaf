/**
 * The ZooKeeper scenarios: a 3-node ensemble started for each run (not the shared
 * server), its leader killed, then two of its three nodes (quorum lost and regained). The
 * safe configuration must lose and duplicate nothing. `npx tsc -b` first.
 */
import { setLogLevel } from '@kzoo/common';
import { check, renderTerminal, runExperiment } from '../src';

beforeAll(() => setLogLevel('error'));

describe('experiments > ZooKeeper ensemble scenarios (acks=all, min.insync 2, unclean off, idempotence)', () => {
  it.each([
    ['zookeeper-node-kill', 21],
    ['zookeeper-quorum-loss', 22],
  ] as const)(
    '%s (seed %d): nothing acknowledged is lost or duplicated',
    async (scenario, seed) => {
      const out = await runExperiment({
        scenario,
        seed,
        acks: -1,
        minInsyncReplicas: 2,
        uncleanLeaderElection: false,
        idempotence: true,
        isrPath: 'alter-partition',
        durationMs: 7000,
        sessionTimeoutMs: 3000,
        replicaLagTimeMaxMs: 1000,
        ratePerSec: 100,
        deliveryTimeoutMs: 12000,
        requestTimeoutMs: 3000,
        healTimeoutMs: 45000,
      });
      const result = check(out.history);
      const zkKill = out.history.faults.find((f) => f.kind === 'zk-kill' && f.phase === 'start');
      const got = {
        zkKilled: zkKill?.target.startsWith('zookeeper ') ?? false,
        killedNodes: zkKill?.target.split(', ').length,
        healed: out.history.healedAt !== undefined,
        acknowledged: result.counts.acknowledged > 0,
        lost: result.counts.lost,
        duplicated: result.counts.duplicated,
        verdict: result.ok,
      };
      const want = {
        zkKilled: true,
        killedNodes: scenario === 'zookeeper-quorum-loss' ? 2 : 1,
        healed: true,
        acknowledged: true,
        lost: 0,
        duplicated: 0,
        verdict: true,
      };
      if (JSON.stringify(got) !== JSON.stringify(want))
        process.stderr.write(renderTerminal(result, out.history, { maxLost: 5 }) + '\n');
      expect(got).toEqual(want);
    },
    150000,
  );
});
