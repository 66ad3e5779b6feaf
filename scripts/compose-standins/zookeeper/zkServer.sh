#!/bin/bash
# Stand-in zkServer.sh: start-foreground (the server, logging to stderr) and status.
set -euo pipefail
cp=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
cfg=${ZOOCFGDIR:-/conf}/zoo.cfg
case "${1:-}" in
  start-foreground)
    exec java -Dzookeeper.log.dir="${ZOO_LOG_DIR:-/logs}" -XX:+HeapDumpOnOutOfMemoryError \
      -XX:OnOutOfMemoryError='kill -9 %p' ${JVMFLAGS:-} -cp "$cp" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg"
    ;;
  status)
    port=$(sed -n 's/^clientPort=//p' "$cfg")
    mode=$(echo srvr | nc -w 2 127.0.0.1 "${port:-2181}" | sed -n 's/^Mode: //p')
    [ -n "$mode" ] || { echo 'Error contacting service. It is probably not running.' >&2; exit 1; }
    echo "Mode: $mode"
    ;;
  *)
    echo "Usage: $0 {start-foreground|status}" >&2
    exit 1
    ;;
esac
