import { Redis } from 'ioredis';
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, openDatabase } from '@newsfacts/platform/db';
import { listen, onShutdownSignal } from '@newsfacts/platform/http';
import { createLogger } from '@newsfacts/platform/logger';
import { observePool, statementObserver } from '@newsfacts/platform/metrics';
import { startTracing } from '@newsfacts/platform/tracing';
import { loadGatewayConfig } from './config';
import { PrismaClient } from './generated/prisma/client.ts';
import { KeyStore } from './keys/store';
import { createGatewayMetrics } from './metrics';
import { MemoryIdempotencyStore, RedisIdempotencyStore } from './security/idempotency';
import { Quotas } from './security/quotas';
import { RedisRecentWriters } from './read-your-writes';
import { RedisResponseCacheStore } from './response-cache';
import { apiSchema, createGatewayServer } from './server';
import { loadFirstPartyDocuments } from './trusted-documents/first-party';
import { TrustedDocumentStore } from './trusted-documents/store';

async function main() {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  // Before anything that makes spans is built.
  const tracing = await startTracing(config.tracing, logger);
  const metrics = createGatewayMetrics();
  // The key database's statements and pool are in the metrics like a subgraph's.
  const db = await openDatabase(config.database, { logger, observeStatement: statementObserver(metrics) });
  if (db.poolStats()) observePool(metrics, () => db.poolStats()!);
  logger.info({ database: db.description }, `key database: ${db.description}`);
  const prisma = new PrismaClient({ adapter: db.adapter });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  if (redis) {
    redis.on('error', (error) => logger.warn({ err: error }, 'Redis error; quotas fall back to memory meanwhile'));
    await redis.connect().catch((error: Error) => {
      throw new DatabaseUnavailableError(`cannot reach Redis at ${config.redisUrl}: ${error.message}`);
    });
  }
  logger.info(`quota counters: ${redis ? `Redis at ${new URL(config.redisUrl!).host}` : 'in memory'}`);
  const server = await createGatewayServer({
    config,
    logger,
    keys: new KeyStore(prisma),
    documents: new TrustedDocumentStore(prisma, loadFirstPartyDocuments(apiSchema, config.limits.maxTokens, logger)),
    quotas: new Quotas(redis, config.quotaWindowSeconds, config.redisKeyPrefix, (limit) =>
      metrics.rateLimitRejections.inc({ limit }),
    ),
    idempotency: redis ? new RedisIdempotencyStore(redis, config.redisKeyPrefix) : new MemoryIdempotencyStore(),
    responseCacheStore: redis ? new RedisResponseCacheStore(redis, config.redisKeyPrefix) : undefined,
    recentWriters: redis ? new RedisRecentWriters(redis, config.redisKeyPrefix, config.readYourWritesMs) : undefined,
    metrics,
    // A subgraph that is down does not make the gateway unready: it still serves the other
    // subgraphs' data, and taking every replica out of a load balancer at once would turn a
    // partial outage into a total one. Each subgraph has its own /readyz.
    readiness: async () => {
      await db.ping();
      if (redis) await redis.ping();
    },
  });
  const running = await listen(server.app, config.port, config.host, { shutdownGraceMs: config.shutdownGraceMs });
  logger.info(
    { url: `${running.url}/graphql`, subgraphs: config.subgraphUrls },
    `gateway ready at ${running.url}/graphql`,
  );
  onShutdownSignal(logger, async () => {
    await running.close();
    await server.stop();
    redis?.disconnect();
    await prisma.$disconnect();
    await db.close();
    // Last, so that the spans of the requests drained above go out too.
    await tracing.shutdown();
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
  process.stderr.write(`gateway: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(1);
});
