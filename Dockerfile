# syntax=docker/dockerfile:1
#
# marketing-agents: `marketing-agents serve` on Node 20, Debian 12 (bookworm) slim, as uid 10001.
#
#   docker build -t marketing-agents:0.1.0 .
#   docker run --rm -p 8787:8787 -v marketing-agents-data:/data marketing-agents:0.1.0
#     (embedded PGlite and development keys in /data; production settings: docs/operations.md)
#
# This file has not been built on the machine it was written on (no Docker daemon there): see
# docs/operations.md. The steps are the ones CI runs (npm ci, npm run build), then a production install.
#
# Base image: Node 20.20.2 (the version the project is tested with) on bookworm-slim, pinned by tag and
# digest. The digest is the multi-arch index digest that several public projects record for this tag; it
# was not checked against the registry here. Check it, and move it forward deliberately:
#   docker buildx imagetools inspect node:20.20.2-bookworm-slim
ARG NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

# ---- build: every dependency, TypeScript → dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, the compiled code and what it reads at run time
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script; --ignore-scripts keeps it that way.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# Read at run time: dist/ (the code), drizzle/ (migrations, found as ../../drizzle from dist/db/),
# models/ (the default triage model, found from package.json's directory), package.json (version, root).
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY models ./models
# Everything above stays owned by root and read-only to the app. /data is the only place it writes, and
# only with embedded PGlite or without configured keys (development key files); with DATABASE_URL and keys
# from a Secret (k8s/) it writes nowhere and the root filesystem can be read-only.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 0700 /data
USER 10001:10001
EXPOSE 8787
# Node runs as PID 1 and handles SIGTERM itself (drain, close sockets with 1001, exit); serve spawns no
# child processes.
CMD ["node", "dist/cli/main.js", "serve"]
