// The search index's part of the imports service's worker: polls the fact services' change-log
// signals every SEARCH_POLL_MS and applies a feed when its signal moved (indexer.ts). It builds
// the index when there is none, and again when a cursor fell past the feeds' retention. A
// rebuild asked for (rebuildSearchIndex, `npm run search:rebuild`) waits for the poll under way
// and holds the next ones back until it is done.
import { Counter, Gauge } from 'prom-client';
import { codedError, ErrorCode } from '@newsfacts/platform/errors';
import type { ServiceMetrics } from '@newsfacts/platform/metrics';
import type { Worker } from '@newsfacts/platform/subgraph';
import { changeLogSignal, CursorExpiredError } from '../owner-routes';
import { FEEDS, type Feed } from '../webhooks/matching';
import { wakeSignal } from '../wake';
import { applyFeed, IndexNotBuiltError, rebuildIndex, type RebuildResult, type SearchIndexDeps } from './indexer';

export interface SearchWorkerOptions extends SearchIndexDeps {
  metrics?: ServiceMetrics;
  pollMs: number;
}

type RebuildCause = 'requested' | 'no_index' | 'cursor_expired';

let running: { rebuild(cause: RebuildCause): Promise<RebuildResult> } | undefined;

/** Rebuilds the index in this process, between two polls of its follower. */
export function rebuildSearchIndex(): Promise<RebuildResult> {
  if (!running) {
    throw codedError(ErrorCode.SERVICE_UNAVAILABLE, 'The search index is not kept by this process; try again shortly.');
  }
  return running.rebuild('requested');
}

export function startSearchWorker(options: SearchWorkerOptions): Worker {
  const log = options.logger.child({ worker: 'search' });
  const deps: SearchIndexDeps = { ...options, logger: log };
  /** The signal each feed was last applied at. */
  const appliedAt = new Map<Feed, string>();
  /** Since when (ms) each feed's signal has moved past what the index applied. */
  const behindSince = new Map<Feed, number>();
  if (options.metrics) {
    new Gauge({
      name: 'newsfacts_search_index_lag_seconds',
      help: 'How long the search index has known of changes in a feed it has not applied yet (0: caught up).',
      labelNames: ['feed'],
      registers: [options.metrics.registry],
      collect() {
        for (const feed of FEEDS) {
          const since = behindSince.get(feed);
          this.set({ feed }, since === undefined ? 0 : (Date.now() - since) / 1000);
        }
      },
    });
  }
  const rebuilds = options.metrics
    ? new Counter({
        name: 'newsfacts_search_index_rebuilds_total',
        help: 'Search index rebuilds, by cause: requested, no_index (first start or emptied), cursor_expired.',
        labelNames: ['cause'],
        registers: [options.metrics.registry],
      })
    : null;
  const applied = options.metrics
    ? new Counter({
        name: 'newsfacts_search_index_entries_total',
        help: 'Change-feed entries the search index read, by feed.',
        labelNames: ['feed'],
        registers: [options.metrics.registry],
      })
    : null;

  // One thing at a time: a poll, or a rebuild.
  let busy: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const next = busy.then(work, work);
    busy = next.catch(() => {});
    return next;
  };

  const rebuild = async (cause: RebuildCause): Promise<RebuildResult> => {
    log.info({ cause }, 'rebuilding the search index from the services’ exports');
    const result = await rebuildIndex(deps);
    rebuilds?.inc({ cause });
    // Every feed is read again from the new cursors at the next poll.
    appliedAt.clear();
    log.info({ cause, ...result }, `search index rebuilt: ${result.documents} documents in ${result.seconds} s`);
    return result;
  };

  /** Why the index must be built before the feeds can be followed again, once this poll is over. */
  let mustRebuild: RebuildCause | undefined;
  /** Feeds that failed at their last poll: said when it starts and when it ends, not at every poll. */
  const failing = new Set<Feed>();

  const poll = async () => {
    await Promise.all(
      FEEDS.map(async (feed) => {
        try {
          // Read before the feed: a write committed after this moves it again, so is not missed.
          const signal = await changeLogSignal(deps, feed);
          if (appliedAt.get(feed) === signal) return;
          if (!behindSince.has(feed)) behindSince.set(feed, Date.now());
          applied?.inc({ feed }, await applyFeed(deps, feed));
          appliedAt.set(feed, signal);
          behindSince.delete(feed);
          if (failing.delete(feed)) log.info({ feed }, 'the search index follows the feed again');
        } catch (error) {
          if (error instanceof IndexNotBuiltError) {
            mustRebuild ??= 'no_index';
          } else if (error instanceof CursorExpiredError) {
            log.warn({ feed, err: error }, 'the search index fell past the change log’s retention; rebuilding it');
            mustRebuild = 'cursor_expired';
          } else if (!failing.has(feed)) {
            failing.add(feed);
            log.warn(
              { feed, err: error },
              'could not bring the search index up to date with a feed; trying at each poll',
            );
          }
        }
      }),
    );
    if (mustRebuild) {
      const cause = mustRebuild;
      mustRebuild = undefined;
      await rebuild(cause).catch((error: unknown) => {
        mustRebuild ??= cause;
        log.warn({ err: error, cause }, 'could not rebuild the search index; trying again shortly');
      });
    }
  };

  let stopping = false;
  const wake = wakeSignal();
  const loop = async () => {
    while (!stopping) {
      await exclusively(poll);
      await wake.wait(options.pollMs);
    }
  };
  running = { rebuild: (cause) => exclusively(() => rebuild(cause)) };
  const looping = loop();
  return {
    async stop() {
      stopping = true;
      running = undefined;
      wake.notify();
      await looping;
    },
  };
}
