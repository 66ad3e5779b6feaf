#!/usr/bin/env bash
# Screenshots of the live view (docs/ui-healthy.png, docs/ui-failover.png) from a real run:
# the end-to-end test of packages/ui starts ZooKeeper and three broker processes, opens the
# page in Debian's headless Chromium, produces, SIGKILLs a partition leader, and saves the
# page healthy and right after the failover.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -b
KZOO_UI_SCREENSHOTS="$PWD/docs" npx jest packages/ui/test/ui.int.test.ts
ls -l docs/ui-healthy.png docs/ui-failover.png
