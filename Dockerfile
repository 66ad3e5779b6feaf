# kzoo broker / CLI image. Build from the repository root:
#   docker build -t kzoo .
# Two stages: `build` installs every dependency (with python3, make and g++ from Debian, so
# zstd-napi compiles from its bundled sources instead of fetching a prebuilt binary from
# GitHub, and kzoo's CRC-32C addon, packages/records/native/build.js), compiles the TypeScript and prunes the dev dependencies; the final stage copies
# only the result, and the node binary, onto debian:bookworm-slim (no compiler, no npm, no
# headers, no dev dependencies, no sources: about 190 MB where the node image alone is over
# 200 MB) and runs as the unprivileged user `kzoo` (uid 1000).
# Needs network access to Debian's archive and the npm registry, nothing else.
# Base images are pinned by tag and digest (multi-platform indexes); NODE_IMAGE and DEBIAN_IMAGE
# override them (scripts/compose-test.sh builds with local stand-ins when Docker Hub is
# unreachable; docker-compose.yml passes them on from KZOO_NODE_IMAGE / KZOO_DEBIAN_IMAGE).
ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG DEBIAN_IMAGE=debian:bookworm-slim@sha256:abd67ffcfa541b485a3dff59865ab629aa048a6c613e639d36e7456b0b229241

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /kzoo
# zstd-napi: skip prebuild-install's download and build with node-gyp, against the headers the
# node image ships in /usr/local/include/node (node-gyp would otherwise download them).
ENV npm_config_build_from_source=zstd-napi \
    npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false
# The manifests first, so editing sources does not redo `npm ci`.
# (compose.test.ts checks that every workspace's package.json is listed here.)
COPY package.json package-lock.json .npmrc ./
COPY packages/common/package.json packages/common/
COPY packages/records/package.json packages/records/
# @kzoo/records' install script builds its CRC-32C addon during `npm ci`
COPY packages/records/native/build.js packages/records/native/crc32c.c packages/records/native/
COPY packages/log/package.json packages/log/
COPY packages/protocol/package.json packages/protocol/
COPY packages/zk/package.json packages/zk/
COPY packages/testkit/package.json packages/testkit/
COPY packages/broker/package.json packages/broker/
COPY packages/client/package.json packages/client/
COPY packages/experiments/package.json packages/experiments/
COPY packages/ui/package.json packages/ui/
COPY packages/cli/package.json packages/cli/
RUN npm ci --no-audit --no-fund --loglevel=warn
COPY tsconfig.json tsconfig.base.json ./
COPY packages ./packages
RUN npx tsc -b \
  && node packages/records/native/build.js \
  && npm prune --omit=dev --no-audit --no-fund --loglevel=warn \
  && rm -rf packages/records/native/*.c \
  && rm -rf packages/*/src packages/*/test packages/*/tsconfig.json packages/*/dist/.tsbuildinfo \
  && find packages -path '*/dist/*' \( -name '*.test.*' -o -name '*.map' \) -delete \
  && rm -rf node_modules/zstd-napi/build/Release/obj.target node_modules/zstd-napi/build/Release/.deps \
    node_modules/zstd-napi/deps node_modules/zstd-napi/src \
  && rm -f tsconfig.json tsconfig.base.json

FROM ${DEBIAN_IMAGE}
# GLIBC_TUNABLES: malloc keeps the pages of large blocks (fetch frames) instead of faulting
# them in again for each one; the same value kzoo gives the processes it starts
# (packages/common/src/process-env.ts).
ENV NODE_ENV=production \
    KZOO_LOG_LEVEL=info \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN node --version \
  && groupadd --gid 1000 kzoo \
  && useradd --uid 1000 --gid kzoo --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kzoo \
  && mkdir -p /data \
  && chown kzoo:kzoo /data
WORKDIR /kzoo
# Root-owned, read-only for the broker; only /data (the broker's log.dirs) is writable.
COPY --from=build /kzoo /kzoo
USER kzoo
ENTRYPOINT ["node", "/kzoo/packages/cli/dist/bin.js"]
CMD ["--help"]
