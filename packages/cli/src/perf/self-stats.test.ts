import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  kernelThreadsCpuDeltaMs,
  kernelThreadsCpuMs,
  machineBusyMs,
  processCpuMs,
  processCpuTimesMs,
  selfLine,
  watchSelf,
  type SelfStats,
} from './self-stats';

/** Spins until this process has used `ms` more CPU (not wall time: a loaded machine may not run it). */
function burnCpu(ms: number): number {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 10000; i++) x += Math.sqrt(x + i);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return x;
  }
}

const stats: SelfStats = {
  cpuShare: 0.5,
  cpuMs: 1500,
  wallMs: 3000,
  eventLoopDelayP99Ms: 2.25,
  eventLoopDelayMaxMs: 9,
  gcPauses: 4,
  gcTotalMs: 12.4,
  gcMaxMs: 6.5,
  runQueueWaitMs: 120,
};

describe('perf > self-stats', () => {
  it('selfLine: share of a core, and with records the CPU per record', () => {
    expect(selfLine(stats, 2_000_000)).toBe(
      '# this process during the run: CPU 50 % of one core (0.75 µs per record), ' +
        'event-loop delay 99th 2.3 / max 9.0 ms, GC 4 pauses, 12 ms in all, longest 6.5 ms, ' +
        'waited for a CPU 120 ms of 3000 ms',
    );
    expect(selfLine({ ...stats, runQueueWaitMs: undefined })).toBe(
      '# this process during the run: CPU 50 % of one core, ' +
        'event-loop delay 99th 2.3 / max 9.0 ms, GC 4 pauses, 12 ms in all, longest 6.5 ms',
    );
    expect(selfLine(stats, 0)).not.toContain('per record');
  });

  it('watchSelf counts the CPU this process used meanwhile', () => {
    const stop = watchSelf();
    expect(burnCpu(60)).toBeGreaterThan(0);
    const s = stop();
    expect(s.cpuMs).toBeGreaterThanOrEqual(60);
    expect(s.cpuShare).toBeCloseTo(s.cpuMs / s.wallMs, 5);
  });

  it('processCpuMs reads a process’s CPU from /proc (Linux), undefined for no such process', () => {
    if (process.platform !== 'linux') return;
    const before = processCpuMs(process.pid)!;
    expect(burnCpu(100)).toBeGreaterThan(0);
    const after = processCpuMs(process.pid)!;
    // Counted in 10 ms ticks, by every thread (so never less than the main thread's 100 ms,
    // less a tick at each end).
    expect(after - before).toBeGreaterThanOrEqual(80);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });

  it('machineBusyMs counts the busy time of every core, this process among it', () => {
    if (process.platform !== 'linux') return;
    const m0 = machineBusyMs()!;
    const p0 = processCpuMs(process.pid)!;
    burnCpu(200);
    const m1 = machineBusyMs()!;
    const p1 = processCpuMs(process.pid)!;
    expect(p1 - p0).toBeGreaterThanOrEqual(180);
    // the machine was busy at least as long as this process (ticks: 10 ms either way)
    expect(m1 - m0).toBeGreaterThanOrEqual(p1 - p0 - 20);
  });

  it("kernelThreadsCpuMs reads the CPU of the kernel's own threads (children of kthreadd)", () => {
    // A /proc of four: kthreadd (2), two of its kworkers (one named with a space and a
    // paren), a user process; utime and stime are fields 14 and 15, in 10 ms ticks.
    const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'kzoo-proc-'));
    try {
      const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number) => {
        fs.mkdirSync(path.join(proc, String(pid)));
        const rest = [ppid, pid, pid, 0, -1, 0, 0, 0, 0, 0, utime, stime, 0, 0, 20, 0, 1];
        fs.writeFileSync(
          path.join(proc, String(pid), 'stat'),
          `${pid} (${comm}) S ${rest.join(' ')}\n`,
        );
      };
      stat(2, 'kthreadd', 0, 0, 1);
      stat(14, 'kworker/u4:1-flush-254:0', 2, 0, 30);
      stat(77, 'kworker/0:1H (x)', 2, 1, 4);
      stat(4242, 'node', 1, 500, 100);
      fs.writeFileSync(path.join(proc, 'stat'), 'cpu  1 2 3 4\n'); // not a process
      expect(kernelThreadsCpuMs(proc)).toEqual(
        new Map([
          [14, 300],
          [77, 50],
        ]),
      );
      expect(kernelThreadsCpuMs(path.join(proc, 'missing'))).toBeUndefined();
    } finally {
      fs.rmSync(proc, { recursive: true, force: true });
    }
    if (process.platform === 'linux') expect(kernelThreadsCpuMs()).toBeInstanceOf(Map);
  });

  it('kernelThreadsCpuDeltaMs counts the threads alive at the end, never below zero', () => {
    const before = new Map([
      [14, 300], // ran 200 ms more
      [77, 50], // exited: its time meanwhile is not known
      [90, 400], // exited, and its pid went to a new kworker that ran 20 ms
    ]);
    const after = new Map([
      [14, 500],
      [90, 20],
      [120, 30], // new
    ]);
    expect(kernelThreadsCpuDeltaMs(before, after)).toBe(200 + 20 + 30);
    expect(kernelThreadsCpuDeltaMs(after, after)).toBe(0);
  });

  it('processCpuTimesMs splits it into user space and kernel', () => {
    if (process.platform !== 'linux') return;
    const t0 = processCpuTimesMs(process.pid)!;
    expect(burnCpu(100)).toBeGreaterThan(0); // a loop in JavaScript: user space
    const t1 = processCpuTimesMs(process.pid)!;
    expect(t1.userMs - t0.userMs).toBeGreaterThanOrEqual(80);
    expect(t1.systemMs - t0.systemMs).toBeLessThan(t1.userMs - t0.userMs);
    // Reads of /dev/zero until getrusage counts 100 ms more in the kernel (clearing the buffer)
    const fd = fs.openSync('/dev/zero', 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    const sys0 = process.cpuUsage().system;
    while (process.cpuUsage().system - sys0 < 100_000) fs.readSync(fd, buf);
    fs.closeSync(fd);
    const t2 = processCpuTimesMs(process.pid)!;
    expect(t2.systemMs - t1.systemMs).toBeGreaterThanOrEqual(80);
    expect(processCpuMs(process.pid)).toBeGreaterThanOrEqual(t2.userMs + t2.systemMs);
    expect(processCpuTimesMs(2 ** 30)).toBeUndefined();
  });
});
