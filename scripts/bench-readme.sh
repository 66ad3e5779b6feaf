#!/usr/bin/env bash
# Regenerates the README's performance table from ONE bench run, with the machine line.
#   bash scripts/bench-readme.sh                 run `log` + `deploy` (+ `scale` with --scale), print the table
#   bash scripts/bench-readme.sh --scale         also the scale bench (1,000 / 3,000 / 10,000 partitions; long)
#   bash scripts/bench-readme.sh --from FILE     build the table from a saved bench output instead of running
#   bash scripts/bench-readme.sh --write ...     also replace the block between
#        <!-- bench-table:start --> and <!-- bench-table:end --> in README.md
# Run it on a quiet machine: the table says the load average it was measured at.
set -euo pipefail
cd "$(dirname "$0")/.."
write=0
scale=0
from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --write) write=1 ;;
    --scale) scale=1 ;;
    --from) from="$2"; shift ;;
    *) echo "bench-readme.sh: unknown option $1 (known: --write, --scale, --from FILE)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$from" ]; then
  from=$(mktemp /tmp/kzoo-bench-readme-XXXXXX.log)
  bash scripts/bench.sh log 2>&1 | tee "$from"
  bash scripts/bench.sh deploy 2>&1 | tee -a "$from"
  if [ "$scale" = 1 ]; then bash scripts/bench.sh scale 2>&1 | tee -a "$from"; fi
  echo "# bench output kept in $from" >&2
fi
table=$(node scripts/bench-readme.js "$from")
printf '%s\n' "$table"
if [ "$write" = 1 ]; then
  # the README's scale plot, when this output has the scale bench's table
  if grep -q '^| partitions | create' "$from"; then node scripts/scale-plot.js "$from" --out docs/scale.svg; fi
  node scripts/bench-readme.js "$from" --write README.md
  npx prettier --write README.md >/dev/null
  echo "README.md: performance table replaced" >&2
fi
