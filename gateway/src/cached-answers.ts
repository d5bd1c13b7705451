// Cached answers, served ahead of GraphQL. On breaking-news traffic most requests are the same
// few queries, already answered in the response cache; going through the express stack, Apollo
// Server's pipeline and every plugin to find that out costs several times what sending the bytes
// does. So the first handler on /graphql remembers, per request as it arrives (the GET search
// string or the POST body, unparsed) and per kind of caller (scopes, anonymous or key, browser
// or not), which response-cache entry answered it and what the operation costs. A repeat of
// the same request is then answered from that entry's serialized bytes, after:
//  - the caller is authenticated (the key lookup is the authenticator's, cached alike);
//  - the operation quota and the cost quota are charged, with the remembered cost;
//  - the entry is checked with the response cache's own check (stillServed): not expired, and
//    none of its tags dropped in the shared store since it was begun, so a write through any
//    replica ends it at once; and nothing is served while the gateway is not following every
//    subgraph's change log, as for the response cache itself.
// Validation, depth, alias and cost limits, scopes and trusted documents ran when the entry was
// first made for the same request by the same kind of caller, and decide the same again. Anything
// this handler does not recognise as such a repeat (an Origin, an Idempotency-Key, another Accept,
// a body it cannot take as is, an unknown caller, tracing on) goes the usual way, untouched.
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type express from 'express';
import { answerRequestError, clientRequestId, REQUEST_ID_HEADER } from '@newsfacts/platform/http';
import type { Logger } from '@newsfacts/platform/logger';
import { tracingEnabled } from '@newsfacts/platform/tracing';
import type { GatewayContext } from './context';
import { cachingHeaders, entityTag, matchesEntityTag } from './http-caching';
import type { GatewayMetrics } from './metrics';
import { cacheKey, stillServed, type CachedAnswer, type ResponseCacheStore } from './response-cache';
import type { Authenticator } from './security/authenticate';
import { chargeCost } from './security/cost-limit';
import { chargeOperation } from './security/operation-quota';
import { isPublicClient, type Principal } from './security/principal';
import type { Quotas } from './security/quotas';

/** How long a remembered answer is sent without reading its entry again (so one evicted or replaced is dropped). */
const REREAD_MS = 1_000;
/** Memory for remembered requests and answers; the oldest go first. */
const MAX_REMEMBERED_BYTES = 32 * 2 ** 20;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

interface ReadyAnswer {
  entry: CachedAnswer;
  /** As Apollo Server sends it: the JSON and a newline. */
  body: Buffer;
  etag: string;
  readAt: number;
}

interface Remembered {
  /** The response cache's key for the answer. */
  storeKey: string;
  /** The operation's cost, charged to the cost quota on every answer. */
  cost: number;
  /** For the log line, as the platform logs it. */
  operationName: string | undefined;
  answer?: ReadyAnswer;
  bytes: number;
}

export interface CachedAnswersOptions {
  store: ResponseCacheStore;
  authenticator: Authenticator;
  quotas: Quotas;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Bodies up to this size are read here: what any caller may send (MAX_REQUEST_BYTES). */
  maxRequestBytes: number;
  httpCacheMaxAgeSeconds: number;
  requireTrustedDocuments: boolean;
  /** Whether the gateway follows every subgraph's change log; nothing is served from the cache otherwise. */
  followingChanges: () => boolean;
}

export interface CachedAnswers {
  /** Mounted on /graphql ahead of everything else. */
  handler: express.RequestHandler;
  /** Notes which entry answered a request the handler passed on, once GraphQL has answered it. */
  plugin: ApolloServerPlugin<GatewayContext>;
}

type Arrival = { method: 'GET'; search: string } | { method: 'POST'; length: number };

/** Whether the request could be a repeat this handler answers, judged on its head alone. */
function arrivalOf(req: express.Request, maxRequestBytes: number): Arrival | null {
  const { headers } = req;
  if (headers.origin !== undefined || headers['idempotency-key'] !== undefined) return null;
  // Apollo Server answers these with application/json, as this handler does.
  const accept = headers.accept;
  if (accept !== undefined && accept !== '*/*' && !/^application\/json(;\s*charset=utf-8)?$/i.test(accept)) return null;
  const url = req.originalUrl;
  const query = url.indexOf('?');
  if ((query === -1 ? url : url.slice(0, query)) !== '/graphql') return null;
  if (req.method === 'GET') {
    // Apollo's CSRF prevention answers a GET without one of these itself.
    if (headers['apollo-require-preflight'] === undefined && headers['x-apollo-operation-name'] === undefined)
      return null;
    return query === -1 ? null : { method: 'GET', search: url.slice(query + 1) };
  }
  if (req.method !== 'POST') return null;
  const length = Number(headers['content-length']);
  if (!(length > 0 && length <= maxRequestBytes)) return null;
  if (!/^application\/json(;\s*charset="?utf-8"?)?$/i.test(headers['content-type'] ?? '')) return null;
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity') return null;
  return { method: 'POST', length };
}

function readBody(req: express.Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    // Closed before its end: the client went away (after the end, this settles nothing).
    req.once('close', () => reject(new Error('request closed before its end')));
  });
}

/** The body as the platform's JSON parser reads it (UTF-8 without a BOM, an object or an array only). */
function parseBody(text: string): unknown {
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw Object.assign(new SyntaxError('not a JSON object'), { status: 400 });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(error as Error, { status: 400 });
  }
}

/** Callers whose answers may differ: by scopes, and by how their answers may be cached and what they may send. */
const callerKind = (principal: Principal, requireTrustedDocuments: boolean) =>
  [
    [...principal.scopes].sort().join(','),
    principal.kind,
    requireTrustedDocuments && isPublicClient(principal) ? 'documents-only' : '',
  ].join(' ');

export function cachedAnswers(options: CachedAnswersOptions): CachedAnswers {
  const { store, authenticator, quotas, metrics, logger } = options;
  const remembered = new Map<string, Remembered>();
  let rememberedBytes = 0;

  const forget = (key: string) => {
    const entry = remembered.get(key);
    if (!entry) return;
    rememberedBytes -= entry.bytes;
    remembered.delete(key);
  };
  const remember = (key: string, entry: Remembered) => {
    forget(key);
    entry.bytes = key.length * 2 + (entry.answer?.body.length ?? 0);
    remembered.set(key, entry);
    rememberedBytes += entry.bytes;
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const oldest of remembered.keys()) {
      if (rememberedBytes <= MAX_REMEMBERED_BYTES) break;
      forget(oldest);
    }
  };

  /** The remembered answer, read again from the store when due, if the store still serves it. */
  const currentAnswer = async (key: string, entry: Remembered): Promise<ReadyAnswer | null> => {
    let answer = entry.answer;
    if (!answer || Date.now() - answer.readAt > REREAD_MS) {
      const stored = await store.get(entry.storeKey);
      if (!stored) {
        forget(key);
        return null;
      }
      if (answer?.entry === stored) answer.readAt = Date.now();
      else {
        const json = JSON.stringify(stored.result);
        answer = { entry: stored, body: Buffer.from(`${json}\n`), etag: entityTag(json), readAt: Date.now() };
        remember(key, { ...entry, answer });
      }
    }
    return options.followingChanges() && (await stillServed(store, answer.entry)) ? answer : null;
  };

  const answer = async (
    req: express.Request,
    res: express.Response,
    arrival: Arrival,
    principal: Principal,
    ready: ReadyAnswer,
    cost: number,
  ) => {
    res.locals.principal = principal;
    if (!(await chargeOperation(quotas, res))) return;
    const { headers, refusal } = await chargeCost(quotas, principal, res.locals.operationQuota, cost);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (refusal) {
      const retryAfter = (refusal.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')!;
      res.setHeader('retry-after', retryAfter);
      res.setHeader('cache-control', 'no-store');
      res.setHeader('content-type', JSON_CONTENT_TYPE);
      res.statusCode = 429;
      res.end(
        `${JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.extensions.code } }] })}\n`,
      );
      return;
    }
    metrics.responseCacheLookups.inc({ result: 'hit' });
    metrics.responseCacheEarlyHits.inc();
    res.setHeader('x-cache', 'HIT');
    if (arrival.method === 'POST') res.setHeader('cache-control', 'no-store');
    else {
      // What is left of the entry's life, as a hit through GraphQL says (response-cache.ts).
      const left = Math.max(0, Math.floor((ready.entry.expiresAt - Date.now()) / 1000));
      for (const [name, value] of Object.entries(
        cachingHeaders(principal, Math.min(left, options.httpCacheMaxAgeSeconds)),
      ))
        res.setHeader(name, value);
      res.setHeader('etag', ready.etag);
      if (matchesEntityTag(req.headers['if-none-match'], ready.etag)) {
        res.statusCode = 304;
        res.end();
        return;
      }
    }
    res.setHeader('content-type', JSON_CONTENT_TYPE);
    res.setHeader('content-length', ready.body.length);
    res.end(ready.body);
  };

  const handler: express.RequestHandler = async (req, res, next) => {
    // The usual way opens the request's span; traced requests take it.
    const arrival = tracingEnabled() ? null : arrivalOf(req, options.maxRequestBytes);
    if (!arrival) return next();
    let principal: Principal | null;
    try {
      principal = await authenticator.callerOf(req);
    } catch {
      principal = null; // the usual way meets the same failure and answers it
    }
    if (!principal) return next();

    const started = process.hrtime.bigint();
    // Passed on, the request is given its id by the platform's shell.
    const requestId = () => clientRequestId(req.header(REQUEST_ID_HEADER)) ?? randomUUID();
    let text: string;
    let body: Buffer | undefined;
    if (arrival.method === 'GET') text = arrival.search;
    else {
      try {
        body = await readBody(req);
      } catch {
        return; // the client went away
      }
      text = body.toString('utf8').replace(/^\uFEFF/, '');
    }
    const key = `${arrival.method} ${callerKind(principal, options.requireTrustedDocuments)}\n${text}`;
    const entry = remembered.get(key);
    let ready: ReadyAnswer | null = null;
    if (entry) {
      try {
        ready = await currentAnswer(key, entry);
      } catch (error) {
        logger.warn({ err: error }, 'response cache unavailable; answering without it');
      }
    }
    if (entry && ready) {
      // The very text the entry was made from, so it parses as it did then: it is not parsed again.
      const id = requestId();
      res.locals.requestId = id;
      res.setHeader('Vary', 'Origin');
      res.setHeader(REQUEST_ID_HEADER, id);
      observe(req, res, id, started, entry);
      try {
        await answer(req, res, arrival, principal, ready, entry.cost);
      } catch (error) {
        if (!res.headersSent) answerRequestError(res, error as Error, logger);
      }
      return;
    }
    if (body) {
      // Read here, the body is handed on parsed, as the platform's parser would have left it.
      try {
        (req as express.Request & { rawBody?: Buffer }).rawBody = body;
        req.body = parseBody(text);
      } catch (error) {
        const id = requestId();
        res.setHeader('Vary', 'Origin');
        res.setHeader(REQUEST_ID_HEADER, id);
        observe(req, res, id, started, null);
        return answerRequestError(res, error as Error, logger);
      }
    }
    res.locals.cachedAnswerKey = key;
    next();
  };

  /**
   * The metrics the platform keeps for every GraphQL request, and for an answer (not a refused
   * body) its log line.
   */
  const observe = (
    req: express.Request,
    res: express.Response,
    requestId: string,
    started: bigint,
    answered: { operationName: string | undefined } | null,
  ) => {
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe(
        { route: '/graphql', method: req.method, status: String(res.statusCode) },
        seconds,
      );
      if (!answered) return;
      metrics.sqlStatementsPerRequest.observe(0);
      if (!logger.isLevelEnabled('info')) return;
      logger.info(
        {
          requestId,
          operationName: answered.operationName,
          status: res.statusCode,
          ...(res.writableFinished ? {} : { aborted: true }),
          durationMs: Math.round(seconds * 1e5) / 100,
          sqlStatements: 0,
          cache: 'HIT',
        },
        'request',
      );
    });
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(context) {
          const { contextValue, operation, response, errors } = context;
          const key = contextValue.cachedAnswerKey;
          if (!key || operation?.operation !== 'query' || errors?.length) return;
          if (contextValue.operationCost === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.length || result.data == null) return;
          const status = response.http.status ?? 200;
          if (status !== 200 && status !== 304) return;
          // The answer itself is read from the store when the request comes again: what is
          // kept there, under the response cache's rules, is what this handler may send.
          const { operationName } = context.request;
          remember(key, {
            storeKey: cacheKey(context),
            cost: contextValue.operationCost,
            operationName: typeof operationName === 'string' ? operationName.slice(0, 100) : undefined,
            bytes: 0,
          });
        },
      };
    },
  };

  return { handler, plugin };
}
