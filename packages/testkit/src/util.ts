/**
 * Small helpers the harnesses share: free loopback ports, a deadline poller, temp
 * dirs, and a registry of child processes killed when the test process exits (so a
 * crashed run leaves no ZooKeeper or broker behind).
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The kernel's range for ephemeral ports (`net.ipv4.ip_local_port_range`): the ports of
 * outgoing connections and of `listen(0)`. Linux's default when /proc does not say.
 */
export function ephemeralPortRange(): [number, number] {
  try {
    const [lo, hi] = fs
      .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux
  }
  return [32768, 60999];
}

/** The lowest port `freePorts` hands out. */
const LOWEST_PICKED_PORT = 10000;

function listenOn(srv: net.Server, port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve(false);
      else reject(e);
    };
    srv.once('error', onError);
    srv.listen(port, host, () => {
      srv.off('error', onError);
      resolve(true);
    });
  });
}

/**
 * Returns `count` distinct free TCP ports on `host` (held open together, then released).
 *
 * Picked at random below the kernel's ephemeral range: a port found free there cannot be
 * taken, before the caller binds it, by an outgoing connection of this or another process
 * (which draw their local ports from that range, as `listen(0)` does). Only another picker
 * drawing the same port in that window could, one chance in tens of thousands.
 */
export async function freePorts(
  count: number,
  host = '127.0.0.1',
  random: () => number = Math.random,
): Promise<number[]> {
  const servers: net.Server[] = [];
  const [ephemeralLow] = ephemeralPortRange();
  const span = ephemeralLow - LOWEST_PICKED_PORT;
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const srv = net.createServer();
      servers.push(srv);
      let bound = false;
      for (let attempt = 0; !bound && span >= 1000 && attempt < 20; attempt++) {
        const port = LOWEST_PICKED_PORT + Math.floor(random() * span);
        if (!ports.includes(port)) bound = await listenOn(srv, port, host);
      }
      // no room below the ephemeral range, or all tries taken: any port the kernel gives
      if (!bound && !(await listenOn(srv, 0, host))) throw new Error(`no free port on ${host}`);
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/** Whether `host:port` can be bound now (false when another process listens there). */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const srv = net.createServer();
  return new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}

export class DeadlineError extends Error {
  constructor(what: string, timeoutMs: number, last?: unknown) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${what}` +
        (last instanceof Error ? ` (last error: ${last.message})` : ''),
    );
    this.name = 'DeadlineError';
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false,
 * or throws DeadlineError naming `what` after `timeoutMs`. Errors from `probe` count as
 * "not yet" (the last one is quoted in the timeout message).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new DeadlineError(what, timeoutMs, last);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  exitDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

const children = new Set<ChildProcess>();
const exitDirs = new Set<string>();
let exitHookInstalled = false;

/** A process's own children (Linux /proc); none when it is gone or elsewhere. */
function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * At this process's exit: SIGKILL the tracked children still running (SIGCONT first, a
 * paused one included) and their own children (a tool run under `/usr/bin/time` is the
 * wrapper's child, and outlived a SIGKILL of the wrapper), then remove the dirs given to
 * `removeDirAtExit`. One hook, so the dirs go only after their processes.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of children) {
      if (!c.pid) continue;
      for (const pid of [...childPids(c.pid), c.pid]) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const d of exitDirs) {
      try {
        fs.rmSync(d, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  });
}

/** Tracks a child so it (and its own children) is SIGKILLed if this process exits while it still runs. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  installExitHook();
}

/**
 * Removes `dir` when this process exits, after its tracked children are killed (unless
 * `removeDir` took it first): for the temp dirs of processes that die with this one.
 */
export function removeDirAtExit(dir: string): string {
  exitDirs.add(dir);
  installExitHook();
  return dir;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * For a script's main (the benches, which start ZooKeeper and brokers that must not outlive
 * them): SIGINT, SIGTERM and SIGHUP end the process through `process.exit(128 + n)`, so the
 * exit hook kills the tracked children and removes the `removeDirAtExit` dirs. Node's
 * default for SIGTERM and SIGHUP ends the process without running exit hooks, which left a
 * killed bench's brokers running. Not for commands with a graceful stop of their own
 * (`kzoo cluster up`).
 */
export function exitOnSignals(name: string): void {
  for (const [sig, code] of Object.entries(SIGNAL_EXIT_CODES))
    process.once(sig, () => {
      process.stderr.write(`${name}: ${sig}; stopping its ZooKeeper and brokers\n`);
      process.exit(code);
    });
}

/** Resolves with the exit code (or signal name) once the child has exited. */
export function waitForExit(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code !== null ? code : (signal ?? -1))),
  );
}
