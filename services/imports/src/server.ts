import { PACKAGE_LIMITS } from '@newsfacts/fact-package/format';
import { defineSubgraph } from '@newsfacts/platform/subgraph';
import { loadSearchConfig, loadWorkerConfig, webhookConfig } from './config';
import { createPrismaClient } from './db';
import { startImportWorker } from './jobs';
import { resolvers } from './resolvers/index';
import { startSearchWorker } from './search/worker';
import { startWebhookWorker } from './webhooks/worker';

/**
 * The imports subgraph: takes fact packages, keeps import jobs and their reports, and imports
 * each package by asking the services that own the facts to write them; sends webhooks of the
 * facts' changes (webhooks/worker.ts says why here); and keeps the search index, a read model of
 * every service's searchable text fed by the same change feeds, and answers `search` from it. Built in-process by tests, run by
 * index.ts, which also starts its workers.
 */
export const importsSubgraph = defineSubgraph({
  name: 'imports',
  schema: new URL('../schema.graphql', import.meta.url),
  resolvers,
  createPrisma: createPrismaClient,
  createLoaders: () => ({}),
  // A package and the GraphQL around it.
  bodyLimit: PACKAGE_LIMITS.maxBytes + 64 * 1024,
  startWorker: (deps) => {
    const workers = [
      startImportWorker({ ...deps, ...loadWorkerConfig() }),
      startWebhookWorker({ ...deps, config: webhookConfig() }),
      startSearchWorker({ ...deps, ...loadSearchConfig() }),
    ];
    return { stop: async () => void (await Promise.all(workers.map((worker) => worker.stop()))) };
  },
});
