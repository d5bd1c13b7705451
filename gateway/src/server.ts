import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloGateway, type Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import fetch, { Headers, Response, type RequestInfo, type RequestInit } from 'node-fetch';
import express from 'express';
import { buildSchema } from 'graphql';
import { createGraphQLApp, REQUEST_ID_HEADER } from '@newsfacts/platform/http';
import type { Logger } from '@newsfacts/platform/logger';
import {
  encodePrincipal,
  PRINCIPAL_HEADER,
  READ_PRIMARY_HEADER,
  SIGNATURE_HEADER,
  signature,
} from '@newsfacts/platform/signing';
import { refuseUnstorableStrings } from '@newsfacts/platform/string-inputs';
import { changeNoticesIn } from '@newsfacts/platform/change-notices';
import { operationNameOnSpan } from '@newsfacts/platform/tracing';
import type { GatewayConfig } from './config';
import { callerOf, type GatewayContext } from './context';
import { DEADLINE_HEADER, fetchTimeoutMs } from './deadline';
import { cachedAnswers } from './cached-answers';
import { claimJsonLdRoute } from './claim-json-ld';
import { exportRoute } from './export';
import { SubgraphDataSource } from './subgraph-data-source';
import { httpCaching } from './http-caching';
import { MemoryRecentWriters, readYourWrites, type RecentWriters } from './read-your-writes';
import {
  MemoryResponseCacheStore,
  noteMutationAnswer,
  noteMutationFetch,
  responseCache,
  watchChangeLogs,
  type ResponseCacheStore,
} from './response-cache';
import { mergeSameSubgraphFetches, mergingFetcher } from './fetch-merging';
import { InFlightFetches, inFlightKey, isQueryBody, isQueryOperation, type FetchedAnswer } from './in-flight';
import type { KeyStore } from './keys/store';
import { observedQueryPlanCache, type GatewayMetrics } from './metrics';
import { authenticator } from './security/authenticate';
import { costLimit } from './security/cost-limit';
import { corsPolicy } from './security/cors';
import { errorMasking } from './security/error-masking';
import { idempotency, type IdempotencyStore } from './security/idempotency';
import { operationPolicy, refuseBatches } from './security/operation-policy';
import { operationQuota } from './security/operation-quota';
import { toForwarded } from './security/principal';
import type { Quotas } from './security/quotas';
import { trustedDocuments } from './security/trusted-documents';
import { tracedFetcher } from './tracing';
import { trustedDocumentRoutes } from './trusted-documents/admin-routes';
import type { TrustedDocumentStore } from './trusted-documents/store';
import { mountWebPages } from './web';
import { factPackageJsonSchema, FORMAT_VERSION } from '@newsfacts/fact-package/format';

type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];

/** The IETF draft and Stripe keep answers at least a day; so do we. */
const IDEMPOTENT_ANSWERS_KEPT_MS = 24 * 60 * 60 * 1000;

export const supergraphSdl = readFileSync(new URL('../supergraph.graphql', import.meta.url), 'utf8');
/** The schema clients see (composed with the supergraph): manifests are validated against it. */
export const apiSchema = buildSchema(readFileSync(new URL('../api-schema.graphql', import.meta.url), 'utf8'));

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  keys: KeyStore;
  quotas: Quotas;
  /** Where answers to requests with an Idempotency-Key are kept for replay. */
  idempotency: IdempotencyStore;
  /** First-party and uploaded manifests, for requests that send a documentId. */
  documents: TrustedDocumentStore;
  metrics: GatewayMetrics;
  /** Throws when a dependency (the key database, Redis) cannot be reached. */
  readiness: () => Promise<void>;
  /** Where the response cache keeps answers (Redis, shared by replicas); in memory when not given. */
  responseCacheStore?: ResponseCacheStore;
  /** Who wrote moments ago (Redis, shared by replicas); in memory when not given. */
  recentWriters?: RecentWriters;
}

export interface GatewayServer {
  app: express.Express;
  stop(): Promise<void>;
}

/**
 * The fetcher for subgraph requests: reuses sockets (a keep-alive agent roughly doubles
 * throughput over a connection per fetch), gives up after the per-fetch timeout, and signs
 * each request so that subgraphs can tell it came from this gateway.
 */
/** A connection that failed before any answer came: refused, or reset (a kept-alive socket the other end closed). */
const CONNECTION_FAILED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
/** How many times a query whose connection failed is asked again, each on a new connection. */
const QUERY_RETRIES = 2;

function subgraphFetcher(
  config: GatewayConfig,
  agent: http.Agent,
  /** For the one retry of a query: a connection of its own, not a kept-alive one that may be dead too. */
  freshAgent: http.Agent,
  subgraph: string,
  metrics: GatewayMetrics,
  inFlight: InFlightFetches,
) {
  return async (url: RequestInfo, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const timeoutMs = fetchTimeoutMs(config.subgraphTimeoutMs, Number(headers.get(DEADLINE_HEADER)), Date.now());
    const body = typeof init.body === 'string' ? init.body : '';
    const principal = headers.get(PRINCIPAL_HEADER) ?? '';
    headers.set(SIGNATURE_HEADER, signature(config.signingSecret, subgraph, principal, body));
    const fetchOnce = async (): Promise<FetchedAnswer> => {
      const endTimer = metrics.subgraphFetchDuration.startTimer({ subgraph });
      try {
        const signal = AbortSignal.timeout(timeoutMs);
        const send = async (on: http.Agent): Promise<FetchedAnswer> => {
          const response = await fetch(url, { ...init, headers, agent: on, signal });
          return {
            status: response.status,
            statusText: response.statusText,
            headers: [...response.headers.entries()],
            body: Buffer.from(await response.arrayBuffer()),
          };
        };
        let answer: FetchedAnswer | undefined;
        for (let attempt = 0; !answer; attempt++) {
          try {
            answer = await send(attempt ? freshAgent : agent);
          } catch (error) {
            // A replica that died (or a proxy that lost it) before answering: a query is safe to ask
            // again, on a new connection, which a Service or proxy sends to a live replica; twice,
            // since a new connection made as the replica dies may reach it still. A mutation never
            // is: it may have been written.
            const failed = CONNECTION_FAILED.has((error as { code?: string }).code ?? '');
            if (!failed || !isQueryBody(body) || attempt >= QUERY_RETRIES) throw error;
            metrics.subgraphFetchRetries.inc({ subgraph });
          }
        }
        endTimer({ outcome: answer.status >= 200 && answer.status < 300 ? 'ok' : 'http_error' });
        return answer;
      } catch (error) {
        endTimer({
          outcome:
            (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError' ? 'timeout' : 'error',
        });
        throw error;
      }
    };
    const key = config.shareInFlightFetches ? inFlightKey(subgraph, principal, body) : null;
    if (key === null && !isQueryBody(body)) {
      // A mutation (or whatever cannot be read as a query): once it has answered, or failed
      // having perhaps written, reads sent before it are no longer anyone's to join.
      try {
        const answer = await fetchOnce();
        return responseOf(answer);
      } finally {
        inFlight.forgetUnderway();
      }
    }
    const { answer, shared } = await inFlight.share(key, fetchOnce);
    if (shared) metrics.subgraphFetchesShared.inc({ subgraph });
    return responseOf(answer);
  };
}

/** Each caller reads a response of its own. */
const responseOf = (answer: FetchedAnswer) =>
  new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });

/** The gateway, built but not listening: the static supergraph, with subgraph URLs from config. */
export async function createGatewayServer({
  config,
  logger,
  keys,
  quotas,
  idempotency: idempotencyStore,
  documents,
  metrics,
  readiness,
  responseCacheStore,
  recentWriters,
}: GatewayDeps): Promise<GatewayServer> {
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: config.subgraphMaxSockets });
  const inFlight = new InFlightFetches();
  const freshAgent = new http.Agent({ keepAlive: false });
  const caching = config.responseCache.ttlSeconds > 0;
  const cacheStore = caching
    ? (responseCacheStore ??
      new MemoryResponseCacheStore(config.responseCache.maxMiB, () => metrics.responseCacheEvictions.inc()))
    : undefined;
  const changeLogs = cacheStore
    ? watchChangeLogs({
        store: cacheStore,
        subgraphUrls: config.subgraphUrls,
        signingSecret: config.signingSecret,
        intervalMs: config.responseCache.pollMs,
        metrics,
        logger,
      })
    : undefined;

  const observedPlans = observedQueryPlanCache<QueryPlan>(metrics, config.queryPlanCacheMiB);
  // A plan is rewritten once, as it is stored; the request that planned it runs the same object.
  const planCache = config.mergeSubgraphFetches
    ? {
        ...observedPlans,
        set: (key: string, plan: QueryPlan, options?: KeyValueCacheSetOptions) => {
          if (plan.node) plan.node = mergeSameSubgraphFetches(plan.node);
          return observedPlans.set(key, plan, options);
        },
      }
    : observedPlans;

  const mergingFetches = (subgraph: string, fetcher: ReturnType<typeof subgraphFetcher>) =>
    config.mergeSubgraphFetches
      ? mergingFetcher(fetcher, {
          acrossRequests: config.mergeFetchesAcrossRequests,
          windowMs: config.fetchMergeWindowMs,
          onMerged: (fetches) => metrics.subgraphFetchesMerged.inc({ subgraph }, fetches),
        })
      : fetcher;

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    queryPlannerConfig: { cache: planCache },
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        url: config.subgraphUrls[name as keyof GatewayConfig['subgraphUrls']] ?? url,
        // Traced inside the merging: a client span per request that reaches the subgraph.
        fetcher: mergingFetches(
          name,
          tracedFetcher(name, subgraphFetcher(config, agent, freshAgent, name, metrics, inFlight)),
        ) as never,
        willSendRequest: ({ request, context }) => {
          if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
          if (context.deadline) request.http?.headers.set(DEADLINE_HEADER, String(context.deadline));
          if (context.principal)
            request.http?.headers.set(PRINCIPAL_HEADER, encodePrincipal(toForwarded(context.principal)));
          if (context.readPrimary) request.http?.headers.set(READ_PRIMARY_HEADER, '1');
          if (caching && !isQueryOperation(request.query)) noteMutationFetch(context);
        },
        // What a mutation changed, for the response cache to drop before the answer leaves.
        didReceiveResponse: ({ response, request, context }) => {
          if (caching && !isQueryOperation(request.query))
            noteMutationAnswer(context, changeNoticesIn(response.extensions));
          return response;
        },
      }),
  });

  // Operation limits, checked while validating, before any subgraph is called. Some armor
  // protections are off on purpose: its field-suggestion blocker rewrites error messages in
  // place and turned a subgraph timeout into an HTTP 500 (Apollo's hideSchemaDetailsFromClientErrors
  // below does the job); its token limit answers HTTP 500 (Apollo's parseOptions below answers
  // 400); its cost rule ignores list sizes (costLimit counts them).
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    maxDepth: { n: config.limits.maxDepth },
    maxAliases: { n: config.limits.maxAliases, allowList: [] },
    maxDirectives: { n: config.limits.maxDirectives },
  }).protect();

  const callers = authenticator({ store: keys, quotas, config, logger });
  const answers = cacheStore
    ? cachedAnswers({
        store: cacheStore,
        authenticator: callers,
        quotas,
        metrics,
        logger,
        maxRequestBytes: config.limits.maxRequestBytes,
        httpCacheMaxAgeSeconds: config.httpCacheMaxAgeSeconds,
        requireTrustedDocuments: config.requireTrustedDocuments,
        followingChanges: changeLogs!.following,
      })
    : undefined;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: true, // who may introspect is decided per request by operationPolicy (the explore scope)
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // Apollo's automatic persisted queries would let anyone register a document by sending it once.
    // Documents by id are trusted documents instead, put in place before Apollo by trustedDocuments().
    persistedQueries: false,
    // graphql-js stops lexing at the limit, so an oversized document costs little to refuse.
    parseOptions: { maxTokens: config.limits.maxTokens },
    // index.ts owns SIGINT/SIGTERM: it drains HTTP first, then stops Apollo and the database.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      ApolloServerPluginLandingPageDisabled(),
      // Nothing is sent to Apollo's hosted studio, even if an APOLLO_KEY is in the environment.
      ApolloServerPluginUsageReportingDisabled(),
      operationPolicy,
      refuseUnstorableStrings, // NUL bytes and lone surrogates: 400 here, not a database error in a subgraph
      costLimit(quotas, config.limits),
      errorMasking(logger, metrics) as ApolloServerPlugin<GatewayContext>,
      operationNameOnSpan,
      // Before httpCaching: it takes its own fields out of an answer before the ETag is computed.
      ...(cacheStore
        ? [
            responseCache({
              store: cacheStore,
              ttlSeconds: config.responseCache.ttlSeconds,
              metrics,
              logger,
              followingChanges: changeLogs!.following,
            }),
          ]
        : []),
      httpCaching({ maxAgeSeconds: config.httpCacheMaxAgeSeconds }),
      ...(config.readYourWritesMs > 0
        ? [readYourWrites(recentWriters ?? new MemoryRecentWriters(config.readYourWritesMs), logger)]
        : []),
      ...(answers ? [answers.plugin] : []),
    ],
  });
  await apollo.start();

  const authenticated = callers.handler;
  const graphqlApp = createGraphQLApp<GatewayContext>({
    apollo,
    logger,
    // Who is calling is known from the headers, before the body is read: a write key may send a
    // fact package, anyone else a query's worth.
    headerGuards: [authenticated],
    bodyLimit: (_req, res) =>
      callerOf(res).scopes.includes('WRITE') ? config.limits.maxWriteRequestBytes : config.limits.maxRequestBytes,
    guards: [
      operationQuota(quotas),
      refuseBatches,
      trustedDocuments({ store: documents, required: config.requireTrustedDocuments }),
      // A retried write is answered from the store, before any subgraph is asked again.
      idempotency({
        store: idempotencyStore,
        keepMs: IDEMPOTENT_ANSWERS_KEPT_MS,
        runningMs: config.requestTimeoutMs + 5_000,
      }),
    ],
    context: async ({ res, requestId }) => ({
      requestId,
      principal: callerOf(res),
      operationQuota: res.locals.operationQuota,
      deadline: Date.now() + config.requestTimeoutMs,
      cachedAnswerKey: res.locals.cachedAnswerKey,
    }),
    readiness,
    metrics,
    metricsAccess: config.metricsAccess,
  });
  graphqlApp.set('trust proxy', config.trustProxy);
  graphqlApp.set('etag', false);
  mountWebPages(graphqlApp, logger);

  // CORS goes in front of the platform's HTTP shell, before its body parser: a preflight must be
  // answered before any guard asks it for a key, and a page on an allowed origin must be able to
  // read every answer, a 413 from the body parser included.
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // ETags are http-caching.ts's to give, to query answers over GET only.
  app.set('etag', false);
  // A repeat of a query the response cache holds is answered before anything else looks at it.
  if (answers) app.use('/graphql', answers.handler);
  app.use('/graphql', corsPolicy(config.cors));
  app.use(
    '/trusted-documents',
    trustedDocumentRoutes({
      store: documents,
      authenticate: authenticated,
      schema: apiSchema,
      maxTokens: config.limits.maxTokens,
      maxManifestBytes: config.maxManifestBytes,
      logger,
    }),
  );
  // The fact-package format, for editors and other languages' validators (see README, Contribute facts).
  const factPackageSchema = JSON.stringify(factPackageJsonSchema(), null, 2);
  app.get('/export.ndjson', ...exportRoute({ config, quotas, logger, authenticate: authenticated }));
  app.get(
    '/claims/:file',
    authenticated,
    claimJsonLdRoute(apollo, (res) => ({
      requestId: res.locals.requestId ?? randomUUID(),
      principal: callerOf(res),
      operationQuota: undefined,
      deadline: Date.now() + config.requestTimeoutMs,
    })),
  );
  app.get(`/schemas/fact-package-v${FORMAT_VERSION}.json`, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.type('application/schema+json').send(factPackageSchema);
  });
  app.use(graphqlApp);
  // listen() starts draining through the app it serves; the flag lives in the shell's app.
  app.locals.startDraining = graphqlApp.locals.startDraining;
  return {
    app,
    stop: async () => {
      changeLogs?.stop();
      await apollo.stop();
      agent.destroy();
      freshAgent.destroy();
    },
  };
}
