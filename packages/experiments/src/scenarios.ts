/**
 * Nemesis schedules: named scenarios that place faults in time, fixed or drawn from a
 * seed. `buildSchedule(name, seed, ...)` is a pure function of its arguments (a seeded
 * PRNG, never Math.random), so the same seed replays the same schedule exactly. Targets
 * are roles, resolved by the runner when each fault fires; every fault ends (the process
 * is restarted or resumed, the link healed, the ZooKeeper node restarted) and the runner
 * heals everything after the fault phase anyway.
 */
import { SeededRandom } from './random';
import { roleLabel, type PartitionRef, type Role } from './roles';

/**
 * What a fault does to its target, and how it ends:
 * - `kill`: SIGKILL; ends with a restart (same id, data dir and ports).
 * - `pause`: SIGSTOP (a zombie once it outlives its ZooKeeper session); ends with SIGCONT.
 * - `stop`: SIGTERM, a controlled shutdown; ends with a restart.
 * - `isolate-zookeeper` | `isolate-brokers` | `isolate-clients`: the broker's links to
 *   ZooKeeper / to the other brokers / from clients cut both ways (per-link proxies);
 *   ends with a heal of those links.
 * - `zk-kill`: SIGKILL of ZooKeeper nodes; ends with their restart.
 */
export type FaultKind =
  | 'kill'
  | 'pause'
  | 'stop'
  | 'isolate-zookeeper'
  | 'isolate-brokers'
  | 'isolate-clients'
  | 'zk-kill';

export const NETWORK_FAULTS: readonly FaultKind[] = [
  'isolate-zookeeper',
  'isolate-brokers',
  'isolate-clients',
];

/** Start a fault only once a condition holds (checked against ZooKeeper every ~100 ms). */
export interface FaultCondition {
  /** The partition's ISR is its leader alone. */
  kind: 'isr-leader-only';
  partition: PartitionRef;
  /** Give up (the fault does not fire, the run says so) after this long. */
  timeoutMs: number;
  /** Then wait this long before firing. */
  thenDelayMs: number;
}

export type FaultEnd =
  /** At this offset of the fault phase. */
  | { at: number }
  /** This long after fault `fault` started (or gave up). */
  | { afterStartOf: number; delayMs: number };

export interface ScheduledFault {
  /** 0, 1, 2, ... in schedule order. */
  id: number;
  kind: FaultKind;
  role: Role;
  /** Offset from the start of the fault phase, ms. */
  at: number;
  when?: FaultCondition;
  end: FaultEnd;
}

export interface Schedule {
  scenario: string;
  seed: number;
  durationMs: number;
  zookeeperNodes: 1 | 3;
  faults: ScheduledFault[];
}

/** The timings a schedule is built around (the run's broker configuration). */
export interface ScheduleParams {
  durationMs: number;
  sessionTimeoutMs: number;
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs: number;
  partitions: number;
  brokers: number;
}

export interface ScenarioDef {
  name: string;
  description: string;
  zookeeperNodes: 1 | 3;
  /** Needs the per-link network faults (every link through a proxy). */
  network: boolean;
  build(rng: SeededRandom, p: ScheduleParams): Array<Omit<ScheduledFault, 'id'>>;
}

const frac = (p: ScheduleParams, f: number) => Math.round(p.durationMs * f);
/** Long enough for the ZooKeeper session to expire and the controller to act. */
const pastSession = (rng: SeededRandom, p: ScheduleParams) =>
  p.sessionTimeoutMs + rng.int(1500, 3000);
const somePartition = (rng: SeededRandom, p: ScheduleParams) => rng.int(0, p.partitions - 1);

function single(
  kind: FaultKind,
  role: (rng: SeededRandom, p: ScheduleParams) => Role,
  length: (rng: SeededRandom, p: ScheduleParams) => number,
): ScenarioDef['build'] {
  return (rng, p) => {
    const r = role(rng, p);
    const at = rng.int(frac(p, 0.1), frac(p, 0.25));
    return [{ kind, role: r, at, end: { at: at + length(rng, p) } }];
  };
}

export const SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'leader-kill',
    description:
      'SIGKILL the leader of a partition; restart it once the controller moved leadership',
    zookeeperNodes: 1,
    network: false,
    build: single(
      'kill',
      (r, p) => ({ kind: 'leader', partition: somePartition(r, p) }),
      pastSession,
    ),
  },
  {
    name: 'leader-pause',
    description: 'SIGSTOP the leader past its session timeout (a zombie leader), then SIGCONT',
    zookeeperNodes: 1,
    network: false,
    build: single(
      'pause',
      (r, p) => ({ kind: 'leader', partition: somePartition(r, p) }),
      pastSession,
    ),
  },
  {
    name: 'leader-isolated-from-zookeeper',
    description:
      'cut the leader from ZooKeeper only: its session expires, a new leader is elected while clients still reach the old one',
    zookeeperNodes: 1,
    network: true,
    build: single(
      'isolate-zookeeper',
      (r, p) => ({ kind: 'leader', partition: somePartition(r, p) }),
      pastSession,
    ),
  },
  {
    name: 'leader-isolated-from-followers',
    description:
      "cut the leader's links to the other brokers (ZooKeeper and clients still reach it)",
    zookeeperNodes: 1,
    network: true,
    build: single(
      'isolate-brokers',
      (r, p) => ({ kind: 'leader', partition: somePartition(r, p) }),
      (r, p) => p.replicaLagTimeMaxMs * 2 + r.int(1000, 3000),
    ),
  },
  {
    name: 'follower-lag',
    description:
      'SIGSTOP a follower longer than replica.lag.time.max.ms but within its session: the ISR shrinks, then it catches up',
    zookeeperNodes: 1,
    network: false,
    build: single(
      'pause',
      (r, p) => ({ kind: 'follower', partition: somePartition(r, p) }),
      (r, p) =>
        Math.min(
          p.replicaLagTimeMaxMs * 2 + r.int(0, 1000),
          Math.max(p.sessionTimeoutMs - 1000, 1000),
        ),
    ),
  },
  {
    name: 'follower-lag-leader-kill',
    description:
      "SIGSTOP every follower of the controller's partition until the ISR is the leader alone, SIGKILL the leader, then resume the followers (an unclean election if enabled)",
    zookeeperNodes: 1,
    network: false,
    build: (rng, p) => {
      const at = rng.int(frac(p, 0.1), frac(p, 0.2));
      const thenDelayMs = rng.int(500, 800);
      return [
        // the followers stay paused until 300 ms after the leader's kill: within their
        // session (the wait for the shrunk ISR gives up in time for that)
        {
          kind: 'pause',
          role: { kind: 'followers', partition: 'controller-led' },
          at,
          end: { afterStartOf: 1, delayMs: 300 },
        },
        {
          kind: 'kill',
          role: { kind: 'leader', partition: 'controller-led' },
          at: at + 200,
          when: {
            kind: 'isr-leader-only',
            partition: 'controller-led',
            timeoutMs: Math.max(p.sessionTimeoutMs - thenDelayMs - 1500, 1000),
            thenDelayMs,
          },
          end: { at: at + 200 + pastSession(rng, p) + p.sessionTimeoutMs },
        },
      ];
    },
  },
  {
    name: 'controller-kill',
    description: 'SIGKILL the controller; restart it after a new controller took over',
    zookeeperNodes: 1,
    network: false,
    build: single('kill', () => ({ kind: 'controller' }), pastSession),
  },
  {
    name: 'controller-isolated',
    description:
      'cut the controller from ZooKeeper past its session (a zombie controller), then heal',
    zookeeperNodes: 1,
    network: true,
    build: single('isolate-zookeeper', () => ({ kind: 'controller' }), pastSession),
  },
  {
    name: 'rolling-restart',
    description:
      'SIGTERM (controlled shutdown) and restart every broker in turn, in a seeded order',
    zookeeperNodes: 1,
    network: false,
    build: (rng, p) => {
      const ids = Array.from({ length: p.brokers }, (_, i) => i + 1);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [ids[i], ids[j]] = [ids[j], ids[i]];
      }
      const slot = Math.floor((p.durationMs * 0.85) / ids.length);
      return ids.map((id, i) => {
        const at = Math.round(p.durationMs * 0.05) + i * slot;
        return {
          kind: 'stop' as const,
          role: { kind: 'broker-id' as const, id },
          at,
          end: { at: at + Math.min(rng.int(1000, 2000), Math.floor(slot / 2)) },
        };
      });
    },
  },
  {
    name: 'zookeeper-node-kill',
    description:
      'SIGKILL the ZooKeeper leader of a 3-node ensemble (a new one is elected), restart it',
    zookeeperNodes: 3,
    network: false,
    build: single(
      'zk-kill',
      () => ({ kind: 'zookeeper-leader' }),
      (r) => r.int(2000, 4000),
    ),
  },
  {
    name: 'zookeeper-quorum-loss',
    description:
      'SIGKILL two of three ZooKeeper nodes (no quorum: no writes, no elections), restart them',
    zookeeperNodes: 3,
    network: false,
    build: single(
      'zk-kill',
      () => ({ kind: 'zookeeper-majority' }),
      (r, p) => Math.max(2000, p.sessionTimeoutMs + r.int(-1000, 1000)),
    ),
  },
  {
    name: 'client-partition',
    description: "cut the clients' links to the leader of a partition (the brokers still see it)",
    zookeeperNodes: 1,
    network: true,
    build: single(
      'isolate-clients',
      (r, p) => ({ kind: 'leader', partition: somePartition(r, p) }),
      (r) => r.int(2000, 5000),
    ),
  },
  {
    name: 'random-mix',
    description: 'two to four faults drawn from the seed (kinds, roles, times), one after another',
    zookeeperNodes: 1,
    network: true,
    build: (rng, p) => {
      const n = rng.int(2, 4);
      const slot = Math.floor((p.durationMs * 0.9) / n);
      const out: Array<Omit<ScheduledFault, 'id'>> = [];
      const kinds: FaultKind[] = ['kill', 'pause', 'stop', ...NETWORK_FAULTS];
      for (let i = 0; i < n; i++) {
        const kind = rng.pick(kinds);
        const part = somePartition(rng, p);
        const role: Role = rng.pick<Role>([
          { kind: 'leader', partition: part },
          { kind: 'follower', partition: part },
          { kind: 'controller' },
          { kind: 'coordinator' },
          { kind: 'broker' },
        ]);
        const at = Math.round(p.durationMs * 0.05) + i * slot + rng.int(0, Math.floor(slot / 4));
        const len = Math.min(rng.int(1000, pastSession(rng, p)), Math.floor((slot * 3) / 4));
        out.push({ kind, role, at, end: { at: at + len } });
      }
      return out;
    },
  },
];

export function scenario(name: string): ScenarioDef {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) {
    throw new Error(
      `unknown scenario ${JSON.stringify(name)}; scenarios: ${SCENARIOS.map((x) => x.name).join(', ')}`,
    );
  }
  return s;
}

/** The schedule of `name` for `seed`: the same arguments give the same schedule. */
export function buildSchedule(name: string, seed: number, params: ScheduleParams): Schedule {
  const def = scenario(name);
  const rng = new SeededRandom(seed);
  const faults = def.build(rng, params).map((f, id) => ({ ...f, id }));
  return {
    scenario: name,
    seed,
    durationMs: params.durationMs,
    zookeeperNodes: def.zookeeperNodes,
    faults,
  };
}

/** One line per fault, for `--dry-run` style output and the progress lines. */
export function describeSchedule(s: Schedule, topic: string): string[] {
  return s.faults.map((f) => {
    const end =
      'at' in f.end
        ? `until ${f.end.at} ms`
        : `until ${f.end.delayMs} ms after fault #${f.end.afterStartOf} starts`;
    const when = f.when
      ? ` once the ISR of the partition is its leader alone (+${f.when.thenDelayMs} ms)`
      : '';
    return `#${f.id} ${f.kind} ${roleLabel(f.role, topic)} at ${f.at} ms${when}, ${end}`;
  });
}
