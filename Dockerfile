# kzoo broker / CLI image. Build from the repository root:
#   docker build -t kzoo .
FROM node:20-bookworm-slim
WORKDIR /kzoo
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npx tsc -b && npm prune --omit=dev
ENV KZOO_LOG_LEVEL=info
ENTRYPOINT ["node", "/kzoo/packages/cli/dist/bin.js"]
CMD ["--help"]
