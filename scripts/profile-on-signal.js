// Preload for broker (or any node) processes: SIGUSR2 starts a V8 profiler, the next SIGUSR2
// writes what it recorded; each later pair of signals profiles another window. Node 20 refuses
// --cpu-prof in NODE_OPTIONS, and --cpu-prof writes only at a clean exit: this profiles exactly
// the window of a bench phase in processes started by testkit:
//   env: { NODE_OPTIONS: '--require /path/to/scripts/profile-on-signal.js', KZOO_PROFILE_DIR: dir }
//   child.kill('SIGUSR2'); ...run the phase...; child.kill('SIGUSR2')
// KZOO_PROFILE=cpu (default): the CPU profiler, every KZOO_PROFILE_INTERVAL (µs, default 500),
//   into <dir>/<pid>-<n>.cpuprofile (read it with scripts/cpuprofile-top.js).
// KZOO_PROFILE=alloc: the sampling heap profiler counting every allocation, also objects the
//   GC has since collected (unlike --heap-prof, which keeps only the live ones at exit), every
//   KZOO_PROFILE_INTERVAL bytes (default 16384), into <dir>/<pid>-<n>.heapprofile: which
//   functions allocate, i.e. what feeds the GC (read it with scripts/heapprofile-top.js).
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.KZOO_PROFILE_DIR || '.';
const alloc = process.env.KZOO_PROFILE === 'alloc';
const interval = Number(process.env.KZOO_PROFILE_INTERVAL || (alloc ? 16384 : 500));
const session = new inspector.Session();
session.connect();

const start = alloc
  ? () =>
      session.post('HeapProfiler.startSampling', {
        samplingInterval: interval,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
  : () =>
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval }, () =>
          session.post('Profiler.start'),
        ),
      );
const [stop, suffix] = alloc
  ? ['HeapProfiler.stopSampling', 'heapprofile']
  : ['Profiler.stop', 'cpuprofile'];

let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  running = !running;
  if (running) return start();
  session.post(stop, (err, res) => {
    if (err) return process.stderr.write(`profile-on-signal: ${err.message}\n`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, `${process.pid}-${++n}.${suffix}`),
      JSON.stringify(res.profile),
    );
  });
});
