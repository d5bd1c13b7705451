import cors from 'cors';
import type express from 'express';
import { ErrorCode } from '@newsfacts/platform/errors';
import { sendError } from '@newsfacts/platform/http';
import type { GatewayConfig } from '../config';
import { anyOriginMatches } from './origins';

/** Request headers a page on an allowed origin may send. */
export const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'idempotency-key',
  'apollo-require-preflight',
] as const;
/** The same less the two a key travels in: what a page gets on an origin admitted only by "*". */
const KEYLESS_REQUEST_HEADERS = CORS_REQUEST_HEADERS.filter((name) => name !== 'authorization' && name !== 'x-api-key');
/** Response headers a page may read: the request id for support, and the quota state for backing off. */
const EXPOSED_HEADERS = ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'];

/**
 * CORS for /graphql. A page on an allowed origin gets its origin echoed back, the methods and
 * headers above, and a preflight it may cache for maxAgeSeconds; "*" in CORS_ORIGINS admits every
 * other origin without the key headers. A disallowed origin gets no CORS headers, so its browser
 * neither sends a non-simple request nor lets the page read any answer; its preflight is answered
 * 403 here, and anything else it sends is handled as if it came from no page at all (a simple
 * cross-site POST still meets Apollo's CSRF check, which refuses it). The server does not refuse a
 * disallowed Origin outright: a same-origin page (the explorer) sends its own Origin on POSTs, and
 * behind a proxy the gateway cannot always tell its own public origin. Keys are never allowed
 * with credentials (cookies): they travel in headers, so Access-Control-Allow-Credentials is off.
 */
export function corsPolicy(policy: GatewayConfig['cors']): express.RequestHandler {
  const common = { methods: ['GET', 'POST'], exposedHeaders: EXPOSED_HEADERS, maxAge: policy.maxAgeSeconds };
  // origin: true echoes the request's Origin (already checked against the list below).
  const listed = cors({ ...common, origin: true, allowedHeaders: [...CORS_REQUEST_HEADERS] });
  const anyone = cors({ ...common, origin: '*', allowedHeaders: KEYLESS_REQUEST_HEADERS });
  return (req, res, next) => {
    // Every answer depends on Origin, so a shared cache must not hand one origin's answer to another.
    res.vary('Origin');
    const origin = req.header('origin');
    if (origin === undefined) return next();
    if (anyOriginMatches(policy.origins, origin)) return listed(req, res, next);
    if (policy.anyOrigin) return anyone(req, res, next);
    if (req.method === 'OPTIONS') {
      // For whoever reads it with curl; a browser only sees that the CORS headers are missing.
      return sendError(res, 403, ErrorCode.ORIGIN_NOT_ALLOWED, `Pages on ${origin} may not call this API.`);
    }
    next();
  };
}
