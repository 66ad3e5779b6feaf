#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu machine to the point where `npm test` and
# `npm run demo` work: a Java runtime and Apache ZooKeeper (the OS package),
# node_modules as package-lock.json pins them, and a build of every package.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }

zk_jar() {
  for j in "${ZOOKEEPER_HOME:-}/lib/zookeeper.jar" "${ZOOKEEPER_HOME:-}"/zookeeper-*.jar \
    "${ZOOKEEPER_HOME:-}"/lib/zookeeper-3*.jar /usr/share/java/zookeeper.jar; do
    [ -f "$j" ] && { echo "$j"; return 0; }
  done
  return 1
}

# 1. Java + ZooKeeper, kcat (a real Kafka client the Kafka listener's tests use), and
#    chromium (the experiment report's test opens the HTML page in it, headless)
missing=()
if ! command -v java >/dev/null 2>&1 || ! zk_jar >/dev/null; then missing+=(zookeeper); fi
if ! command -v kcat >/dev/null 2>&1; then missing+=(kcat); fi
if [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing: ${missing[*]}. Install with:"
    say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    say "(or point ZOOKEEPER_HOME at an Apache ZooKeeper 3.5+ distribution)."
    exit 1
  fi
fi

# 2. node_modules, reinstalled only when package-lock.json changed
stamp=node_modules/.kzoo-lock-hash
want=$(sha1sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" >"$stamp"
fi

# 3. build (tsc -b is incremental: a no-op when nothing changed)
say "build"
npx tsc -b

# 4. the native CRC-32C (packages/records/native/crc32c.c, 3-12x @node-rs/crc32 on a 16 KiB
#    batch) when a C compiler is there; without one kzoo uses @node-rs/crc32 and says so.
#    `npm ci` ran it as @kzoo/records' install script already (then this is a no-op); here
#    a compiler that fails is an error.
node packages/records/native/build.js

# 5. `npx kzoo`: npm links a workspace's bin only when its target exists at install
#    time, which dist/ does not on a fresh clone; link it once the build made it.
chmod +x packages/cli/dist/bin.js
ln -sfn ../@kzoo/cli/dist/bin.js node_modules/.bin/kzoo
