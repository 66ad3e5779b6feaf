#!/usr/bin/env bash
# Brings docker-compose.yml up on a real Docker engine and checks what users rely on:
# healthy brokers reachable from the host through the published Kafka listeners, a
# controller failover within the session timeout without losing acknowledged records, a
# frozen leader's return, and `down -v` leaving nothing of the project behind.
#
# Run as root on Debian (CI does, after `npm test`): installs docker.io, docker-compose and
# debootstrap when missing, starts dockerd when none runs (and stops it at the end), and when
# Docker Hub is unreachable builds stand-ins for the base images from Debian's archive
# (scripts/compose-standins/; the rootfs tarball is cached in $KZOO_COMPOSE_CACHE, default
# /var/cache/kzoo-compose; the stand-ins take the tags debian:bookworm-slim, node:20-bookworm-slim
# and zookeeper:3.8, replacing local images of those tags). Test traffic from the host goes to
# 127.0.0.1 only. The README's docker compose section lists the commands it runs.
# Env: COMPOSE_PROJECT_NAME (default kzoo-compose-test), KZOO_COMPOSE_KEEP_DOCKERD=1 (leave a
# dockerd this script started running), KZOO_COMPOSE_CACHE.
set -eEuo pipefail
cd "$(dirname "$0")/.."

export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-kzoo-compose-test}
PROJECT=$COMPOSE_PROJECT_NAME
CACHE=${KZOO_COMPOSE_CACHE:-/var/cache/kzoo-compose}
DOCKERD_LOG=/var/log/kzoo-compose-dockerd.log
SESSION_TIMEOUT_S=6 # zookeeper.session.timeout.ms in docker-compose.yml
CLI=/kzoo/packages/cli/dist/bin.js
BOOTSTRAP=127.0.0.1:19091,127.0.0.1:19092,127.0.0.1:19093
TOPIC=compose-test-$(date +%s)-$RANDOM
WORK=$(mktemp -d /tmp/kzoo-compose-test.XXXXXX)

say() { printf '[compose-test] %s\n' "$*" >&2; }
# Why it failed, said again after the services' logs (CI shows the tail of the output)
REASON=''
trap 'REASON="failed at line $LINENO: $BASH_COMMAND"; say "$REASON"' ERR
die() {
  REASON=$*
  say "FAILED: $*"
  exit 1
}

# --- timing -------------------------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100)); }
T0=$(now_ms)
PHASE=''
PHASE_T=''
TIMES=()
phase() {
  local now
  now=$(now_ms)
  if [ -n "$PHASE" ]; then TIMES+=("$(printf '%-20s %9s' "$PHASE" "$(secs $((now - PHASE_T)))")"); fi
  PHASE=$1
  PHASE_T=$now
  if [ -n "$PHASE" ]; then say "== $PHASE"; fi
}
print_times() {
  phase ''
  say 'wall time per phase:'
  for t in "${TIMES[@]}"; do say "  $t"; done
  say "$(printf '  %-20s %9s' total "$(secs $(($(now_ms) - T0)))")"
}

retry() { # retry N DELAY_S CMD...: for what is legitimately flaky (apt, the network)
  local n=$1 delay=$2 i
  shift 2
  for ((i = 1; i <= n; i++)); do
    "$@" && return 0
    [ "$i" -lt "$n" ] && say "attempt $i of $n failed: $*; retrying in ${delay}s" && sleep "$delay"
  done
  return 1
}

# --- cleanup, on success and on failure --------------------------------------------------
leftovers() {
  local f="label=com.docker.compose.project=$PROJECT"
  {
    docker ps -aq --filter "$f"
    docker network ls -q --filter "$f"
    docker volume ls -q --filter "$f"
    docker network ls --format '{{.Name}}' | grep "^${PROJECT}_" || true
    docker volume ls --format '{{.Name}}' | grep "^${PROJECT}_" || true
  } | sort -u
}
cleanup() {
  local rc=$?
  set +e
  trap - ERR
  if [ -z "$CLEANED" ] && [ ${#COMPOSE[@]} -gt 0 ]; then
    if [ "$rc" != 0 ]; then
      say "logs (last 40 lines per service):"
      compose logs --no-color --tail 40 >&2 2>&1
    fi
    for s in broker1 broker2 broker3; do compose unpause "$s" >/dev/null 2>&1; done
    compose down -v --remove-orphans >/dev/null 2>&1
    left=$(leftovers)
    if [ -n "$left" ]; then
      say "left behind after down -v: $left"
      rc=1
    fi
  fi
  if [ -n "$DOCKERD_PID" ] && [ "${KZOO_COMPOSE_KEEP_DOCKERD:-}" != 1 ]; then
    if [ -z "$(docker ps -q)" ]; then
      say 'stopping the dockerd this script started'
      kill "$DOCKERD_PID" 2>/dev/null
      for _ in $(seq 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
    else
      say 'leaving dockerd running: other containers use it'
    fi
  fi
  rm -rf "$WORK"
  case $rc in
    0) say PASSED ;;
    77) say 'SKIPPED (no Docker engine can run here)' ;;
    *) say "FAILED (exit $rc)${REASON:+: $REASON}" ;;
  esac
  print_times
  exit "$rc"
}

DOCKERD_PID=''
COMPOSE=()
CLEANED=''
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. packages ----------------------------------------------------------------------------
phase install
if [ "$(id -u)" != 0 ]; then die 'run as root: this installs Debian packages and starts dockerd'; fi
command -v apt-get >/dev/null || die 'needs Debian (apt-get) to install docker.io, docker-compose and debootstrap'
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v kcat >/dev/null || missing+=(kcat)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_install() { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
  retry 3 10 apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
fi

# --- 2. dockerd ------------------------------------------------------------------------------
phase dockerd
if ! docker info >/dev/null 2>&1; then
  start_dockerd() {
    say "starting dockerd (log: $DOCKERD_LOG)"
    setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    DOCKERD_PID=$!
    for _ in $(seq 60); do
      docker info >/dev/null 2>&1 && return 0
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      sleep 1
    done
    say "dockerd did not come up; last lines of $DOCKERD_LOG:"
    tail -n 15 "$DOCKERD_LOG" >&2 || true
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=''
    return 1
  }
  if ! retry 2 3 start_dockerd; then
    # Not a failure of kzoo: this machine (a container without the privileges dockerd
    # needs, say) cannot run an engine at all. Exit 77 ("skipped", as automake's test
    # harness says) so that .ci/run can tell it from a failing cluster.
    say "SKIPPED: dockerd does not start on this machine (see $DOCKERD_LOG)"
    exit 77
  fi
fi
say "docker $(docker info --format '{{.ServerVersion}}, storage driver {{.Driver}}')"
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  COMPOSE=(docker-compose)
fi
say "compose: ${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"
compose() { "${COMPOSE[@]}" "$@"; }

# --- 3. base images --------------------------------------------------------------------------
phase 'base images'
# The pinned references, read from the files themselves.
NODE_REF=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
DEBIAN_REF=$(sed -n 's/^ARG DEBIAN_IMAGE=//p' Dockerfile)
ZK_REF=$(sed -n 's/^ *image: \${KZOO_ZOOKEEPER_IMAGE:-\(.*\)}$/\1/p' docker-compose.yml)
[ -n "$NODE_REF" ] && [ -n "$DEBIAN_REF" ] && [ -n "$ZK_REF" ] ||
  die 'cannot read the pinned base images from Dockerfile / docker-compose.yml'
have() { docker image inspect "$1" >/dev/null 2>&1; }
hub=yes
for ref in "$DEBIAN_REF" "$NODE_REF" "$ZK_REF"; do
  have "$ref" && continue
  if [ "$hub" = yes ] && timeout 300 docker pull -q "$ref" >/dev/null 2>"$WORK/pull.err"; then continue; fi
  [ "$hub" = yes ] && say "cannot pull $ref ($(tail -n 1 "$WORK/pull.err")): using local stand-ins"
  hub=no
done
if [ "$hub" = no ]; then
  tag() { echo "${1%%@*}"; } # name:tag without the digest: an imported image has no registry digest
  export KZOO_DEBIAN_IMAGE KZOO_NODE_IMAGE KZOO_ZOOKEEPER_IMAGE
  KZOO_DEBIAN_IMAGE=$(tag "$DEBIAN_REF") KZOO_NODE_IMAGE=$(tag "$NODE_REF") KZOO_ZOOKEEPER_IMAGE=$(tag "$ZK_REF")
  standin_hash() { tar -C scripts/compose-standins -c "$1" | sha256sum | cut -c1-16; }
  is_current() { [ "$(docker image inspect -f '{{index .Config.Labels "org.kzoo.standin"}}' "$1" 2>/dev/null)" = "$2" ]; }

  rootfs=$CACHE/bookworm-minbase.tar
  if ! is_current "$KZOO_DEBIAN_IMAGE" debootstrap-minbase; then
    if [ ! -s "$rootfs" ]; then
      say "debootstrap --variant=minbase bookworm (cached in $rootfs)"
      mkdir -p "$CACHE"
      bootstrap_rootfs() {
        rm -rf "$WORK/rootfs"
        debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
          { tail -n 5 "$WORK/debootstrap.log" >&2; return 1; }
      }
      retry 3 10 bootstrap_rootfs || die 'debootstrap failed'
      # As slim as debian:bookworm-slim: no package caches, lists, docs, man pages or locales.
      (cd "$WORK/rootfs" && rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
        usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/*)
      tar --numeric-owner -C "$WORK/rootfs" -cf "$rootfs.tmp" . && mv "$rootfs.tmp" "$rootfs"
      rm -rf "$WORK/rootfs"
    fi
    say "docker import $rootfs as $KZOO_DEBIAN_IMAGE"
    docker import --change 'CMD ["bash"]' --change 'LABEL org.kzoo.standin=debootstrap-minbase' \
      "$rootfs" "$KZOO_DEBIAN_IMAGE" >/dev/null
  fi
  h=$(standin_hash node)-$(node --version 2>/dev/null || echo none)
  if ! is_current "$KZOO_NODE_IMAGE" "$h"; then
    case "$(node --version 2>/dev/null)" in
      v20.*) ;;
      *) die "the node stand-in copies the host's Node 20; found $(node --version 2>/dev/null || echo 'no node')" ;;
    esac
    nodebin=$(readlink -f "$(command -v node)")
    prefix=$(dirname "$(dirname "$nodebin")")
    npmdir=$prefix/lib/node_modules/npm
    [ -d "$npmdir" ] || npmdir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    [ -f "$prefix/include/node/node.h" ] || die "no Node headers at $prefix/include/node (node-gyp needs them)"
    say "building $KZOO_NODE_IMAGE from $KZOO_DEBIAN_IMAGE with the host's $nodebin ($(node --version))"
    old=$(docker image inspect -f '{{.Id}}' "$KZOO_NODE_IMAGE" 2>/dev/null || true)
    ctx=$WORK/node-ctx
    mkdir -p "$ctx/include"
    cp scripts/compose-standins/node/Dockerfile "$ctx/"
    cp "$nodebin" "$ctx/node"
    cp -a "$npmdir" "$ctx/npm"
    cp -a "$prefix/include/node" "$ctx/include/node"
    cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/host-ca.crt" ||
      die 'no CA bundle on the host (install ca-certificates)'
    docker build -q --label "org.kzoo.standin=$h" --build-arg "BASE=$KZOO_DEBIAN_IMAGE" \
      -t "$KZOO_NODE_IMAGE" "$ctx" >/dev/null 2>"$WORK/build.err" ||
      { cat "$WORK/build.err" >&2; die "building the $KZOO_NODE_IMAGE stand-in failed"; }
    [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true
  fi
  h=$(standin_hash zookeeper)
  if ! is_current "$KZOO_ZOOKEEPER_IMAGE" "$h"; then
    say "building $KZOO_ZOOKEEPER_IMAGE from $KZOO_DEBIAN_IMAGE with Debian's ZooKeeper (libzookeeper-java)"
    build_zk() {
      docker build -q --label "org.kzoo.standin=$h" --build-arg "BASE=$KZOO_DEBIAN_IMAGE" \
        -t "$KZOO_ZOOKEEPER_IMAGE" scripts/compose-standins/zookeeper >/dev/null 2>"$WORK/build.err" ||
        { tail -n 20 "$WORK/build.err" >&2; return 1; }
    }
    old=$(docker image inspect -f '{{.Id}}' "$KZOO_ZOOKEEPER_IMAGE" 2>/dev/null || true)
    retry 2 10 build_zk || die "building the $KZOO_ZOOKEEPER_IMAGE stand-in failed"
    [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true # the stand-in it replaces
  fi
  say "stand-ins: $KZOO_DEBIAN_IMAGE, $KZOO_NODE_IMAGE, $KZOO_ZOOKEEPER_IMAGE"
fi

# --- 4. up -------------------------------------------------------------------------------------
phase 'build + up'
compose down -v --remove-orphans >/dev/null 2>&1 || true # what an interrupted run left
for p in 19091 19092 19093; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "127.0.0.1:$p is in use (another kzoo cluster?)"; fi
done
up() {
  compose up -d --build >"$WORK/up.log" 2>&1 && return 0
  tail -n 40 "$WORK/up.log" >&2
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  return 1
}
retry 2 10 up || die 'docker compose up -d --build failed' # the image build fetches from npm
size=$(docker image inspect -f '{{.Size}}' kzoo:local)
user=$(docker image inspect -f '{{.Config.User}}' kzoo:local)
say "image kzoo:local: $((size / 1000000)) MB, user ${user:-root}"
[ "$size" -lt 250000000 ] || die "kzoo:local is $((size / 1000000)) MB (limit 250 MB)"
case "$user" in '' | root | 0 | 0:*) die "kzoo:local runs as root" ;; esac

phase healthy
cid() { # the service's container, straight from the engine (one container per service here)
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1"
}
state() {
  docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$(cid "$1")" 2>/dev/null ||
    echo missing
}
wait_healthy() { # wait_healthy TIMEOUT_S SERVICE...
  local deadline=$((SECONDS + $1)) s st all
  shift
  while :; do
    all=yes
    for s in "$@"; do
      st=$(state "$s")
      case "$st" in
        running/healthy) ;;
        exited/* | dead/*) die "$s is not running: $st" ;;
        *) all=no ;;
      esac
    done
    [ "$all" = yes ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || die "not healthy within $1 s: $(for s in "$@"; do printf '%s=%s ' "$s" "$(state "$s")"; done)"
    sleep 1
  done
}
wait_healthy 120 zookeeper broker1 broker2 broker3
zk_lists_brokers() { # ZooKeeper's own client sees the three registrations
  compose exec -T zookeeper zkCli.sh -waitforconnection -timeout 30000 ls /kzoo/brokers/ids \
    >"$WORK/zkcli.txt" 2>&1 || true
  grep -q '^\[1, 2, 3\]' "$WORK/zkcli.txt"
}
# Retried like the health polling: one failed `compose exec` (a JVM started in the container
# through docker-compose 1.29) must not fail the run; the last attempt's output is shown
if ! retry 3 2 zk_lists_brokers; then
  cat "$WORK/zkcli.txt" >&2
  die 'zkCli.sh ls /kzoo/brokers/ids does not list brokers 1, 2, 3 (3 attempts; its last output above)'
fi

# --- 5. traffic from the host ------------------------------------------------------------------
phase 'produce + consume'
kcat -b 127.0.0.1:19091 -L >"$WORK/metadata.txt" 2>&1 || { cat "$WORK/metadata.txt" >&2; die 'kcat -L failed'; }
for i in 1 2 3; do
  grep -q "broker $i at 127.0.0.1:1909$i" "$WORK/metadata.txt" ||
    { cat "$WORK/metadata.txt" >&2; die "kcat -L does not list broker $i at 127.0.0.1:1909$i"; }
done
kzoo() { # kzoo SERVICE ARGS...: the kzoo CLI inside a broker container
  local s=$1
  shift
  compose exec -T "$s" node "$CLI" "$@"
}
kzoo broker1 topic create "$TOPIC" --partitions 3 --replication-factor 3 \
  --config min.insync.replicas=2 --bootstrap-server broker1:9092 >/dev/null
produce() { # produce PREFIX COUNT BOOTSTRAP: acks=all; every record acknowledged or a failure
  seq 1 "$2" | sed "s/^/$1-/" >>"$WORK/acked.txt.new"
  if ! seq 1 "$2" | sed "s/^/$1-/" | kcat -P -b "$3" -t "$TOPIC" -X acks=all \
    -X message.timeout.ms=60000 2>"$WORK/produce.err" || grep -q 'Delivery failed' "$WORK/produce.err"; then
    cat "$WORK/produce.err" >&2
    die "producing $1 records failed"
  fi
  cat "$WORK/acked.txt.new" >>"$WORK/acked.txt"
  rm -f "$WORK/acked.txt.new"
}
check_all_consumed() { # every acknowledged record is in the topic, once
  local want got
  kcat -C -b "$1" -t "$TOPIC" -o beginning -e -q -f '%s\n' >"$WORK/consumed.txt" 2>"$WORK/consume.err" ||
    { cat "$WORK/consume.err" >&2; die 'consuming failed'; }
  want=$(sort "$WORK/acked.txt" | sha256sum)
  got=$(sort "$WORK/consumed.txt" | sha256sum)
  if [ "$want" != "$got" ]; then
    say "acknowledged $(wc -l <"$WORK/acked.txt"), consumed $(wc -l <"$WORK/consumed.txt"); missing:"
    comm -23 <(sort "$WORK/acked.txt") <(sort "$WORK/consumed.txt") | head -n 20 >&2
    die 'the records consumed are not the records acknowledged'
  fi
  say "consumed all $(wc -l <"$WORK/consumed.txt") acknowledged records"
}
: >"$WORK/acked.txt"
produce before 200 "$BOOTSTRAP"
check_all_consumed "$BOOTSTRAP"

# --- 6. controller failover ----------------------------------------------------------------
phase 'controller kill'
others() { # the EXTERNAL listeners of the brokers other than $1
  local i out=''
  for i in 1 2 3; do [ "$i" = "$1" ] || out+="127.0.0.1:1909$i,"; done
  echo "${out%,}"
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }
status=$(kzoo broker1 cluster status --zk zookeeper:2181/kzoo --json)
C=$(json 'j.controller.brokerId' <<<"$status")
E=$(json 'j.controller.epoch' <<<"$status")
say "controller: broker $C (epoch $E); docker compose kill broker$C"
other=$((C % 3 + 1))
compose kill "broker$C" >/dev/null 2>&1
# When it died (the engine's clock) and when the new controller registered (its /controller
# znode's timestamp, written by the broker in the same machine's clock): the failover time,
# whatever the latency of polling through `docker compose exec`.
died_ms=$(date -d "$(docker inspect -f '{{.State.FinishedAt}}' "$(cid "broker$C")")" +%s%3N)
while :; do
  status=$(kzoo "broker$other" cluster status --zk zookeeper:2181/kzoo --json 2>/dev/null || true)
  if [ -n "$status" ]; then
    NEWC=$(json 'j.controller ? j.controller.brokerId : -1' <<<"$status")
    NEWE=$(json 'j.controller ? j.controller.epoch : -1' <<<"$status")
    if [ "$NEWC" != -1 ] && [ "$NEWC" != "$C" ] && [ "$NEWE" -gt "$E" ]; then break; fi
  fi
  [ $(($(now_ms) - died_ms)) -le 60000 ] || die "no new controller 60 s after killing broker $C: $status"
  sleep 0.5
done
elected_ms=$(kzoo "broker$other" zk get /controller --zk zookeeper:2181/kzoo | json 'j.timestamp')
failover_ms=$((elected_ms - died_ms))
say "new controller: broker $NEWC (epoch $NEWE), elected $(secs "$failover_ms") after the kill (session timeout ${SESSION_TIMEOUT_S} s)"
[ "$failover_ms" -le $(((SESSION_TIMEOUT_S + 5) * 1000)) ] ||
  die "the failover took $(secs "$failover_ms"), more than the session timeout + 5 s"
produce after-kill 200 "$(others "$C")"
check_all_consumed "$(others "$C")"

phase 'restart killed'
compose start "broker$C" >/dev/null 2>&1
wait_healthy 90 broker1 broker2 broker3

# --- 7. a frozen leader ----------------------------------------------------------------------
phase 'pause leader'
L=$(kzoo "broker$NEWC" topic describe "$TOPIC" --json --bootstrap-server "broker$NEWC:9092" | json 'j.partitions[0].leader')
[ "$L" -ge 1 ] 2>/dev/null || die "partition 0 of $TOPIC has no leader"
say "docker compose pause broker$L (leader of $TOPIC-0)"
other=$((L % 3 + 1))
compose pause "broker$L" >/dev/null 2>&1
paused_at=$SECONDS
# Its session expires: the controller takes it out of the ISRs and moves its leaderships.
while :; do
  desc=$(kzoo "broker$other" topic describe "$TOPIC" --json --bootstrap-server "broker$other:9092" 2>/dev/null || true)
  if [ -n "$desc" ] && [ "$(json "j.partitions.every(p => p.leader > 0 && p.leader !== $L && !p.isr.includes($L))" <<<"$desc")" = true ]; then break; fi
  [ "$SECONDS" -le $((paused_at + SESSION_TIMEOUT_S + 15)) ] || die "broker $L still leads or is in an ISR $((SECONDS - paused_at)) s after the pause: $desc"
  sleep 0.5
done
say "leaderships moved off broker $L $((SECONDS - paused_at)) s after the pause"
produce while-paused 200 "$(others "$L")"
compose unpause "broker$L" >/dev/null 2>&1
unpaused_at=$SECONDS
phase 'recover'
# Back: registered again, healthy, and in every ISR.
wait_healthy 90 broker1 broker2 broker3
while :; do
  desc=$(kzoo "broker$L" topic describe "$TOPIC" --json --bootstrap-server "broker$L:9092" 2>/dev/null || true)
  if [ -n "$desc" ] && [ "$(json 'j.partitions.every(p => p.leader > 0 && p.isr.length === 3)' <<<"$desc")" = true ]; then break; fi
  [ "$SECONDS" -le $((unpaused_at + 90)) ] || die "ISRs not full again 90 s after the unpause: $desc"
  sleep 1
done
say "broker $L back in every ISR $((SECONDS - unpaused_at)) s after the unpause"
produce recovered 200 "$BOOTSTRAP"
check_all_consumed "$BOOTSTRAP"

# --- 8. down -----------------------------------------------------------------------------------
phase 'down -v'
down_at=$(date +%s)
compose down -v >/dev/null 2>&1 || die 'docker compose down -v failed'
CLEANED=yes
# Each broker stopped by its own controlled shutdown (exit 0), not by SIGKILL (137) at the end
# of stop_grace_period.
docker events --since "$down_at" --until "$(($(date +%s) + 1))" --filter type=container \
  --filter event=die --filter "label=com.docker.compose.project=$PROJECT" \
  --format '{{index .Actor.Attributes "com.docker.compose.service"}} {{.Actor.Attributes.exitCode}}' \
  >"$WORK/exits.txt"
for b in broker1 broker2 broker3; do
  grep -qx "$b 0" "$WORK/exits.txt" || die "$b did not exit 0 on down -v: $(tr '\n' ' ' <"$WORK/exits.txt")"
done
say "brokers exited 0 on down -v: $(grep broker "$WORK/exits.txt" | sort | tr '\n' ' ')"
left=$(leftovers)
[ -z "$left" ] || die "left behind after down -v: $left"
say "nothing of project $PROJECT is left (containers, networks, volumes)"
