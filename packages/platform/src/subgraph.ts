import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { readFileSync } from 'node:fs';
import { GraphQLError, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import express from 'express';
import { ConfigError, type MetricsAccess } from './config';
import { DatabaseUnavailableError, isDatabaseUnavailable, openDatabase, type Database } from './db';
import { CLIENT_ERROR_CODES, ErrorCode } from './errors';
import { createGraphQLApp, listen, onShutdownSignal, sendError, type RequestWithRawBody } from './http';
import { feedHead, readChanges, type ChangePage } from './change-feed';
import { CHANGE_LOG_CHANNEL, CHANGE_LOG_SIGNAL_SQL, changeLogSignal } from './change-log-signal';
import { reportChangeNotices } from './change-notices';
import { EXPORT_PAGE_PATH, exportPageRequest, type ExportReader } from './export-pages';
import { createPeerClient, type PeerClient } from './peers';
import { refuseUnstorableStrings } from './string-inputs';
import {
  PRINCIPAL_HEADER,
  READ_PRIMARY_HEADER,
  SIGNATURE_HEADER,
  verifyRequest,
  type ForwardedPrincipal,
} from './signing';
import { createLogger, type Logger } from './logger';
import { rawReadsOf, withRawReads, type RawQueryable } from './raw-reads';
import { createServiceMetrics, observePool, statementObserver, type ServiceMetrics } from './metrics';
import { loadSubgraphConfig, type SubgraphName } from './service-config';
import { operationNameOnSpan, startTracing } from './tracing';

declare global {
  namespace Express {
    interface Locals {
      /** In a subgraph: who the gateway vouched for, once its signature is verified. */
      forwardedPrincipal?: ForwardedPrincipal | null;
    }
  }
}

/**
 * Errors a client can act on keep their message and code, and so does a SERVICE_UNAVAILABLE
 * this subgraph raised on purpose (the gateway words that one for clients itself); anything
 * else (a bug, a driver failure) is logged in full and leaves as a bare INTERNAL_SERVER_ERROR.
 */
export function maskUnexpectedErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    if (typeof code === 'string' && (CLIENT_ERROR_CODES.has(code) || code === ErrorCode.SERVICE_UNAVAILABLE)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (isDatabaseUnavailable(original)) {
      // An outage, not a bug: the client may retry, and the log needs no stack per request.
      logger.warn({ error: (original as Error)?.message, path: formatted.path }, 'database unavailable');
      return {
        message: 'The database is unavailable right now; try again shortly.',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
      };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    return {
      message: 'Internal server error.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** Who is asking, as the gateway vouched for it: every subgraph context carries this. */
export interface RequestIdentity {
  requestId: string;
  /** Null only for in-process calls that did not come through the gateway (tests). */
  principal: ForwardedPrincipal | null;
  /** A mutation, or a read that must see the latest writes (READ_PRIMARY_HEADER): not from a replica. */
  readsFromPrimary?: boolean;
}

export interface SubgraphServerOptions<Context extends BaseContext> {
  /** The subgraph's name in the supergraph: requests must be signed for it. */
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  logger: Logger;
  context: (identity: RequestIdentity) => Context;
  readiness: () => Promise<void>;
  /** The secret the gateway signs requests with; requests without a valid signature are refused. */
  signingSecret: string;
  /** The process's metrics; tests that build a server in-process get a private set. */
  metrics?: ServiceMetrics;
  /** Who may read /metrics; closed unless given. */
  metricsAccess?: MetricsAccess;
  /** Largest request body, in bytes (1 MB unless given). */
  bodyLimit?: number;
  /** For a subgraph that keeps a change log: its signal, head and export pages. */
  changeLog?: ChangeLogRoutes;
}

/**
 * Mutations need the write scope, checked here again on the principal the gateway signed,
 * so that no mutation a subgraph adds is ever open to a read-only key.
 */
export const requireWriteScopeForMutations: ApolloServerPlugin<
  BaseContext & { principal?: ForwardedPrincipal | null }
> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (operation?.operation === 'mutation' && !contextValue.principal?.scopes.includes('WRITE')) {
          throw new GraphQLError('Changing data needs an API key with the write scope.', {
            extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
          });
        }
      },
    };
  },
};

/** Refuses anything the gateway did not sign, `_service` and `_entities` included. */
export function requireGatewaySignature(secret: string, audience: string, logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const verification =
      req.method === 'POST'
        ? verifyRequest(
            secret,
            audience,
            { signature: req.header(SIGNATURE_HEADER), principal: req.header(PRINCIPAL_HEADER) },
            (req as RequestWithRawBody).rawBody ?? Buffer.alloc(0),
          )
        : ({ ok: false, reason: 'unsigned request' } as const);
    if (!verification.ok) {
      logger.warn(
        { reason: verification.reason, ip: req.ip, requestId: res.locals.requestId },
        'refused a request the gateway did not sign',
      );
      sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'This service answers only the gateway.');
      return;
    }
    res.locals.forwardedPrincipal = verification.principal;
    next();
  };
}

// Where a subgraph's change log stands (change-log-signal.ts), for a gateway's response cache to
// notice writes that did not pass through it (an import writes straight to the services), and
// for the search index's follower to know when to read a feed.
export { CHANGE_LOG_SIGNAL_SQL } from './change-log-signal';
export const CHANGE_LOG_SIGNAL_PATH = '/change-log/signal';
export const CHANGE_LOG_HEAD_PATH = '/change-log/head';
export const CHANGE_LOG_ENTRIES_PATH = '/change-log/entries';

/**
 * Whether the log holds entries the feed does not serve yet: committed, but written by a
 * transaction that began after one still running (see change-feed.ts). A reader that saw the
 * signal move keeps reading until this is false.
 */
export const CHANGE_LOG_HELD_BACK_SQL = `SELECT EXISTS (SELECT 1 FROM "Change" WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())) AS "heldBack"`;

/** A page of the change log for a gateway's response cache: the feed's page, and whether entries are held back. */
export interface ChangeLogEntries extends ChangePage {
  heldBack: boolean;
}

interface RawQueries {
  $queryRawUnsafe<T>(query: string): Promise<T>;
}

/** A route only the gateway may call: a signed POST with a small JSON body, as /graphql is signed. */
function serveSigned(
  app: express.Express,
  path: string,
  guard: express.RequestHandler,
  answer: (body: unknown, res: express.Response) => Promise<unknown>,
): void {
  app.post(
    path,
    express.json({
      limit: 64 * 1024,
      verify: (req, _res, buffer) => {
        (req as RequestWithRawBody).rawBody = buffer;
      },
    }),
    guard,
    async (req, res) => {
      try {
        const result = await answer(req.body, res);
        if (!res.headersSent) res.json(result);
      } catch {
        if (!res.headersSent)
          sendError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The database cannot be read right now.');
      }
    },
  );
}

/** What a subgraph with a change log serves the gateway besides GraphQL. */
export interface ChangeLogRoutes {
  /** Where the log stands (CHANGE_LOG_SIGNAL_SQL), for response caches and the search index. */
  signal(): Promise<string>;
  /** A feed cursor at the newest entry, for an export's first line. */
  head(): Promise<string | null>;
  /** The entries after a cursor, for a response cache to drop what they changed. */
  entries(after: string, first: number): Promise<ChangeLogEntries>;
  /** Pages of its records by type, for the bulk export. */
  exports: Record<string, ExportReader>;
}

function serveChangeLogRoutes(app: express.Express, routes: ChangeLogRoutes, guard: express.RequestHandler): void {
  serveSigned(app, CHANGE_LOG_SIGNAL_PATH, guard, async () => ({ signal: await routes.signal() }));
  serveSigned(app, CHANGE_LOG_HEAD_PATH, guard, async () => ({ cursor: await routes.head() }));
  serveSigned(app, CHANGE_LOG_ENTRIES_PATH, guard, async (body, res) => {
    const { after, first } = (body ?? {}) as { after?: unknown; first?: unknown };
    if (typeof after !== 'string' || typeof first !== 'number') {
      sendError(
        res,
        400,
        ErrorCode.BAD_REQUEST,
        'Send the cursor to read after as `after` and a page size as `first`.',
      );
      return undefined;
    }
    return routes.entries(after, first);
  });
  serveSigned(app, EXPORT_PAGE_PATH, guard, async (body, res) => {
    const parsed = exportPageRequest.safeParse(body);
    const reader = parsed.success ? routes.exports[parsed.data.type] : undefined;
    if (!parsed.success || !reader) {
      sendError(res, 400, ErrorCode.BAD_REQUEST, `Not an export page request this service answers.`);
      return undefined;
    }
    return { rows: await reader(parsed.data) };
  });
}

export interface SubgraphServer {
  app: express.Express;
  apollo: ApolloServer<BaseContext>;
  stop(): Promise<void>;
}

/** Builds (does not listen) a subgraph: Apollo Server on the shared HTTP shell. */
export async function createSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<SubgraphServer> {
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers }]),
    logger: options.logger,
    includeStacktraceInErrorResponses: false,
    // index.ts owns SIGINT/SIGTERM: it drains HTTP first, then stops Apollo and the database.
    stopOnTerminationSignals: false,
    formatError: maskUnexpectedErrors(options.logger),
    // Inline traces are for Apollo's hosted studio, which this federation does not report to.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      requireWriteScopeForMutations as ApolloServerPlugin<Context>,
      reportChangeNotices as ApolloServerPlugin<Context>,
      // Checked again here, like the write scope: a subgraph may be reached without the gateway.
      refuseUnstorableStrings,
      operationNameOnSpan,
    ],
  });
  await apollo.start();
  const signed = requireGatewaySignature(options.signingSecret, options.name, options.logger);
  const app = createGraphQLApp<Context>({
    apollo,
    logger: options.logger,
    readiness: options.readiness,
    metrics: options.metrics ?? createServiceMetrics(options.name, { processMetrics: false }),
    metricsAccess: options.metricsAccess ?? { token: undefined, openWithoutToken: false },
    bodyLimit: options.bodyLimit,
    guards: [signed],
    context: async ({ req, res, requestId }) =>
      options.context({
        requestId,
        principal: res.locals.forwardedPrincipal ?? null,
        readsFromPrimary:
          req.header(READ_PRIMARY_HEADER) === '1' || /^\s*mutation\b/.test(String(req.body?.query ?? '')),
      }),
  });
  // Only the gateway calls, and never revalidates: an ETag would be a hash of every answer for nothing.
  app.set('etag', false);
  if (options.changeLog) serveChangeLogRoutes(app, options.changeLog, signed);
  return { app, apollo: apollo as unknown as ApolloServer<BaseContext>, stop: () => apollo.stop() };
}

/** What a subgraph's `createServer` is given: its Prisma client, a logger, and a readiness probe. */
export interface SubgraphDeps<Prisma> {
  prisma: Prisma;
  /** On the database's read replicas (when it has some): what queries read from. */
  readPrisma?: Prisma;
  /** The other subgraphs, for checks across them. */
  peers: PeerClient;
  logger: Logger;
  readiness: () => Promise<void>;
  signingSecret: string;
  metrics?: ServiceMetrics;
  metricsAccess?: MetricsAccess;
  /** NOTIFY on the primary (Database.listen): without it the change-log signal reads SQL every time. */
  listen?: Database['listen'];
}

interface Disconnectable {
  $disconnect(): Promise<void>;
}

/** How a subgraph's Prisma client is built: with a raw reader for its loaders (raw-reads.ts) unless turned off. */
export interface PrismaOptions {
  rawSqlReads?: boolean;
}

export interface SubgraphProgram<Prisma extends Disconnectable> {
  name: SubgraphName;
  createPrisma(db: Database, options?: PrismaOptions): Prisma;
  createServer(deps: SubgraphDeps<Prisma>): Promise<SubgraphServer>;
  startWorker?(deps: WorkerDeps<Prisma>): Worker;
}

/** What every subgraph's resolvers get: who is asking, the database, this request's loaders, and the other subgraphs. */
export type SubgraphContext<Prisma, Loaders> = RequestIdentity & {
  prisma: Prisma;
  loaders: Loaders;
  peers: PeerClient;
};

export interface SubgraphDefinition<Prisma extends Disconnectable, Loaders> {
  name: SubgraphName;
  /** The service's schema.graphql, as a URL relative to its module (never the working directory). */
  schema: URL;
  /** The resolver map graphql-codegen typed against this schema and context. */
  resolvers: object;
  createPrisma(db: Database): Prisma;
  /**
   * A fresh set per request, so one request's DataLoader cache never serves another. With `raw`
   * the hot reads go through it as plain SQL; without, through Prisma.
   */
  createLoaders(prisma: Prisma, raw?: RawQueryable): Loaders;
  /** Largest request body, in bytes (1 MB unless given). */
  bodyLimit?: number;
  /**
   * It keeps a change log (a `Change` table): serve where it stands (for gateways' response
   * caches and exports) and its records by type, a page at a time, for the bulk export.
   */
  exports?(prisma: Prisma): Record<string, ExportReader>;
  /** Work the process does besides answering requests (the imports service's job worker); started once it listens. */
  startWorker?(deps: WorkerDeps<Prisma>): Worker;
}

export interface WorkerDeps<Prisma> {
  prisma: Prisma;
  logger: Logger;
  /** The process's metrics, for a worker to add its own. */
  metrics?: ServiceMetrics;
  signingSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
}

export interface Worker {
  /** Finishes or abandons what it is doing (another process takes it over) and resolves. */
  stop(): Promise<void>;
}

export interface Subgraph<Prisma extends Disconnectable, Loaders> extends SubgraphProgram<Prisma> {
  typeDefs: DocumentNode;
  createContext(prisma: Prisma, peers: PeerClient, identity: RequestIdentity): SubgraphContext<Prisma, Loaders>;
}

/** A subgraph from its parts: `index.ts` runs it (runSubgraph), tests build it in-process (createServer). */
export function defineSubgraph<Prisma extends Disconnectable, Loaders>(
  definition: SubgraphDefinition<Prisma, Loaders>,
): Subgraph<Prisma, Loaders> {
  const typeDefs = parse(readFileSync(definition.schema, 'utf8'));
  const createContext = (
    prisma: Prisma,
    peers: PeerClient,
    identity: RequestIdentity,
  ): SubgraphContext<Prisma, Loaders> => ({
    ...identity,
    prisma,
    peers,
    loaders: definition.createLoaders(prisma, rawReadsOf(prisma)),
  });
  // graphql-codegen's resolver types and @apollo/subgraph's map describe the same object, but
  // codegen's `__resolveReference` and scalar entries do not fit Apollo's looser signature.
  const resolvers = definition.resolvers as GraphQLResolverMap<SubgraphContext<Prisma, Loaders>>;
  return {
    name: definition.name,
    typeDefs,
    createPrisma: (db, { rawSqlReads = true } = {}) => {
      const prisma = definition.createPrisma(db);
      return rawSqlReads ? withRawReads(prisma, db.adapter) : prisma;
    },
    startWorker: definition.startWorker,
    createContext,
    createServer: async (deps) => {
      const raw = deps.prisma as unknown as RawQueries;
      const signal = changeLogSignal(async () => {
        const [row] = await raw.$queryRawUnsafe<Array<{ signal: string }>>(CHANGE_LOG_SIGNAL_SQL);
        return row!.signal;
      });
      const unlisten =
        definition.exports && deps.listen
          ? await deps.listen(CHANGE_LOG_CHANNEL, signal.notified, signal.listening)
          : undefined;
      const server = await createSubgraphServer({
        ...deps,
        name: definition.name,
        typeDefs,
        resolvers,
        bodyLimit: definition.bodyLimit,
        changeLog: definition.exports
          ? {
              signal: signal.read,
              head: () => feedHead(deps.prisma as unknown as Parameters<typeof feedHead>[0]),
              entries: async (after, first) => {
                const raw = deps.prisma as unknown as RawQueries & Parameters<typeof readChanges>[0];
                const page = await readChanges(raw, { after, first });
                const [row] = await raw.$queryRawUnsafe<Array<{ heldBack: boolean }>>(CHANGE_LOG_HELD_BACK_SQL);
                return { ...page, heldBack: row!.heldBack };
              },
              exports: definition.exports(deps.prisma),
            }
          : undefined,
        context: (identity) =>
          createContext(
            identity.readsFromPrimary || !deps.readPrisma ? deps.prisma : deps.readPrisma,
            deps.peers,
            identity,
          ),
      });
      return {
        ...server,
        stop: async () => {
          await unlisten?.();
          await server.stop();
        },
      };
    },
  };
}

/** The whole life of a subgraph process: config, database, listen, and a clean stop on a signal. */
export function runSubgraph<Prisma extends Disconnectable>(program: SubgraphProgram<Prisma>): void {
  main(program).catch((error: unknown) => {
    const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
    // One line a person can act on; a stack only for the unexpected.
    process.stderr.write(
      `${program.name}: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`,
    );
    process.exit(1);
  });
}

async function main<Prisma extends Disconnectable>(program: SubgraphProgram<Prisma>): Promise<void> {
  const config = loadSubgraphConfig(program.name);
  const logger = createLogger(program.name, config.logLevel);
  // Before anything that makes spans is built.
  const tracing = await startTracing(config.tracing, logger);
  const metrics = createServiceMetrics(program.name);
  const db = await openDatabase(config.database, { logger, observeStatement: statementObserver(metrics) });
  logger.info({ database: db.description }, `database: ${db.description}`);
  if (db.poolStats()) observePool(metrics, () => db.poolStats()!);
  const { rawSqlReads } = config;
  const prisma = program.createPrisma(db, { rawSqlReads });
  const readPrisma = db.readAdapter
    ? program.createPrisma({ ...db, adapter: db.readAdapter }, { rawSqlReads })
    : undefined;
  const server = await program.createServer({
    prisma,
    readPrisma,
    peers: createPeerClient({ urls: config.subgraphUrls, signingSecret: config.signingSecret, logger }),
    logger,
    readiness: () => db.ping(),
    signingSecret: config.signingSecret,
    metrics,
    metricsAccess: config.metricsAccess,
    listen: db.listen,
  });
  const running = await listen(server.app, config.port, config.host, { shutdownGraceMs: config.shutdownGraceMs });
  logger.info({ url: `${running.url}/graphql` }, `${program.name} subgraph ready at ${running.url}/graphql`);
  const worker = program.startWorker?.({
    prisma,
    logger,
    metrics,
    signingSecret: config.signingSecret,
    subgraphUrls: config.subgraphUrls,
  });
  onShutdownSignal(logger, async () => {
    await worker?.stop();
    await running.close();
    await server.stop();
    await prisma.$disconnect();
    await readPrisma?.$disconnect();
    await db.close();
    // Last, so that the spans of the requests drained above go out too.
    await tracing.shutdown();
  });
}
