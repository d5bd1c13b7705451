import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { Logger } from './logger';

export const REQUEST_ID_HEADER = 'x-request-id';

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
  /** Throws when a dependency the service needs cannot be reached. */
  readiness: () => Promise<void>;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

/**
 * The HTTP shell every service shares: GraphQL at /graphql, liveness at /healthz and
 * readiness at /readyz. The Apollo server must already be started.
 */
export function createGraphQLApp<Context extends BaseContext>(options: GraphQLAppOptions<Context>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  let draining = false;

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
      options.logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use('/graphql', (req, res, next) => {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  });
  app.use(
    '/graphql',
    express.json({
      limit: options.bodyLimit ?? 1_000_000,
      // The exact bytes, for request signatures.
      verify: (req, _res, buffer) => {
        (req as RequestWithRawBody).rawBody = buffer;
      },
    }),
    ...(options.guards ?? []),
    expressMiddleware(options.apollo, {
      context: async ({ req, res }) => options.context({ req, res, requestId: res.locals.requestId as string }),
    }),
  );

  // A body that is not JSON, or too large, gets a coded GraphQL-shaped answer, never a stack trace.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
    const message =
      status === 413 ? 'The request body is too large.' : status < 500 ? 'The request body is not valid JSON.' : 'Internal server error.';
    if (status >= 500) options.logger.error({ err: error }, 'unhandled HTTP error');
    sendError(res, status, code, message);
  });

  app.locals.startDraining = () => {
    draining = true;
  };
  return app;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 picks a free port) and resolves once it accepts connections. */
export async function listen(app: express.Express, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than the gateway's agent keeps idle sockets
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        (app.locals.startDraining as (() => void) | undefined)?.();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
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
