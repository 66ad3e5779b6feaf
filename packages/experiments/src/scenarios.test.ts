import { SeededRandom, parseSeed } from './random';
import {
  buildSchedule,
  describeSchedule,
  SCENARIOS,
  scenario,
  type ScheduleParams,
} from './scenarios';

const params: ScheduleParams = {
  durationMs: 30000,
  sessionTimeoutMs: 6000,
  replicaLagTimeMaxMs: 2000,
  partitions: 3,
  brokers: 3,
};

describe('experiments > SeededRandom', () => {
  it('replays the same stream for the same seed, another for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('int() stays within its bounds and reaches both ends', () => {
    const r = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(2, 5);
      expect(v).toBeGreaterThanOrEqual(2);
      expect(v).toBeLessThanOrEqual(5);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('parseSeed refuses what is not an integer in [0, 2^32)', () => {
    expect(parseSeed('17')).toBe(17);
    expect(() => parseSeed('-1')).toThrow(/invalid seed "-1"/);
    expect(() => parseSeed('1.5')).toThrow(/invalid seed/);
    expect(() => parseSeed('4294967296')).toThrow(/invalid seed/);
  });
});

describe('experiments > scenarios > buildSchedule', () => {
  it('has every scenario the issue names', () => {
    const names = SCENARIOS.map((s) => s.name);
    for (const n of [
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
    ])
      expect(names).toContain(n);
  });

  it.each(SCENARIOS.map((s) => s.name))('%s: the same seed gives the same schedule', (name) => {
    const a = buildSchedule(name, 1234, params);
    const b = buildSchedule(name, 1234, params);
    expect(b).toEqual(a);
    expect(a.faults.length).toBeGreaterThan(0);
    for (const f of a.faults) {
      expect(f.at).toBeGreaterThanOrEqual(0);
      expect(f.at).toBeLessThan(params.durationMs);
      if ('at' in f.end) expect(f.end.at).toBeGreaterThan(f.at);
      else
        expect(
          a.faults.some((g) => g.id === (f.end as { afterStartOf: number }).afterStartOf),
        ).toBe(true);
    }
  });

  it('different seeds give different schedules where the scenario draws anything', () => {
    for (const name of ['leader-kill', 'random-mix', 'rolling-restart', 'client-partition']) {
      const schedules = new Set(
        Array.from({ length: 10 }, (_, seed) =>
          JSON.stringify(buildSchedule(name, seed, params).faults),
        ),
      );
      expect(schedules.size).toBeGreaterThan(1);
    }
  });

  it('leader-pause outlives the session timeout (a zombie), follower-lag does not but outlives the lag time', () => {
    for (let seed = 0; seed < 20; seed++) {
      const [pause] = buildSchedule('leader-pause', seed, params).faults;
      expect(pause.kind).toBe('pause');
      expect((pause.end as { at: number }).at - pause.at).toBeGreaterThan(params.sessionTimeoutMs);
      const [lag] = buildSchedule('follower-lag', seed, params).faults;
      const len = (lag.end as { at: number }).at - lag.at;
      expect(len).toBeGreaterThan(params.replicaLagTimeMaxMs);
      expect(len).toBeLessThan(params.sessionTimeoutMs);
    }
  });

  it('rolling-restart stops every broker once, one after another', () => {
    const s = buildSchedule('rolling-restart', 9, params);
    const ids = s.faults.map((f) => (f.role.kind === 'broker-id' ? f.role.id : -1));
    expect([...ids].sort()).toEqual([1, 2, 3]);
    for (let i = 1; i < s.faults.length; i++)
      expect(s.faults[i].at).toBeGreaterThanOrEqual((s.faults[i - 1].end as { at: number }).at);
  });

  it('the ZooKeeper scenarios ask for an ensemble', () => {
    expect(buildSchedule('zookeeper-node-kill', 1, params).zookeeperNodes).toBe(3);
    expect(buildSchedule('zookeeper-quorum-loss', 1, params).zookeeperNodes).toBe(3);
    expect(buildSchedule('leader-kill', 1, params).zookeeperNodes).toBe(1);
  });

  it('follower-lag-leader-kill kills the leader only once the ISR shrank, and resumes the followers after', () => {
    const [followers, kill] = buildSchedule('follower-lag-leader-kill', 5, params).faults;
    expect(followers).toMatchObject({ kind: 'pause', role: { kind: 'followers' } });
    expect(kill).toMatchObject({
      kind: 'kill',
      role: { kind: 'leader' },
      when: { kind: 'isr-leader-only' },
    });
    expect(followers.end).toEqual({ afterStartOf: kill.id, delayMs: expect.any(Number) });
  });

  it('an unknown scenario is one line naming the known ones', () => {
    expect(() => scenario('leader-kil')).toThrow(
      /unknown scenario "leader-kil"; scenarios: leader-kill, /,
    );
  });

  it('describeSchedule says what, whom and when', () => {
    const lines = describeSchedule(buildSchedule('controller-kill', 3, params), 'orders');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^#0 kill the controller at \d+ ms, until \d+ ms$/);
  });
});
