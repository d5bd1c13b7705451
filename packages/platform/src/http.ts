import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { MetricsAccess } from './config';
import type { Logger } from './logger';
import { runInRequestScope, type RequestScope, type ServiceMetrics } from './metrics';
import { ErrorCode } from './errors';
import { traceHttpRequest, type RequestTrace } from './tracing';

declare global {
  namespace Express {
    /** What the shell's middleware leaves on every GraphQL response, typed for what follows it. */
    interface Locals {
      /** The client's X-Request-Id when well formed, else a fresh one; logged and passed on. */
      requestId: string;
      /** This request's server span, when tracing is on. */
      trace?: RequestTrace;
    }
  }
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** The client's X-Request-Id when it is well formed (it may be what the client searches its own logs by). */
export const clientRequestId = (header: string | undefined): string | undefined =>
  header && /^[\w.-]{1,128}$/.test(header) ? header : undefined;

export type RequestWithRawBody = Request & { rawBody?: Buffer };

/** A GraphQL-shaped error answer for requests refused before GraphQL runs. */
export function sendError(
  res: express.Response,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  res.status(status).json({ errors: [{ message, extensions: { ...extensions, code } }] });
}

/**
 * The answer to a request that failed before GraphQL ran: a body too large (413) or not JSON
 * (400), as body-parser reports them, or anything else (500, logged).
 */
export function answerRequestError(
  res: express.Response,
  error: Error & { status?: number; limit?: number },
  logger: Logger,
): void {
  const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
  const code =
    status === 413
      ? ErrorCode.PAYLOAD_TOO_LARGE
      : status < 500
        ? ErrorCode.BAD_REQUEST
        : ErrorCode.INTERNAL_SERVER_ERROR;
  const message =
    status === 413
      ? `The request body is larger than this API accepts${error.limit ? ` (${error.limit} bytes)` : ''}.`
      : status < 500
        ? 'The request body is not valid JSON.'
        : 'Internal server error.';
  if (status >= 500) logger.error({ err: error }, 'unhandled HTTP error');
  sendError(res, status, code, message);
}

export interface GraphQLAppOptions<Context extends BaseContext> {
  apollo: ApolloServer<Context>;
  logger: Logger;
  /** Builds the per-request context (DataLoaders and the like). */
  context: (args: { req: Request; res: express.Response; requestId: string }) => Promise<Context>;
  /**
   * Run after the body is parsed and before GraphQL: authentication, quotas, policy. Each
   * either calls next() or answers the request itself.
   */
  guards?: express.RequestHandler[];
  /** Run before the body is read, on the headers alone: who is calling, so that bodyLimit may depend on it. */
  headerGuards?: express.RequestHandler[];
  /** Throws when a dependency the service needs cannot be reached. */
  readiness: () => Promise<void>;
  /** Largest request body accepted, in bytes; a function picks it per request, after the headerGuards. */
  bodyLimit?: number | ((req: Request, res: express.Response) => number);
  metrics: ServiceMetrics;
  metricsAccess: MetricsAccess;
}

/** Route labels for metrics: a fixed set, so that odd URLs cannot grow the series without bound. */
function routeLabel(path: string): string {
  if (path === '/graphql' || path === '/healthz' || path === '/readyz' || path === '/metrics') return path;
  // A subgraph's signed routes for the gateway and the imports service's followers.
  if (path === '/change-log/signal' || path === '/change-log/head' || path === '/export/page') return path;
  if (path.startsWith('/graphiql') || path.startsWith('/explorer') || path.startsWith('/assets')) return 'pages';
  return 'other';
}

/**
 * The HTTP shell every service shares: GraphQL at /graphql, liveness at /healthz and
 * readiness at /readyz. The Apollo server must already be started.
 */
export function createGraphQLApp<Context extends BaseContext>(options: GraphQLAppOptions<Context>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  let draining = false;
  const { metrics, logger } = options;

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: mounted routers rewrite req.path while they run.
    const route = routeLabel(req.path);
    // 'close', not 'finish': a request the client gave up on (a gateway timeout) counts too.
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe({ route, method: req.method, status: String(res.statusCode) }, seconds);
    });
    next();
  });

  app.get('/metrics', async (req, res) => {
    const { token, openWithoutToken } = options.metricsAccess;
    const presented = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const allowed = token ? presented !== undefined && sameSecret(presented, token) : openWithoutToken;
    if (!allowed) {
      res
        .status(token ? 401 : 403)
        .type('text/plain')
        .send(
          token ? 'Send the metrics token as a Bearer token.\n' : 'Set METRICS_TOKEN to read metrics in production.\n',
        );
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await options.readiness();
      res.json({ status: 'ready' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use('/graphql', (req, res, next) => {
    const trace = traceHttpRequest(req, res, '/graphql');
    res.locals.trace = trace;
    const incoming = req.header(REQUEST_ID_HEADER);
    // Without a request id of the client's, the trace id is the request id: one id finds the
    // request both in the logs and among the traces. A client's own id is kept (it may be what
    // the client searches its own logs by), and the trace id is logged beside it.
    const requestId = clientRequestId(incoming) ?? trace?.traceId ?? randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // Active for the header guards (authentication); activated again once the body is read.
    if (trace) trace.activate(next);
    else next();
  });
  const parsers = new Map<number, express.RequestHandler>();
  const parserFor = (limit: number) => {
    let parser = parsers.get(limit);
    if (!parser) {
      parser = express.json({
        limit,
        // The exact bytes, for request signatures.
        verify: (req, _res, buffer) => {
          (req as RequestWithRawBody).rawBody = buffer;
        },
      });
      parsers.set(limit, parser);
    }
    return parser;
  };
  const { bodyLimit = 1_000_000 } = options;
  app.use(
    '/graphql',
    ...(options.headerGuards ?? []),
    (req: Request, res: express.Response, next: express.NextFunction) =>
      parserFor(typeof bodyLimit === 'number' ? bodyLimit : bodyLimit(req, res))(req, res, next),
    // After the body parser: its stream callbacks would lose the request scope.
    (req: Request, res: express.Response, next: express.NextFunction) => {
      const scope: RequestScope = { requestId: res.locals.requestId, sqlStatements: 0, changes: [] };
      const started = process.hrtime.bigint();
      res.once('close', () => {
        metrics.sqlStatementsPerRequest.observe(scope.sqlStatements);
        logger.info(
          {
            requestId: scope.requestId,
            operationName:
              typeof req.body?.operationName === 'string' ? req.body.operationName.slice(0, 100) : undefined,
            status: res.statusCode,
            ...(res.writableFinished ? {} : { aborted: true }),
            durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
            sqlStatements: scope.sqlStatements,
            ...(res.locals.trace ? { traceId: res.locals.trace.traceId, spanId: res.locals.trace.spanId } : {}),
          },
          'request',
        );
      });
      const trace = res.locals.trace;
      runInRequestScope(scope, trace ? () => trace.activate(next) : next);
    },
    ...(options.guards ?? []),
    expressMiddleware(options.apollo, {
      context: async ({ req, res }) => options.context({ req, res, requestId: res.locals.requestId }),
    }),
  );

  // A body that is not JSON, or too large, gets a coded GraphQL-shaped answer, never a stack trace.
  app.use(
    (
      error: Error & { status?: number; type?: string; limit?: number },
      _req: Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(error);
      answerRequestError(res, error, logger);
    },
  );

  app.locals.startDraining = () => {
    draining = true;
  };
  return app;
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface RunningServer {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * On close, how long to keep serving while /readyz already answers 503, so that a load
   * balancer stops sending requests before the port closes (SHUTDOWN_GRACE_MS).
   */
  shutdownGraceMs?: number;
  /** After the grace, how long in-flight requests may take before their connections are cut. */
  drainTimeoutMs?: number;
}

/**
 * Listens on host:port (0 picks a free port) and resolves once it accepts connections. Its
 * close() drains: not ready, the grace, no new connections, in-flight requests answered (with
 * `Connection: close`) and idle keep-alive connections closed, then the hard deadline.
 */
export async function listen(
  app: express.Express,
  port: number,
  host: string,
  { shutdownGraceMs = 0, drainTimeoutMs = 10_000 }: ListenOptions = {},
): Promise<RunningServer> {
  const server = http.createServer();
  server.keepAliveTimeout = 65_000; // longer than the gateway's agent keeps idle sockets
  const inFlight = new Set<http.ServerResponse>();
  let closing = false;
  // Registered before the app, so that it runs before anything can answer the request.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (closing) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  server.on('request', app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: async () => {
      (app.locals.startDraining as (() => void) | undefined)?.();
      if (shutdownGraceMs > 0) await new Promise((resolve) => setTimeout(resolve, shutdownGraceMs));
      closing = true;
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Node keeps a busy keep-alive connection open after its answer, so the server would
      // wait for the client to let go: the answer tells the client to close it instead.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      // Past the deadline, whatever is still open is cut.
      const deadline = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      try {
        await closed;
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}

/** Calls `stop` once on SIGINT or SIGTERM, then exits 0 (or 1 when stopping failed). */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
