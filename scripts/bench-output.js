// What scripts/bench-readme.js and scripts/scale-plot.js read of a saved bench output: the
// bench's own lines only. A table bench-readme.js printed after them (an output kept with
// `tee`) is cut off, or its scale rows would count twice.
'use strict';
const fs = require('node:fs');

function readBenchOutput(file) {
  const whole = fs.readFileSync(file, 'utf8');
  const printed = whole.search(/^Measured by `bash scripts\/bench-readme\.sh`/m);
  return printed >= 0 ? whole.slice(0, printed) : whole;
}

module.exports = { readBenchOutput };
