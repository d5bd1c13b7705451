# One image for every process: the gateway (default command), the events, actors, statements
# and imports subgraphs, and the one-shot jobs (scripts/db.ts migrate, scripts/seed.ts). docker-compose.yml picks
# the process with `command:`. There is no build step: tsx runs the TypeScript sources, so the
# runtime keeps the full dependency tree (tsx is a root devDependency).
#
#   docker build -t newsfacts:local .
#   docker run --rm -e HOST=0.0.0.0 -p 4000:4000 newsfacts:local          # gateway
#   docker run --rm newsfacts:local node --import tsx services/events/src/index.ts

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install dependencies with the pinned pnpm, then generate the Prisma clients and the
# resolver types (services/*/src/generated, which is not in the build context).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1

# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY gateway/package.json gateway/
COPY packages/platform/package.json packages/platform/
COPY services/events/package.json services/events/
COPY services/actors/package.json services/actors/
COPY services/statements/package.json services/statements/
COPY services/imports/package.json services/imports/
COPY packages/fact-package/package.json packages/fact-package/
COPY gateway/web/package.json gateway/web/
RUN npx --yes pnpm@12.4.2 install --frozen-lockfile

# Sources, then code generation. bootstrap.mjs skips the install it finds up to date and
# points PRISMA_SCHEMA_ENGINE_BINARY at node itself, so `prisma generate` downloads nothing.
COPY tsconfig.json codegen.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY packages ./packages
COPY services ./services
COPY gateway ./gateway
RUN node scripts/bootstrap.mjs \
 && test -f services/events/src/generated/prisma/client.ts \
 && test -f services/actors/src/generated/prisma/client.ts \
 && test -f services/statements/src/generated/prisma/client.ts \
 && test -f services/imports/src/generated/prisma/client.ts \
 && test -f services/statements/src/generated/graphql.ts

# ---------------------------------------------------------------------------------------------
# runtime: the same tree without the pnpm store and npm cache, owned by root and run as the
# unprivileged `node` user (read-only to it). Only .data, the embedded-database fallback used
# when no *_DATABASE_URL is set, is writable.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0
COPY --from=build /app /app
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000 4001 4002 4003 4004
# docker-compose.yml defines a /readyz healthcheck for each process (the port differs per
# process, so none is baked in here).
CMD ["node", "--import", "tsx", "gateway/src/index.ts"]
