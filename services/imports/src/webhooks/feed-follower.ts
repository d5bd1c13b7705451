// Follows the three fact services' change feeds and queues a delivery per entry and subscription
// that wants it. The queue rows and the feed's new cursor are written in one transaction: a crash
// before it commits reads the page again, a crash after finds it queued, so no entry is lost or
// skipped. The cursor is only moved from where this page was read; another imports process that
// moved it first wins, and this page is dropped (its rows, had they been written, would be the same).
import { randomUUID } from 'node:crypto';
import { CHANGE_LOG_RETENTION_DAYS, decodeCursor } from '@newsfacts/platform/change-feed';
import type { Logger } from '@newsfacts/platform/logger';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { SubgraphName } from '@newsfacts/platform/service-config';
import type { ImportsPrisma } from '../db';
import { CursorExpiredError, feedHead, readChangePage, type ChangePage } from '../owner-routes';
import type { Prisma } from '../generated/prisma/client.ts';
import {
  FEEDS,
  follows,
  isAboutClaim,
  planDeliveries,
  SYNC_REQUIRED,
  syncRequiredPayload,
  type ClaimFacts,
  type Feed,
  type FeedEntry,
} from './matching';

const PAGE = 200;

export interface FollowerDeps {
  prisma: ImportsPrisma;
  peers: PeerClient;
  logger: Logger;
  signingSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Told when a feed refused the follower's cursor as expired and sync.required was queued. */
  onFeedExpired?: (feed: Feed) => void;
}

class CursorMoved extends Error {}

/** With no subscription enabled, the feeds are not read, only their cursors moved to the end now and then. */
const IDLE_ADVANCE_MS = 10 * 60_000;
let idleAdvancedAt = 0;

/** Reads every feed up to its end once; answers how many deliveries it queued. */
export async function followFeeds(deps: FollowerDeps): Promise<number> {
  // Nobody listening: reading the services' feeds every poll would only load them. The cursors
  // still move to the feeds' ends now and then, so that they never fall past the feeds'
  // retention, and a subscription made meanwhile hears only of what changed after it was made.
  if (!(await deps.prisma.webhookSubscription.count({ where: { enabled: true } }))) {
    if (Date.now() - idleAdvancedAt < IDLE_ADVANCE_MS) return 0;
    idleAdvancedAt = Date.now();
    for (const feed of FEEDS) {
      try {
        const cursor = await feedHead(deps, feed);
        await deps.prisma.webhookFeedCursor.upsert({ where: { feed }, create: { feed, cursor }, update: { cursor } });
      } catch (error) {
        deps.logger.warn({ feed, err: error }, 'could not move an idle change-feed cursor; trying again later');
      }
    }
    return 0;
  }
  idleAdvancedAt = 0;
  let queued = 0;
  for (const feed of FEEDS) {
    try {
      queued += await followFeed(deps, feed);
    } catch (error) {
      deps.logger.warn({ feed, err: error }, 'could not follow a change feed; trying again shortly');
    }
  }
  return queued;
}

async function followFeed(deps: FollowerDeps, feed: Feed): Promise<number> {
  const { prisma } = deps;
  let queued = 0;
  for (;;) {
    const state = await prisma.webhookFeedCursor.findUnique({ where: { feed } });
    if (!state) {
      // First start: subscriptions get what changes from now on, not the feed's whole past.
      const cursor = await feedHead(deps, feed);
      await prisma.webhookFeedCursor.createMany({ data: [{ feed, cursor }], skipDuplicates: true });
      continue;
    }
    let page: ChangePage;
    try {
      page = await readChangePage(deps, feed, state.cursor, PAGE);
    } catch (error) {
      if (!(state.cursor && isCursorExpired(error))) throw error;
      queued += await resync(deps, feed, state.cursor);
      continue;
    }
    if (!page.nodes.length) {
      await keepFresh(deps, feed, state.cursor, page.endCursor);
      return queued;
    }
    const subscriptions = await prisma.webhookSubscription.findMany({
      where: { enabled: true },
      select: { id: true, types: true, operations: true, eventId: true, contestedOnly: true, createdAt: true },
    });
    const needFacts = subscriptions.some((rule) => rule.eventId || rule.contestedOnly);
    const facts = needFacts ? await claimFacts(deps.peers, page.nodes.filter(isAboutClaim)) : new Map();
    const claimIds = [...new Set([...facts.values()].map((known: ClaimFacts) => known.claimId))];
    const contestedBefore = new Set(
      claimIds.length
        ? (await prisma.webhookContestedClaim.findMany({ where: { claimId: { in: claimIds } } })).map(
            (row) => row.claimId,
          )
        : [],
    );
    const plan = planDeliveries(feed, page.nodes, subscriptions, facts, contestedBefore);
    try {
      await prisma.$transaction(async (tx) => {
        const moved = await tx.webhookFeedCursor.updateMany({
          where: { feed, cursor: state.cursor },
          data: { cursor: page.endCursor },
        });
        if (moved.count !== 1) throw new CursorMoved();
        if (plan.deliveries.length) {
          await tx.webhookDelivery.createMany({
            data: plan.deliveries.map((delivery) => ({
              id: randomUUID(),
              subscriptionId: delivery.subscriptionId,
              feed,
              cursor: delivery.cursor,
              type: delivery.type,
              payload: delivery.payload as unknown as Prisma.InputJsonValue,
            })),
            skipDuplicates: true,
          });
        }
        const settled = [...contestedBefore].filter((id) => !plan.contestedNow.has(id));
        const added = [...plan.contestedNow].filter((id) => !contestedBefore.has(id));
        if (settled.length) await tx.webhookContestedClaim.deleteMany({ where: { claimId: { in: settled } } });
        if (added.length) {
          await tx.webhookContestedClaim.createMany({
            data: added.map((claimId) => ({ claimId })),
            skipDuplicates: true,
          });
        }
      });
    } catch (error) {
      if (error instanceof CursorMoved) continue;
      throw error;
    }
    queued += plan.deliveries.length;
    if (!page.hasNextPage) return queued;
  }
}

const isCursorExpired = (error: unknown) => error instanceof CursorExpiredError;

/**
 * The feed no longer holds the changes after the follower's cursor (the imports service was
 * away longer than the feeds' retention): they cannot be sent. Rather than retry for ever, every
 * enabled subscription that could have been sent one is told so once, with `sync.required`, and
 * following goes on from the feed's end now. Answers how many deliveries it queued.
 */
async function resync(deps: FollowerDeps, feed: Feed, expiredCursor: string): Promise<number> {
  const { prisma } = deps;
  const cursor = await feedHead(deps, feed);
  const told = (
    await prisma.webhookSubscription.findMany({
      where: { enabled: true },
      select: { id: true, types: true, eventId: true, contestedOnly: true },
    })
  ).filter((subscription) => follows(subscription, feed));
  const payload = syncRequiredPayload(feed, expiredCursor, cursor, new Date());
  try {
    await prisma.$transaction(async (tx) => {
      const moved = await tx.webhookFeedCursor.updateMany({ where: { feed, cursor: expiredCursor }, data: { cursor } });
      if (moved.count !== 1) throw new CursorMoved();
      await tx.webhookDelivery.createMany({
        data: told.map((subscription) => ({
          id: randomUUID(),
          subscriptionId: subscription.id,
          feed,
          cursor: cursor ?? expiredCursor,
          type: SYNC_REQUIRED,
          payload: payload as unknown as Prisma.InputJsonValue,
        })),
        skipDuplicates: true,
      });
    });
  } catch (error) {
    // Another imports process resynced first; its deliveries stand.
    if (error instanceof CursorMoved) return 0;
    throw error;
  }
  deps.logger.error(
    { feed, expiredCursor, cursor, subscriptions: told.length },
    `the ${feed} change feed refused the webhook cursor as older than its ${CHANGE_LOG_RETENTION_DAYS}-day retention: ` +
      'the changes since could not be sent; sync.required queued to every subscription that wanted them, following from the feed’s end',
  );
  deps.onFeedExpired?.(feed);
  return told.length;
}

/** How old a stored cursor may grow on a quiet feed before the feed's fresher one replaces it. */
const REFRESH_AFTER_MS = 86_400_000;

/**
 * Nothing new: the feed hands back the same place, stamped now. Stored once a day, so that a
 * feed quiet for a month does not leave the follower with a cursor past the retention.
 */
async function keepFresh(deps: FollowerDeps, feed: Feed, stored: string | null, fresh: string | null) {
  if (!stored || !fresh || fresh === stored) return;
  const storedAt = decodeCursor(stored)?.at ?? 0;
  if (Date.now() - storedAt < REFRESH_AFTER_MS) return;
  await deps.prisma.webhookFeedCursor.updateMany({ where: { feed, cursor: stored }, data: { cursor: fresh } });
}

interface ClaimAnswer {
  id: string;
  contested?: boolean;
  event?: { id: string } | null;
  claim?: { id: string; contested: boolean; event: { id: string } | null };
}

/**
 * The claim each Claim or Statement entry is about, its event and whether it is contested, as
 * the statements service says now: one batched request per page.
 */
async function claimFacts(peers: PeerClient, entries: FeedEntry[]): Promise<Map<string, ClaimFacts>> {
  const facts = new Map<string, ClaimFacts>();
  const asked = [...new Map(entries.map((entry) => [`${entry.entityType}:${entry.entityId}`, entry])).values()];
  if (!asked.length) return facts;
  const data = await peers.query<{ _entities: Array<ClaimAnswer | null> }>(
    'statements',
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Claim { id contested event { id } }
        ... on Statement { id claim { id contested event { id } } }
      }
    }`,
    { representations: asked.map((entry) => ({ __typename: entry.entityType, id: entry.entityId })) },
    null,
  );
  asked.forEach((entry, index) => {
    const answer = data._entities[index];
    const claim = answer?.claim ?? (answer && entry.entityType === 'Claim' ? answer : null);
    if (claim?.event && claim.contested !== undefined) {
      facts.set(entry.entityId, { claimId: claim.id, eventId: claim.event.id, contested: claim.contested });
    }
  });
  return facts;
}
