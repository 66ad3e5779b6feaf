#!/usr/bin/env bash
# `npm run bench`: every benchmark, each printing its figures beside the physical
# limit it measured in the same run (raw sequential write, raw loopback TCP).
#   1. log      append/read of one partition log vs a raw sequential write
#   2. network  SocketServer + Connection round trips and 16 KiB echo vs raw loopback TCP
#   3. broker   produce/fetch over the native protocol into one in-process broker
#   4. e2e      Producer -> broker -> Consumer with the real client, Kafka perf-tool output
#   5. replication  1 broker acks=1 vs 3 broker processes RF=3 acks=1 / acks=all
#   6. rf3      the real client, idempotent, acks=all, RF=3 on 3 brokers
#   7. groups   offset commits/s to ZooKeeper and group consumer records/s
#   8. kafka    produce/fetch through the Kafka listener vs the native listener of one
#               broker process (ratio, goal >= 0.9x); kafkajs vs kzoo's Producer/Consumer
#   9. harness  startCluster() (@kzoo/testkit): ZooKeeper + 3 brokers ready for an acks=all
#               produce, in-process and process modes (goals < 1 s and < 2 s)
#  10. deploy   as users deploy: broker processes, `kzoo perf` processes, limits, NATS
#               JetStream R1/R3 as the peer, latency at 50 % load; each goal met/NOT met
#  scale (not in `all`): 1,000 / 3,000 / 10,000 partitions RF=3 on 3 broker processes:
#               creation, controller failover, broker SIGKILL, controlled shutdown, restart
# Run one alone with `bash scripts/bench.sh log|network|broker|e2e|replication|rf3|groups|kafka|harness|deploy|scale`.
set -euo pipefail
cd "$(dirname "$0")/.."
export KZOO_LOG_LEVEL=${KZOO_LOG_LEVEL:-warn}
# The benches run in the environment kzoo gives the processes it starts (brokers, perf tools:
# packages/common/src/process-env.ts), glibc's malloc keeping its pages; without it the log
# bench's reads measured page faults (see packages/log/src/bench.ts).
if [ -z "${GLIBC_TUNABLES+x}" ]; then
  GLIBC_TUNABLES=$(node -p "require('./packages/common/dist').KZOO_GLIBC_TUNABLES")
  export GLIBC_TUNABLES
fi
only=${1:-all}
section() { printf '\n=== %s ===\n' "$*"; }
uname -srm
printf 'cpus: %s x %s\nnode: %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(node --version)"

if [ "$only" = all ] || [ "$only" = log ]; then
  section "log: one partition on disk (packages/log)"
  node packages/log/dist/bench.js
fi
if [ "$only" = all ] || [ "$only" = network ]; then
  section "network: native protocol over loopback (packages/protocol + broker SocketServer)"
  node packages/broker/dist/network/bench.js 3
fi
if [ "$only" = all ] || [ "$only" = broker ]; then
  section "broker: produce/fetch into one in-process broker, 1 partition, 16 in flight"
  node packages/broker/dist/bench.js 2000000 16 1
fi
if [ "$only" = all ] || [ "$only" = e2e ]; then
  section "e2e: Producer -> broker -> Consumer (packages/client)"
  node --max-semi-space-size=64 packages/cli/dist/bench/client-e2e.js
  section "codecs: bytes on disk per compression.type for a text-like payload"
  node --max-semi-space-size=64 packages/cli/dist/bench/client-e2e.js --codec-table 200000
fi
if [ "$only" = all ] || [ "$only" = replication ]; then
  section "replication: 1 broker acks=1 vs 3 broker processes RF=3 (native protocol, 16 in flight)"
  node packages/cli/dist/bench/replication.js --records 500000 --rounds 3
fi
if [ "$only" = all ] || [ "$only" = rf3 ]; then
  section "rf3: Producer (idempotent, acks=all) -> 3 brokers RF=3 -> Consumer"
  node --max-semi-space-size=64 packages/cli/dist/bench/client-e2e.js --brokers 3 --replication-factor 3 --acks all --idempotence true
fi
if [ "$only" = all ] || [ "$only" = groups ]; then
  section "groups: offset commits to ZooKeeper, group consumer throughput"
  node --max-semi-space-size=64 packages/cli/dist/bench/groups.js
fi
if [ "$only" = all ] || [ "$only" = kafka ]; then
  section "kafka: Kafka listener vs native listener, one broker process; kafkajs vs kzoo client"
  node --max-semi-space-size=64 packages/cli/dist/bench/kafka-wire.js --records 500000 --rounds 4 --client-records 200000 --client-rounds 3
fi
if [ "$only" = all ] || [ "$only" = deploy ]; then
  section "deploy: broker processes, kzoo perf processes, NATS JetStream peer, latency at 50 % load"
  # the peer: Debian's nats-server, installed on first use (root with apt-get only)
  if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null || echo "# nats-server could not be installed; the peer is skipped"
  fi
  PATH="$PATH:/usr/sbin" node packages/cli/dist/bench/deploy.js ${KZOO_BENCH_DEPLOY_ARGS:-}
fi
if [ "$only" = scale ]; then
  section "scale: partitions RF=3 on 3 broker processes (controller costs)"
  node packages/cli/dist/bench/scale.js ${KZOO_BENCH_SCALE_ARGS:-}
fi
if [ "$only" = all ] || [ "$only" = harness ]; then
  section "harness: startCluster() until an acks=all produce (packages/testkit)"
  node packages/cli/dist/bench/harness.js --rounds 5
fi
