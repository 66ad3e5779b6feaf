// Preload for broker (or any node) processes: SIGUSR2 starts the V8 CPU profiler, the next
// SIGUSR2 writes $KZOO_CPU_PROF_DIR/<pid>-<n>.cpuprofile (read it with scripts/cpuprofile-top.js).
// Node 20 refuses --cpu-prof in NODE_OPTIONS, and --cpu-prof writes only at a clean exit;
// this profiles exactly the window of a bench phase in processes started by testkit:
//   env: { NODE_OPTIONS: '--require /path/to/scripts/cpu-profile-on-signal.js', KZOO_CPU_PROF_DIR: dir }
//   child.kill('SIGUSR2'); ...run the phase...; child.kill('SIGUSR2')
// KZOO_CPU_PROF_INTERVAL_US sets the sampling interval (default 500 µs).
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.KZOO_CPU_PROF_DIR || '.';
const interval = Number(process.env.KZOO_CPU_PROF_INTERVAL_US || 500);
const session = new inspector.Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, res) => {
    if (err) {
      process.stderr.write(`cpu-profile-on-signal: ${err.message}\n`);
      return;
    }
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${process.pid}-${++n}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(res.profile));
  });
});
