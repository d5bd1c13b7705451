// A response cache for read operations: the answer to a query, kept under the operation, its
// variables and the caller's scopes, so a key never sees what its scopes would not allow.
//
// How long: the subgraphs' @cacheControl hints. Each subgraph's answer says how long it may be
// kept (Cache-Control), Apollo's gateway folds them into the request's cache policy (the
// smallest maxAge wins), and an answer is kept that long, at most RESPONSE_CACHE_TTL_SECONDS.
// A maxAge of 0 (a change feed, anything without a hint) or a PRIVATE scope is never kept;
// neither are errors and partial answers.
//
// Until what: each answer is tagged with the records it holds and the kinds of change that can
// alter it (cache-tags.ts), and is dropped when one of its tags is. Tags are dropped
//  - by a mutation through any gateway, before its answer leaves: each subgraph's answer to a
//    mutation lists the changes it logged (change-notices.ts), merges' moves in other services
//    included. A mutation fetch that brings no such list (it failed, or timed out) drops
//    everything, since what it wrote is unknown;
//  - by the change logs, for writes that did not pass through a gateway (an import's): every
//    RESPONSE_CACHE_POLL_MS each subgraph's log signal is read (one cheap statement), and only
//    when it moved are the new entries read. Where the gateways got to in each log is kept in
//    the store, so a gateway that starts goes on from there; until it follows every log it
//    serves nothing from the cache. (A mutation's changes come round this way too, a moment
//    after it dropped them itself: the second drop costs a few misses, nothing else.)
// Dropping is a sequence: the store counts drops, an answer records where the count stood
// before it was made, and a tag records the drop that last named it. An answer is served only
// if none of its tags was dropped after it was begun, so an answer made while a write was
// committing is never served, even if it was stored after the write's drop.
// So once a mutation has answered, no gateway sharing the store serves an answer from before it.
// Answers and drops live in Redis when REDIS_URL is set (every replica sees one store), in
// memory otherwise.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { getOperationAST } from 'graphql';
import type { Redis } from 'ioredis';
import type { ChangeNotice } from '@newsfacts/platform/change-notices';
import { badUserInput } from '@newsfacts/platform/errors';
import {
  CHANGE_LOG_ENTRIES_PATH,
  CHANGE_LOG_HEAD_PATH,
  CHANGE_LOG_SIGNAL_PATH,
  type ChangeLogEntries,
} from '@newsfacts/platform/subgraph';
import { FACT_SUBGRAPHS, type FactSubgraphName } from '@newsfacts/platform/service-config';
import { encodePrincipal } from '@newsfacts/platform/signing';
import type { Logger } from '@newsfacts/platform/logger';
import {
  EVERYTHING_TAG,
  ID_ALIAS,
  prepareQuery,
  tagsOfChange,
  takeRecordTags,
  TYPENAME_ALIAS,
  usesCacheAliases,
  type PreparedQuery,
} from './cache-tags';
import type { GatewayContext } from './context';
import type { GatewayMetrics } from './metrics';
import { askSubgraphRoute } from './subgraph-routes';

export interface CachedAnswer {
  /** The drop count before the answer was begun: a tag dropped later makes it stale. */
  asOf: number;
  tags: string[];
  /** When it stops being served (ms since the epoch): what is left of it is its Cache-Control max-age. */
  expiresAt: number;
  /** The GraphQL result as sent: data only, never errors. */
  result: { data: Record<string, unknown> };
}

/**
 * The longest a dropped tag is remembered: the longest an answer can be kept
 * (RESPONSE_CACHE_TTL_SECONDS at most), so no answer outlives the drop that made it stale.
 */
export const DROPS_KEPT_SECONDS = 86_400;

/** Where answers and drops are kept. */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlSeconds: number): Promise<void>;
  /** The drop count as it stands: read before an answer is made. */
  dropCount(): Promise<number>;
  /** The drop that last named each tag (0: none it remembers). */
  droppedAt(tags: readonly string[]): Promise<number[]>;
  /** Drops every answer that carries one of the tags, on every gateway sharing the store. */
  drop(tags: readonly string[]): Promise<void>;
  /**
   * Where a subgraph's change log has been followed to by a gateway sharing the store: a gateway
   * that starts goes on from there, so that a write made while no gateway ran is not passed over.
   * Undefined when none has ('' is the start of an empty log).
   */
  followedTo(subgraph: string): Promise<string | undefined>;
  setFollowedTo(subgraph: string, cursor: string): Promise<void>;
}

export type Lookup = { result: 'hit'; answer: CachedAnswer } | { result: 'miss' | 'stale'; answer?: undefined };

/** A kept answer, if nothing it holds has changed since it was begun. */
export async function lookup(store: ResponseCacheStore, key: string, now = Date.now()): Promise<Lookup> {
  const answer = await store.get(key);
  if (!answer || answer.expiresAt <= now) return { result: 'miss' };
  return (await stillServed(store, answer, now)) ? { result: 'hit', answer } : { result: 'stale' };
}

/** Whether a kept answer may still be served: not expired, and no tag it carries dropped since it was begun. */
export async function stillServed(store: ResponseCacheStore, answer: CachedAnswer, now = Date.now()): Promise<boolean> {
  if (answer.expiresAt <= now) return false;
  const drops = await store.droppedAt(answer.tags);
  return drops.every((drop) => drop <= answer.asOf);
}

export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly answers: InMemoryLRUCache<CachedAnswer>;
  private drops = 0;
  private readonly dropped = new Map<string, { drop: number; at: number }>();
  private nextSweep = 10_000;
  private readonly followed = new Map<string, string>();

  constructor(maxMiB: number, onEviction: () => void) {
    this.answers = new InMemoryLRUCache<CachedAnswer>({
      maxSize: maxMiB * 2 ** 20,
      sizeCalculation: InMemoryLRUCache.sizeCalculation,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') onEviction();
      },
    });
  }

  get = (key: string) => this.answers.get(key);
  set = (key: string, answer: CachedAnswer, ttlSeconds: number) => this.answers.set(key, answer, { ttl: ttlSeconds });
  dropCount = async () => this.drops;
  droppedAt = async (tags: readonly string[]) => tags.map((tag) => this.dropped.get(tag)?.drop ?? 0);

  followedTo = async (subgraph: string) => this.followed.get(subgraph);
  setFollowedTo = async (subgraph: string, cursor: string) => void this.followed.set(subgraph, cursor);

  drop = async (tags: readonly string[], now = Date.now()) => {
    const drop = ++this.drops;
    for (const tag of tags) this.dropped.set(tag, { drop, at: now });
    if (this.dropped.size >= this.nextSweep) {
      // No answer lives longer than a drop is remembered, so an older drop matters to none.
      for (const [tag, { at }] of this.dropped) if (now - at > DROPS_KEPT_SECONDS * 1000) this.dropped.delete(tag);
      this.nextSweep = Math.max(10_000, this.dropped.size * 2);
    }
  };
}

export class RedisResponseCacheStore implements ResponseCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string) {
    const stored = await this.redis.get(`${this.prefix}:response:${key}`);
    return stored ? (JSON.parse(stored) as CachedAnswer) : undefined;
  }

  async set(key: string, answer: CachedAnswer, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:response:${key}`, JSON.stringify(answer), 'EX', ttlSeconds);
  }

  async dropCount() {
    return Number((await this.redis.get(this.countKey)) ?? 0);
  }

  async droppedAt(tags: readonly string[]) {
    if (!tags.length) return [];
    const values = await this.redis.mget(tags.map((tag) => this.tagKey(tag)));
    return values.map((value) => Number(value ?? 0));
  }

  async drop(tags: readonly string[]) {
    if (!tags.length) return;
    // The count first, then the tags: an answer begun after the count moved read the write already.
    const drop = await this.redis.incr(this.countKey);
    const multi = this.redis.multi();
    for (const tag of tags) multi.set(this.tagKey(tag), drop, 'EX', DROPS_KEPT_SECONDS);
    await multi.exec();
  }

  async followedTo(subgraph: string) {
    return (await this.redis.get(`${this.prefix}:response-followed:${subgraph}`)) ?? undefined;
  }

  async setFollowedTo(subgraph: string, cursor: string) {
    // Kept as long as the change log keeps its entries: an older cursor is refused anyway.
    await this.redis.set(`${this.prefix}:response-followed:${subgraph}`, cursor, 'EX', 30 * 86_400);
  }

  private get countKey() {
    return `${this.prefix}:response-drops`;
  }

  private tagKey(tag: string) {
    return `${this.prefix}:response-dropped:${tag}`;
  }
}

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  /** The longest an answer is kept, whatever its hints allow. */
  ttlSeconds: number;
  metrics: GatewayMetrics;
  logger: Logger;
  /**
   * Whether this gateway follows every change log (watchChangeLogs): until it does, a write
   * made while it was not looking may not have been dropped, so it serves nothing from the cache.
   */
  followingChanges: () => boolean;
}

/** What the subgraphs said they changed, for each request that sent them a mutation. */
const mutationChanges = new WeakMap<object, { unconfirmed: number; notices: ChangeNotice[] }>();

/** The gateway calls this before it sends a mutation fetch. */
export function noteMutationFetch(contextValue: object): void {
  const noted = mutationChanges.get(contextValue) ?? { unconfirmed: 0, notices: [] };
  noted.unconfirmed += 1;
  mutationChanges.set(contextValue, noted);
}

/** The gateway calls this with a subgraph's answer to a mutation fetch: the changes it lists, if it lists them. */
export function noteMutationAnswer(contextValue: object, notices: ChangeNotice[] | undefined): void {
  const noted = mutationChanges.get(contextValue);
  if (!noted || !notices) return;
  noted.unconfirmed -= 1;
  noted.notices.push(...notices);
}

/** Where a request's answer is kept: its operation, variables and the caller's scopes. */
export const cacheKey = (context: GraphQLRequestContext<GatewayContext>) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        context.source ?? '',
        context.operationName ?? null,
        context.request.variables ?? {},
        [...context.contextValue.principal.scopes].sort(),
      ]),
    )
    .digest('base64url');

/** Put it before the plugins that read the answer (http-caching's ETag): it takes its own fields out first. */
export function responseCache(options: ResponseCacheOptions): ApolloServerPlugin<GatewayContext> {
  const { store, metrics, logger } = options;
  return {
    async requestDidStart() {
      let key: string | undefined;
      let asOf: number | undefined;
      let prepared: PreparedQuery | undefined;
      let served = false;
      return {
        async didResolveOperation({ document }) {
          if (usesCacheAliases(document)) {
            throw badUserInput(
              `The aliases ${TYPENAME_ALIAS} and ${ID_ALIAS} are the gateway's own: choose other names for those fields.`,
              { http: { status: 400 } },
            );
          }
        },
        async responseForOperation(context) {
          if (context.operation.operation !== 'query') return null;
          prepared = prepareQuery(context.schema, context.document);
          key = cacheKey(context);
          try {
            const found = options.followingChanges() ? await lookup(store, key) : { result: 'miss' as const };
            metrics.responseCacheLookups.inc({ result: found.result });
            if (found.answer) {
              served = true;
              context.response.http.headers.set('x-cache', 'HIT');
              // What is left of its life is what a browser or a CDN may keep it (http-caching.ts).
              context.overallCachePolicy.replace({
                maxAge: Math.max(0, Math.floor((found.answer.expiresAt - Date.now()) / 1000)),
                scope: 'PUBLIC',
              });
              return { http: context.response.http, body: { kind: 'single', singleResult: found.answer.result } };
            }
            // Read before the answer is made: a change meanwhile leaves it stored as already stale.
            asOf = await store.dropCount();
          } catch (error) {
            key = undefined;
            logger.warn({ err: error }, 'response cache unavailable; answering without it');
          }
          context.response.http.headers.set('x-cache', 'MISS');
          // Every query runs prepared, cache or no cache: the gateway keeps one query plan per query text.
          const writable = context as { document: typeof prepared.document; operation: typeof context.operation };
          writable.document = prepared.document;
          writable.operation = getOperationAST(prepared.document, context.operationName) ?? context.operation;
          return null;
        },
        async willSendResponse(context) {
          const { response, operation, errors } = context;
          if (operation?.operation === 'mutation') return dropWhatChanged(context.contextValue);
          if (!prepared || served || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          // First, and before any await: the answer leaves without our fields whatever becomes of it.
          const records = takeRecordTags(result.data);
          if (!key || asOf === undefined) return;
          if (errors?.length || result.errors?.length || result.data == null) return;
          if ((response.http.status ?? 200) !== 200) return;
          const policy = context.overallCachePolicy.policyIfCacheable();
          if (!policy || policy.scope !== 'PUBLIC') return;
          const ttlSeconds = Math.min(policy.maxAge, options.ttlSeconds);
          const answer: CachedAnswer = {
            asOf,
            tags: [...prepared.tags, ...records],
            expiresAt: Date.now() + ttlSeconds * 1000,
            result: { data: result.data },
          };
          try {
            await store.set(key, answer, ttlSeconds);
            metrics.responseCacheStores.inc();
          } catch (error) {
            logger.warn({ err: error }, 'could not store an answer in the response cache');
          }
        },
      };
    },
  };

  /** Before a mutation's answer leaves: no read after it may be served from before it. */
  async function dropWhatChanged(contextValue: object) {
    const noted = mutationChanges.get(contextValue);
    if (!noted) return;
    const unconfirmed = noted.unconfirmed > 0;
    const tags = unconfirmed ? [EVERYTHING_TAG] : [...new Set(noted.notices.flatMap(tagsOfChange))];
    if (!tags.length) return;
    try {
      await store.drop(tags);
      metrics.responseCacheInvalidations.inc({ reason: unconfirmed ? 'unconfirmed-mutation' : 'mutation' });
    } catch (error) {
      logger.error({ err: error }, 'could not invalidate the response cache after a mutation');
    }
  }
}

/** Where the gateway stands in one subgraph's change log. */
interface Following {
  signal?: string;
  /** The feed cursor read up to ('' for the start); undefined until this gateway has found its place. */
  cursor?: string;
  /** The log held entries the feed did not serve yet: read again, signal or not. */
  heldBack: boolean;
  /** The gateway lost its place (the feed could not be read): drop everything once it has a new one. */
  lost: boolean;
}

/** Entries read at once; a bigger backlog is read page by page. */
const ENTRIES_PAGE = 1_000;

/**
 * Follows each fact subgraph's change log and drops what its new entries changed: writes that
 * reach a subgraph without a gateway (an import) reach the cache within `intervalMs`.
 */
export function watchChangeLogs(options: {
  store: ResponseCacheStore;
  subgraphUrls: Record<FactSubgraphName, string>;
  signingSecret: string;
  intervalMs: number;
  metrics: GatewayMetrics;
  logger: Logger;
}): { stop(): void; pollNow(): Promise<void>; following(): boolean } {
  const following = new Map<FactSubgraphName, Following>(
    FACT_SUBGRAPHS.map((name) => [name, { heldBack: false, lost: false }]),
  );
  const principal = encodePrincipal({ kind: 'anonymous', scopes: ['READ'] });
  const ask = <T>(name: FactSubgraphName, path: string, body: unknown): Promise<T> =>
    askSubgraphRoute<T>({
      subgraph: name,
      url: options.subgraphUrls[name],
      path,
      body,
      principal,
      signingSecret: options.signingSecret,
      timeoutMs: 2_000,
    });
  const drop = async (tags: string[], reason: string) => {
    await options.store.drop(tags);
    options.metrics.responseCacheInvalidations.inc({ reason });
  };
  const follow = async (name: FactSubgraphName) => {
    const state = following.get(name)!;
    let signal: string;
    try {
      ({ signal } = await ask<{ signal: string }>(name, CHANGE_LOG_SIGNAL_PATH, {}));
    } catch (error) {
      options.logger.debug({ err: error, subgraph: name }, 'change log not read this time');
      return;
    }
    try {
      if (state.cursor === undefined) {
        const followed = state.lost ? undefined : await options.store.followedTo(name);
        if (followed === undefined) {
          // No place to go on from: from the head on, and whatever came before it is dropped.
          const { cursor } = await ask<{ cursor: string | null }>(name, CHANGE_LOG_HEAD_PATH, {});
          state.cursor = cursor ?? '';
          state.signal = signal;
          await drop([EVERYTHING_TAG], 'change-log-lost');
          await options.store.setFollowedTo(name, state.cursor);
          state.lost = false;
          return;
        }
        // Where the gateways sharing the store got to: read on from there, whatever the signal says.
        state.cursor = followed;
        state.signal = undefined;
      }
      if (signal === state.signal && !state.heldBack) return;
      state.signal = signal;
      let page: ChangeLogEntries;
      do {
        page = await ask<ChangeLogEntries>(name, CHANGE_LOG_ENTRIES_PATH, { after: state.cursor, first: ENTRIES_PAGE });
        const tags = [...new Set(page.nodes.flatMap(tagsOfChange))];
        if (tags.length) await drop(tags, 'change-log');
        state.cursor = page.endCursor ?? '';
      } while (page.hasNextPage);
      state.heldBack = page.heldBack;
      await options.store.setFollowedTo(name, state.cursor);
    } catch (error) {
      // Its place is unknown now (an expired cursor, an outage mid-read): start from the head
      // again, and drop everything then, since what came between is unknown.
      options.logger.warn({ err: error, subgraph: name }, 'change log could not be followed; starting again');
      state.cursor = undefined;
      state.lost = true;
    }
  };
  const followingAll = () => [...following.values()].every((state) => state.cursor !== undefined);
  const poll = async () => {
    await Promise.all(FACT_SUBGRAPHS.map(follow));
    options.metrics.responseCacheFollowing.set(followingAll() ? 1 : 0);
  };
  let running = poll();
  const timer = setInterval(() => {
    running = running.then(poll);
  }, options.intervalMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    pollNow: () => (running = running.then(poll)),
    following: followingAll,
  };
}
