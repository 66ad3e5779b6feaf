import * as fs from 'node:fs';
import { processCpuMs, processCpuTimesMs, selfLine, watchSelf, type SelfStats } from './self-stats';

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
