// A preload that tells why a Node process's event loop stalled: every 10 ms it reads the main
// thread's /proc schedstat (time on a CPU, time runnable without one), and when a tick comes
// more than KZOO_STALL_MS (default 50) late it writes one line splitting the gap into
//   run   the main thread ran (synchronous JS, GC on the main thread, syscalls' CPU),
//   wait  it was runnable and had no CPU (the machine has more runnable threads than cores),
//   off   it was neither: blocked in the kernel (a syscall that sleeps: disk, page fault,
//         dirty-page throttling) — the loop cannot be idle while a timer is overdue,
// beside the machine's steal time over the gap (in a VM: the hypervisor ran something else
// on our vCPUs, summed over all vCPUs), the GC pauses that ended in the gap and the voluntary/involuntary context switches.
//   NODE_OPTIONS="--require $PWD/scripts/stall-watch.js" KZOO_STALL_DIR=/tmp/stalls ...
// Lines go to KZOO_STALL_DIR/<script>-<pid>.log (epoch ms first, to match other logs).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { PerformanceObserver, performance } = require('node:perf_hooks');
const { setInterval } = require('node:timers');

const dir = process.env.KZOO_STALL_DIR;
if (dir && fs.existsSync('/proc/self/schedstat')) {
  fs.mkdirSync(dir, { recursive: true });
  const name = path.basename(process.argv[1] ?? 'node', '.js');
  const fd = fs.openSync(path.join(dir, `${name}-${process.pid}.log`), 'a');
  const thresholdMs = Number(process.env.KZOO_STALL_MS ?? 50);
  const tick = 10;
  // The main thread's task: its tid is the pid.
  const schedPath = `/proc/self/task/${process.pid}/schedstat`;
  const statusPath = `/proc/self/task/${process.pid}/status`;
  const sched = () => {
    const [run, wait] = fs.readFileSync(schedPath, 'utf8').split(' ');
    return { run: Number(run) / 1e6, wait: Number(wait) / 1e6 };
  };
  const switches = () => {
    const s = fs.readFileSync(statusPath, 'utf8');
    const num = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
    return { vol: num('voluntary_ctxt_switches'), invol: num('nonvoluntary_ctxt_switches') };
  };
  // Steal ticks (USER_HZ, 100/s) of all CPUs: /proc/stat's first line, 8th value.
  const steal = () =>
    Number(fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].split(/\s+/)[8]);
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ end: e.startTime + e.duration, ms: e.duration });
  }).observe({ entryTypes: ['gc'] });
  let lastT = performance.now();
  let last = sched();
  let lastSw = switches();
  let lastSteal = steal();
  const cpu0 = process.cpuUsage();
  let lastCpu = cpu0;
  fs.writeSync(fd, `${Date.now()} start pid ${process.pid} threshold ${thresholdMs} ms\n`);
  setInterval(() => {
    const t = performance.now();
    const s = sched();
    const sw = switches();
    const st = steal();
    const gap = t - lastT;
    if (gap > tick + thresholdMs) {
      const cpu = process.cpuUsage();
      const run = s.run - last.run;
      const wait = s.wait - last.wait;
      let gc = 0;
      let n = 0;
      while (gcs.length && gcs[0].end <= t) {
        const g = gcs.shift();
        if (g.end >= lastT) {
          gc += g.ms;
          n++;
        }
      }
      const procMs = (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000;
      fs.writeSync(
        fd,
        `${Date.now()} gap ${gap.toFixed(0)} ms: run ${run.toFixed(0)} wait ${wait.toFixed(0)} ` +
          `off ${Math.max(0, gap - run - wait).toFixed(0)} ms; steal ${(st - lastSteal) * 10} ms; gc ${n} pauses ${gc.toFixed(0)} ms; ` +
          `all threads cpu ${procMs.toFixed(0)} ms; switches vol ${sw.vol - lastSw.vol} ` +
          `invol ${sw.invol - lastSw.invol}\n`,
      );
    } else if (gcs.length > 64) gcs.splice(0, gcs.length - 64);
    lastCpu = process.cpuUsage();
    lastT = t;
    last = s;
    lastSw = sw;
    lastSteal = st;
  }, tick).unref();
}
