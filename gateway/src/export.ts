// GET /export.ndjson: every record of the chosen types, one JSON object per line, streamed a
// page at a time from the services that own them, so that the gateway's memory stays flat
// however large the graph. A read key only, with a quota of its own (EXPORTS_PER_HOUR).
//
// The first line holds each service's change-feed cursor, read before any record: a client that
// applies the export and then follows the feeds from those cursors misses nothing (a record
// written during the export may arrive twice, once in each; applying it again changes nothing).
// After every page a checkpoint line carries a resume token: after a dropped connection,
// `?resume=<token>` goes on from there. The last line says the export is complete.
//
//   {"kind":"cursor","feeds":{"eventChanges":"…","actorChanges":"…","statementChanges":"…"},"resume":"…"}
//   {"kind":"record","type":"Event","record":{…}}
//   {"kind":"checkpoint","resume":"…"}
//   {"kind":"end","records":1234}
import type express from 'express';
import { z } from 'zod';
import { ErrorCode } from '@newsfacts/platform/errors';
import { exportJson, EXPORT_PAGE_PATH } from '@newsfacts/platform/export-pages';
import { sendError } from '@newsfacts/platform/http';
import type { Logger } from '@newsfacts/platform/logger';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { encodePrincipal } from '@newsfacts/platform/signing';
import { CHANGE_LOG_HEAD_PATH } from '@newsfacts/platform/subgraph';
import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { GatewayConfig } from './config';
import { callerOf } from './context';
import { toForwarded } from './security/principal';
import type { Quotas } from './security/quotas';
import { askSubgraphRoute } from './subgraph-routes';

/** Each exported type, in the order an export gives them, with the service that owns it. */
export const EXPORT_TYPES = {
  Place: 'events',
  Event: 'events',
  Actor: 'actors',
  Source: 'statements',
  Claim: 'statements',
  Statement: 'statements',
} as const satisfies Record<string, FactSubgraphName>;
type ExportType = keyof typeof EXPORT_TYPES;
const ALL_TYPES = Object.keys(EXPORT_TYPES) as ExportType[];

const FEEDS = { events: 'eventChanges', actors: 'actorChanges', statements: 'statementChanges' } as const;

const resumeToken = z.object({
  v: z.literal(1),
  feeds: z.record(z.string(), z.string().nullable()),
  types: z.array(z.enum(ALL_TYPES as [ExportType, ...ExportType[]])).min(1),
  /** The type being read, as an index into `types`. */
  at: z.number().int().min(0),
  /** The last id given of that type. */
  after: z.string().regex(UUID_PATTERN).optional(),
  records: z.number().int().min(0),
});
type ResumeToken = z.infer<typeof resumeToken>;

const encodeToken = (token: ResumeToken) => Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
function decodeToken(text: string): ResumeToken | null {
  try {
    const parsed = resumeToken.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface ExportRouteOptions {
  config: GatewayConfig;
  quotas: Quotas;
  logger: Logger;
  authenticate: express.RequestHandler;
}

export function exportRoute({ config, quotas, logger, authenticate }: ExportRouteOptions): express.RequestHandler[] {
  const handler: express.RequestHandler = async (req, res) => {
    const principal = callerOf(res);
    if (principal.kind === 'anonymous') {
      return sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'The export needs an API key with the read scope.');
    }
    if (!principal.scopes.includes('READ') || principal.browser) {
      return sendError(res, 403, ErrorCode.FORBIDDEN, 'The export needs a partner key with the read scope.');
    }
    const forwarded = encodePrincipal(toForwarded(principal));
    const ask = <Answer>(subgraph: FactSubgraphName, path: string, body: unknown): Promise<Answer> =>
      askSubgraphRoute<Answer>({
        subgraph,
        url: config.subgraphUrls[subgraph],
        path,
        body,
        principal: forwarded,
        signingSecret: config.signingSecret,
        timeoutMs: config.subgraphTimeoutMs,
      });

    // What to read: a resume token, or the types asked for (all of them by default).
    let token: ResumeToken;
    const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',').filter(Boolean) : undefined;
    if (typeof req.query.resume === 'string') {
      const decoded = decodeToken(req.query.resume);
      if (!decoded) return sendError(res, 400, ErrorCode.BAD_USER_INPUT, 'resume is not a token this export gave.');
      token = decoded;
    } else {
      const asked = typeof req.query.types === 'string' ? req.query.types.split(',').filter(Boolean) : ALL_TYPES;
      const unknown = asked.filter((type) => !(type in EXPORT_TYPES));
      if (unknown.length || !asked.length) {
        return sendError(
          res,
          400,
          ErrorCode.BAD_USER_INPUT,
          `types is a comma-separated list of ${ALL_TYPES.join(', ')}; ${unknown.join(', ') || 'none'} is not one.`,
        );
      }
      if (ids && (ids.length > config.exportPageSize || ids.some((id) => !UUID_PATTERN.test(id)))) {
        return sendError(
          res,
          400,
          ErrorCode.BAD_USER_INPUT,
          `ids is a comma-separated list of at most ${config.exportPageSize} record ids.`,
        );
      }
      token = { v: 1, feeds: {}, types: asked as ExportType[], at: 0, records: 0 };
    }
    const quota = await quotas.consumeHourly('exports', `key:${principal.keyId}`, config.exportsPerHour);
    if (!quota.allowed) {
      res.setHeader('Retry-After', String(quota.retryAfterSeconds));
      return sendError(
        res,
        429,
        ErrorCode.RATE_LIMITED,
        `This key has used its ${config.exportsPerHour} exports this hour; retry in ${quota.retryAfterSeconds} s.`,
      );
    }

    const write = (line: unknown) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed) return reject(new Error('the client went away'));
        // Backpressure: the next page is read only once the client has taken this one.
        if (res.write(`${exportJson(line)}\n`)) resolve();
        else {
          res.once('drain', resolve);
          res.once('close', () => reject(new Error('the client went away')));
        }
      });
    try {
      // The feeds' cursors first, before any record is read (a resumed export keeps its own).
      if (!Object.keys(token.feeds).length && !ids) {
        const services = [...new Set(token.types.map((type) => EXPORT_TYPES[type]))];
        const heads = await Promise.all(
          services.map(
            async (service) =>
              [
                FEEDS[service],
                (await ask<{ cursor: string | null }>(service, CHANGE_LOG_HEAD_PATH, {})).cursor,
              ] as const,
          ),
        );
        token.feeds = Object.fromEntries(heads);
      }
      res.status(200).type('application/x-ndjson').setHeader('cache-control', 'no-store');
      await write({ kind: 'cursor', feeds: token.feeds, resume: encodeToken(token) });
      for (; token.at < token.types.length; token = { ...token, at: token.at + 1, after: undefined }) {
        const type = token.types[token.at]!;
        for (;;) {
          const { rows } = await ask<{ rows: Array<{ id: string }> }>(EXPORT_TYPES[type], EXPORT_PAGE_PATH, {
            type,
            after: token.after,
            ids,
            limit: config.exportPageSize,
          });
          for (const record of rows) await write({ kind: 'record', type, record });
          if (!rows.length) break;
          token = { ...token, after: rows.at(-1)!.id, records: token.records + rows.length };
          await write({ kind: 'checkpoint', resume: encodeToken(token) });
          if (rows.length < config.exportPageSize) break;
        }
      }
      await write({ kind: 'end', records: token.records });
      res.end();
    } catch (error) {
      logger.warn({ err: error, requestId: res.locals.requestId }, 'export stopped');
      // Headers are gone once a line was written: ending without the end line tells the client to resume.
      if (!res.headersSent)
        sendError(res, 503, ErrorCode.SERVICE_UNAVAILABLE, 'The export cannot be made right now; try again shortly.');
      else res.destroy();
    }
  };
  return [authenticate, handler];
}
