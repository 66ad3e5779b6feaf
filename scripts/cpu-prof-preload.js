// A CPU profile of a process whose node flags you do not control (a broker started by
// testkit, `kzoo cluster up` or a bench): `--cpu-prof` is refused in NODE_OPTIONS, a
// preload is not. The profile (.cpuprofile, 1 ms sampling) is written when the process
// exits normally (SIGTERM → the broker's shutdown → exit), to KZOO_PROF_DIR.
//   NODE_OPTIONS="--require $PWD/scripts/cpu-prof-preload.js" KZOO_PROF_DIR=/tmp/prof ...
//   node scripts/cpuprofile-top.js /tmp/prof/<name>-<pid>.cpuprofile
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.KZOO_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The in-process inspector session answers synchronously, so this runs before exit.
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      const name = path.basename(process.argv[1] ?? 'node', '.js');
      fs.writeFileSync(
        path.join(dir, `${name}-${process.pid}.cpuprofile`),
        JSON.stringify(res.profile),
      );
    });
  });
}
