import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { brokerConfigFromArgs } from './commands/broker';

/**
 * docker-compose.yml and the Dockerfile, parsed (scripts/compose-test.sh brings them up on a
 * real engine): every broker service's command is a valid `kzoo broker start` whose config
 * makes a cluster (distinct ids, one ZooKeeper chroot, advertised on its own hostname), and
 * the file keeps the rules a real engine showed matter: no top-level `name:` (docker-compose
 * 1.29 rejects it), healthchecks, ports published on 127.0.0.1 only, a stop grace period that
 * covers a controlled shutdown, named volumes, images pinned by digest, a non-root image.
 */
interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  hostname?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  stop_grace_period?: string;
}

const root = path.join(__dirname, '../../..');
const BROKERS = ['broker1', 'broker2', 'broker3'];
const PINNED = /^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/;

/** `${VAR:-default}` -> default (what compose uses when VAR is unset). */
function defaultOf(value: string): string {
  const m = /^\$\{(\w+):-(.+)\}$/.exec(value);
  return m ? m[2] : value;
}

/** Compose durations as used here: `30s`, `1m30s`, `500ms`. */
function durationMs(d: string): number {
  let ms = 0;
  const re = /(\d+)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d)) !== null)
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return ms;
}

function argsOf(command: string[]) {
  expect(command.slice(0, 2)).toEqual(['broker', 'start']);
  const args: { id?: number; zk?: string; 'data-dir'?: string; override: string[]; host: string } =
    { override: [], host: '127.0.0.1' };
  for (let i = 2; i < command.length; i += 2) {
    const [flag, value] = [command[i], command[i + 1]];
    if (flag === '--id') args.id = Number(value);
    else if (flag === '--zk') args.zk = value;
    else if (flag === '--data-dir') args['data-dir'] = value;
    else if (flag === '--override') args.override.push(value);
    else throw new Error(`unexpected flag ${flag} in docker-compose.yml`);
  }
  return args;
}

describe('cli > docker-compose.yml', () => {
  const file = path.join(root, 'docker-compose.yml');
  const doc = parse(fs.readFileSync(file, 'utf8'), { merge: true }) as {
    name?: string;
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const configOf = (name: string) =>
    brokerConfigFromArgs(argsOf(doc.services[name].command!) as never);

  it('has a ZooKeeper and three brokers that wait for it', () => {
    const names = Object.keys(doc.services);
    expect(names).toEqual(['zookeeper', 'broker1', 'broker2', 'broker3']);
    expect(defaultOf(doc.services.zookeeper.image!)).toMatch(/^zookeeper:3\./);
    for (const b of ['broker1', 'broker2', 'broker3']) {
      expect(doc.services[b].depends_on?.zookeeper.condition).toBe('service_healthy');
    }
  });

  it('gives each broker a valid config: distinct ids, one chroot, its own advertised host', () => {
    const configs = ['broker1', 'broker2', 'broker3'].map((name) => {
      const svc = doc.services[name];
      const config = brokerConfigFromArgs(argsOf(svc.command!) as never);
      expect(config.advertisedListeners[0].host).toBe(svc.hostname);
      expect(config.listeners[0].host).toBe('0.0.0.0');
      return config;
    });
    expect(new Set(configs.map((c) => c.brokerId)).size).toBe(3);
    // Brokers talk kzoo among themselves; Kafka clients get a listener on the network and
    // one published on the host's loopback, at the same port inside and out.
    configs.forEach((c, i) => {
      expect(c.interBrokerListenerName).toBe('INTERNAL');
      expect(c.wireProtocolOf('INTERNAL')).toBe('kzoo');
      expect(c.wireProtocolOf('KAFKA')).toBe('kafka');
      expect(c.wireProtocolOf('EXTERNAL')).toBe('kafka');
      const external = c.advertisedListeners.find((l) => l.listenerName === 'EXTERNAL')!;
      expect(external.host).toBe('127.0.0.1');
      expect(doc.services[`broker${i + 1}`].ports).toEqual([
        `127.0.0.1:${external.port}:${external.port}`,
      ]);
    });
    expect(new Set(configs.map((c) => c.zkConnect))).toEqual(new Set(['zookeeper:2181/kzoo']));
  });

  it('has no top-level name (docker-compose 1.29 rejects it; -p or COMPOSE_PROJECT_NAME name the project)', () => {
    expect(Object.keys(doc)).not.toContain('name');
  });

  it('publishes ports on the loopback only', () => {
    for (const [name, svc] of Object.entries(doc.services))
      for (const p of svc.ports ?? []) expect(`${name} ${p}`).toMatch(/^\S+ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('checks health: ZooKeeper answers ruok, each broker runs `kzoo broker health` on itself', () => {
    expect(doc.services.zookeeper.healthcheck?.test.join(' ')).toContain('ruok');
    for (const name of BROKERS) {
      const test = doc.services[name].healthcheck?.test ?? [];
      const config = configOf(name);
      expect(test[0]).toBe('CMD');
      const args = test.slice(1);
      expect(args.slice(0, 4)).toEqual([
        'node',
        '/kzoo/packages/cli/dist/bin.js',
        'broker',
        'health',
      ]);
      const flag = (f: string) => args[args.indexOf(f) + 1];
      expect(Number(flag('--id'))).toBe(config.brokerId);
      expect(flag('--zk')).toBe(config.zkConnect);
      const internal = config.listeners.find((l) => l.listenerName === 'INTERNAL')!;
      expect(flag('--bootstrap-server')).toBe(`127.0.0.1:${internal.port}`);
    }
  });

  it('uses a short demo session timeout and gives controlled shutdown time to finish', () => {
    for (const name of BROKERS) {
      const config = configOf(name);
      // Kafka's default is 18 s; the demo's failover should take seconds (documented in the file).
      expect(config.getInt('zookeeper.session.timeout.ms')).toBeLessThan(18000);
      // one ControlledShutdown request timing out (a controller stopping too), then the retries
      const shutdownMs =
        config.getInt('controller.socket.timeout.ms') +
        config.getInt('controlled.shutdown.max.retries') *
          config.getInt('controlled.shutdown.retry.backoff.ms');
      const grace = doc.services[name].stop_grace_period;
      expect(grace).toBeDefined();
      expect(durationMs(grace!)).toBeGreaterThanOrEqual(shutdownMs + 15000);
    }
    expect(fs.readFileSync(file, 'utf8')).toMatch(/session\.timeout\.ms=\d+ \[18000\]/);
  });

  it('keeps data in named volumes', () => {
    const declared = Object.keys(doc.volumes ?? {});
    for (const name of [...BROKERS, 'zookeeper']) {
      const vols = doc.services[name].volumes ?? [];
      expect(vols.length).toBeGreaterThan(0);
      for (const v of vols) expect(declared).toContain(v.split(':')[0]);
    }
    for (const name of BROKERS)
      expect(doc.services[name].volumes).toContain(`${name}-data:${configOf(name).logDirs[0]}`);
  });

  it('pins the images by tag and digest, the same in docker-compose.yml and the Dockerfile', () => {
    expect(defaultOf(doc.services.zookeeper.image!)).toMatch(PINNED);
    expect(defaultOf(doc.services.zookeeper.image!)).toMatch(/^zookeeper:3\./);
    const argDefaults = Object.fromEntries(
      [...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const name of BROKERS) {
      const args = doc.services[name].build?.args ?? {};
      expect(Object.keys(args).sort()).toEqual(['DEBIAN_IMAGE', 'NODE_IMAGE']);
      for (const [k, v] of Object.entries(args)) {
        expect(defaultOf(v)).toMatch(PINNED);
        expect(defaultOf(v)).toBe(argDefaults[k]);
      }
    }
    expect(argDefaults.NODE_IMAGE).toMatch(/^node:20-bookworm-slim@/);
  });
});

describe('cli > Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1];

  it('builds in one stage and runs from another, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const users = [...final.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    // no compiler, no package installs, no npm in the image that runs
    expect(final).not.toMatch(/apt-get|g\+\+|python3|npm /);
    expect(final).toMatch(/^COPY --from=build /m);
  });

  it('builds zstd-napi from source (no prebuilt download) and prunes dev dependencies', () => {
    const build = stages[0];
    expect(build).toMatch(/install -y --no-install-recommends python3 make g\+\+/);
    expect(build).toMatch(/npm_config_build_from_source=zstd-napi/);
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('copies every workspace manifest before `npm ci`', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    for (const ws of pkg.workspaces) expect(dockerfile).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
