/**
 * What a perf tool's own process did over a run: its CPU (share of one core, and per
 * record), event-loop delay, GC pauses and, on Linux, the time it was runnable without a
 * CPU. A load generator on the machine it measures is part of the result: these say when
 * a figure is the tool's limit or the machine's rather than the cluster's.
 * `end-to-end-latency --throughput` always prints them; `produce` and `consume` with
 * `--self-stats`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

export interface SelfStats {
  /** CPU time / wall time (1 = one core busy all along). */
  cpuShare: number;
  /** CPU time (user + system) over the run. */
  cpuMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /**
   * Time this process was runnable but had no CPU (Linux /proc/self/schedstat); undefined
   * where the kernel does not say. Large: the machine, not this process, set the tails.
   */
  runQueueWaitMs?: number;
  /** Wall time of the run. */
  wallMs: number;
}

/** Linux: ns this process (its main thread) spent runnable without a CPU, or undefined. */
export function runQueueWaitNs(pid: number | 'self' = 'self'): number | undefined {
  try {
    const v = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Linux: CPU ms process `pid` has used (all threads), in user space and in the kernel, from
 * /proc/<pid>/stat (in clock ticks of 10 ms, the USER_HZ of every Linux architecture Node
 * runs on), or undefined.
 */
export function processCpuTimesMs(pid: number): { userMs: number; systemMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(f[11]);
    const system = Number(f[12]);
    return Number.isFinite(user) && Number.isFinite(system)
      ? { userMs: user * 10, systemMs: system * 10 }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Linux: CPU ms all the machine's cores have been busy since boot (/proc/stat's `cpu` line:
 * everything but idle and iowait, guest time being inside user time), or undefined. A phase's
 * delta minus its processes' own CPU is what other work took meanwhile: the kernel's threads
 * (page-cache writeback, softirqs run outside a process) and any other process.
 */
export function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Linux: CPU ms each of the kernel's own threads has used (children of kthreadd, pid 2: the
 * kworkers that write dirty page cache back to disk, jbd2, ksoftirqd, ...), by pid, from
 * /proc; undefined where there is no /proc. Compare two with kernelThreadsCpuDeltaMs.
 */
export function kernelThreadsCpuMs(proc = '/proc'): Map<number, number> | undefined {
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`${proc}/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[1] !== '2') continue; // ppid
      out.set(Number(name), (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * CPU ms the kernel's threads used between two kernelThreadsCpuMs snapshots: kworkers come
 * and go, so only threads alive at the end count (a new one, or a reused pid whose count
 * went down, with all its time); what a thread that exited meanwhile used is not known.
 */
export function kernelThreadsCpuDeltaMs(
  before: Map<number, number>,
  after: Map<number, number>,
): number {
  let total = 0;
  for (const [pid, ms] of after) {
    const was = before.get(pid);
    total += was === undefined || was > ms ? ms : ms - was;
  }
  return total;
}

/** Linux: CPU ms (user + system, all threads) process `pid` has used, or undefined. */
export function processCpuMs(pid: number): number | undefined {
  const t = processCpuTimesMs(pid);
  return t && t.userMs + t.systemMs;
}

/** Starts watching this process; the returned function stops and reports. */
export function watchSelf(): () => SelfStats {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const wait0 = runQueueWaitNs();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let gcPauses = 0;
  let gcTotalMs = 0;
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcPauses++;
      gcTotalMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  return () => {
    gc.disconnect();
    eld.disable();
    const cpu = process.cpuUsage(cpu0);
    const wait1 = runQueueWaitNs();
    const wallMs = performance.now() - t0;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      cpuShare: cpuMs / Math.max(1, wallMs),
      cpuMs,
      wallMs,
      runQueueWaitMs:
        wait0 !== undefined && wait1 !== undefined ? (wait1 - wait0) / 1e6 : undefined,
      eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
      eventLoopDelayMaxMs: eld.max / 1e6,
      gcPauses,
      gcTotalMs,
      gcMaxMs,
    };
  };
}

/**
 * `# this process during the run: ...`: whether the figures measured include this
 * process's own queueing (CPU near one core), event-loop stalls or GC pauses, rather than
 * the brokers'; with `records`, its CPU per record (what a machine's cores allow the tool).
 */
export function selfLine(s: SelfStats, records?: number): string {
  const perRecord =
    records !== undefined && records > 0
      ? ` (${((s.cpuMs * 1000) / records).toFixed(2)} µs per record)`
      : '';
  return (
    `# this process during the run: CPU ${(s.cpuShare * 100).toFixed(0)} % of one core${perRecord}, ` +
    `event-loop delay 99th ${s.eventLoopDelayP99Ms.toFixed(1)} / max ${s.eventLoopDelayMaxMs.toFixed(1)} ms, ` +
    `GC ${s.gcPauses} pauses, ${s.gcTotalMs.toFixed(0)} ms in all, longest ${s.gcMaxMs.toFixed(1)} ms` +
    (s.runQueueWaitMs !== undefined
      ? `, waited for a CPU ${s.runQueueWaitMs.toFixed(0)} ms of ${s.wallMs.toFixed(0)} ms`
      : '')
  );
}
