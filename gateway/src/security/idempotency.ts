// Safe retries of writes, with the semantics of Stripe's API and the IETF Idempotency-Key draft:
// a request carrying `Idempotency-Key` is run once per caller and key. A retry with the same
// body gets the first answer again (`Idempotent-Replayed: true`); one with another body is
// refused (422); one that arrives while the first is still running is refused (409). Answers
// are kept at least IDEMPOTENCY_TTL_HOURS; outages (5xx) and 429s are not kept, so a retry
// after them runs for real. The store is Redis when configured, so gateway replicas share it.
import { createHash } from 'node:crypto';
import type express from 'express';
import type { Redis } from 'ioredis';
import { ErrorCode } from '@newsfacts/platform/errors';
import { sendError, type RequestWithRawBody } from '@newsfacts/platform/http';
import { callerOf } from '../context';
import { quotaSubject } from './principal';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** A finished answer, as replayed. */
export interface StoredAnswer {
  status: number;
  contentType: string;
  body: string;
}

type Entry = { state: 'running'; fingerprint: string } | { state: 'done'; fingerprint: string; answer: StoredAnswer };

export interface IdempotencyStore {
  /** Claims `key` for a run, or tells what holds it already. */
  claim(key: string, fingerprint: string, runningMs: number): Promise<Entry | null>;
  complete(key: string, entry: Extract<Entry, { state: 'done' }>, keepMs: number): Promise<void>;
  release(key: string): Promise<void>;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string, fingerprint: string, runningMs: number): Promise<Entry | null> {
    const running: Entry = { state: 'running', fingerprint };
    const claimed = await this.redis.set(this.name(key), JSON.stringify(running), 'PX', runningMs, 'NX');
    if (claimed === 'OK') return null;
    const held = await this.redis.get(this.name(key));
    // Expired between the two calls: the caller may retry; answering "running" is the safe side.
    return held ? (JSON.parse(held) as Entry) : running;
  }

  async complete(key: string, entry: Extract<Entry, { state: 'done' }>, keepMs: number): Promise<void> {
    await this.redis.set(this.name(key), JSON.stringify(entry), 'PX', keepMs);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.name(key));
  }

  private name(key: string) {
    return `${this.prefix}:idempotency:${key}`;
  }
}

/** For a single gateway without Redis (development): the same rules, in this process only. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { entry: Entry; expiresAt: number }>();

  async claim(key: string, fingerprint: string, runningMs: number): Promise<Entry | null> {
    const held = this.entries.get(key);
    if (held && held.expiresAt > Date.now()) return held.entry;
    this.entries.set(key, { entry: { state: 'running', fingerprint }, expiresAt: Date.now() + runningMs });
    return null;
  }

  async complete(key: string, entry: Extract<Entry, { state: 'done' }>, keepMs: number): Promise<void> {
    this.sweep();
    this.entries.set(key, { entry, expiresAt: Date.now() + keepMs });
  }

  async release(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private sweep() {
    const now = Date.now();
    for (const [key, held] of this.entries) if (held.expiresAt <= now) this.entries.delete(key);
  }
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** How long answers are kept for replay. */
  keepMs: number;
  /** How long a run holds its key before a retry may start it again (beyond the request deadline). */
  runningMs: number;
}

/**
 * The guard: after authentication (keys are per caller) and body parsing (the fingerprint is
 * the body's SHA-256). Requests without the header pass untouched.
 */
export function idempotency(options: IdempotencyOptions): express.RequestHandler {
  return async (req, res, next) => {
    const idempotencyKey = req.header(IDEMPOTENCY_HEADER);
    if (idempotencyKey === undefined || req.method !== 'POST') return next();
    if (!KEY_PATTERN.test(idempotencyKey)) {
      return sendError(
        res,
        400,
        ErrorCode.BAD_REQUEST,
        'Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID.',
      );
    }
    try {
      const key = `${quotaSubject(callerOf(res))}:${idempotencyKey}`;
      const fingerprint = createHash('sha256')
        .update((req as RequestWithRawBody).rawBody ?? '')
        .digest('hex');
      const held = await options.store.claim(key, fingerprint, options.runningMs);
      if (held && held.fingerprint !== fingerprint) {
        return sendError(
          res,
          422,
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was used with another request body; use a new key for a new request.',
        );
      }
      if (held?.state === 'running') {
        res.setHeader('Retry-After', '1');
        return sendError(
          res,
          409,
          ErrorCode.CONFLICT,
          'A request with this Idempotency-Key is still running; retry once it has answered.',
        );
      }
      if (held?.state === 'done') {
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(held.answer.status).type(held.answer.contentType).send(held.answer.body);
        return;
      }
      keepAnswer(res, async (answer) => {
        if (answer && answer.status < 500 && answer.status !== 429) {
          await options.store.complete(key, { state: 'done', fingerprint, answer }, options.keepMs);
        } else await options.store.release(key);
      });
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Collects what the handlers send, and hands it over once the response is finished (null if it was not). */
function keepAnswer(res: express.Response, onDone: (answer: StoredAnswer | null) => Promise<void>) {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (chunk != null && typeof chunk !== 'function') {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding as BufferEncoding | undefined));
    }
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    collect(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    collect(chunk, rest[0]);
    return (end as (...args: unknown[]) => express.Response)(chunk, ...rest);
  }) as typeof res.end;
  let settled = false;
  const settle = (finished: boolean) => {
    if (settled) return;
    settled = true;
    const answer = finished
      ? {
          status: res.statusCode,
          contentType: String(res.getHeader('content-type') ?? 'application/json'),
          body: Buffer.concat(chunks).toString('utf8'),
        }
      : null;
    void onDone(answer).catch(() => {});
  };
  res.once('finish', () => settle(true));
  res.once('close', () => settle(res.writableFinished));
}
