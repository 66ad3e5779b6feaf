// Preload for broker (or any node) processes: SIGUSR2 starts V8's sampling heap profiler
// counting every allocation (also objects the GC has since collected, unlike --heap-prof,
// which keeps only the live ones at exit), the next SIGUSR2 writes
// $KZOO_ALLOC_DIR/<pid>-<n>.heapprofile: which functions allocate, i.e. what feeds the GC.
// Read it with scripts/heapprofile-top.js.
//   env: { NODE_OPTIONS: '--require /path/to/scripts/alloc-profile-on-signal.js', KZOO_ALLOC_DIR: dir }
// KZOO_ALLOC_INTERVAL_BYTES sets the sampling interval (default 16384).
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.KZOO_ALLOC_DIR || '.';
const interval = Number(process.env.KZOO_ALLOC_INTERVAL_BYTES || 16384);
const session = new inspector.Session();
session.connect();
let running = false;
let n = 0;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: interval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    return;
  }
  running = false;
  session.post('HeapProfiler.stopSampling', (err, res) => {
    if (err) return process.stderr.write(`alloc profile: ${err.message}\n`);
    fs.writeFileSync(
      path.join(dir, `${process.pid}-${++n}.heapprofile`),
      JSON.stringify(res.profile),
    );
  });
});
