# syntax=docker/dockerfile:1
#
# FlowDesk production image. One image, two roles:
#   docker run flowdesk            -> API + UI on FLOWDESK_PORT (default command `api`)
#   docker run flowdesk worker     -> Temporal worker
# Both need TEMPORAL_ADDRESS and MONGODB_URI; with them set FlowDesk starts no embedded
# servers (see runtime/config.ts and docker-compose.yml).

# ---- build: compile TypeScript to dist/ and the UI to ui/dist -------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: see bin/flowdesk.mjs (the lock may lack other platforms' optional packages).
RUN npm install --no-audit --no-fund
COPY . .
# catalog/ may be empty (git keeps no empty folders); make sure the runtime COPY finds it.
RUN npm run build && mkdir -p catalog

# ---- runtime: production dependencies, compiled code, UI and catalog --------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FLOWDESK_HOST=0.0.0.0 \
    FLOWDESK_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
# The worker bundles dist/workflows/index.js (require.resolve('../workflows') from
# dist/runtime/worker.js) with webpack at start: plain JavaScript, no TypeScript needed.
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui/dist ./ui/dist
COPY --from=build /app/catalog ./catalog
# Files stay owned by root (read-only for the app); the process runs as the image's
# unprivileged `node` user (uid 1000).
USER node
EXPOSE 8080
# Liveness of the API role; the compose file disables it for the worker role, which
# serves no HTTP.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.FLOWDESK_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/bin/cli.js"]
CMD ["api"]
