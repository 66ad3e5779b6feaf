#!/usr/bin/env bash
# The long failover matrix (issue 13): 20 seeded runs of every scenario with the safe
# configuration (acks=all, min.insync.replicas=2, unclean election off, idempotence on),
# then one seed of acks 0/1/all x min.insync 1/2 x unclean off/on for every scenario.
# Each run starts its own ZooKeeper and three broker processes; hours on 2 cores.
#   SEEDS=1-20 DURATION=30s SCENARIOS=leader-kill,leader-pause REPORT=out bash scripts/experiment-matrix.sh
# Prints the Markdown tables; every run's history.json, report.json and report.html go
# under $REPORT (default ./experiment-matrix). Exit 1 if any run broke an expectation
# of its own configuration.
set -uo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-1-20}
DURATION=${DURATION:-30s}
REPORT=${REPORT:-experiment-matrix}
SCENARIOS=${SCENARIOS:-$(node packages/cli/dist/bin.js experiment list | awk '{print $1}' | paste -sd, -)}
[ -f packages/cli/dist/bin.js ] || npx tsc -b
status=0
echo "## safe configuration, seeds $SEEDS, $DURATION fault phase"
node packages/cli/dist/bin.js experiment matrix --markdown --scenarios "$SCENARIOS" --seeds "$SEEDS" \
  --acks all --min-insync 2 --unclean off --duration "$DURATION" --report "$REPORT/safe" || status=1
echo
echo "## acks 0/1/all x min.insync 1/2 x unclean off/on, seed 1, $DURATION fault phase"
node packages/cli/dist/bin.js experiment matrix --markdown --scenarios "$SCENARIOS" --seeds 1 \
  --duration "$DURATION" --report "$REPORT/configs" || status=1
exit $status
