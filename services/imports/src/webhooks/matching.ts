// Which subscriptions want which change-feed entries: plain functions over plain values. The
// follower (feed-follower.ts) gathers the values (subscriptions, what the statements service says
// of claims) and writes what these decide.

export const FEEDS = ['events', 'actors', 'statements'] as const;
export type Feed = (typeof FEEDS)[number];

export const ENTITY_TYPES = ['Event', 'Place', 'Actor', 'Claim', 'Statement', 'Source'] as const;
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'MERGE'] as const;

export interface FeedEntry {
  cursor: string;
  entityType: string;
  entityId: string;
  operation: string;
  at: string;
  fields: string[];
  survivorId: string | null;
}

export interface SubscriptionRule {
  id: string;
  types: string[];
  operations: string[];
  eventId: string | null;
  contestedOnly: boolean;
  /** When it was made: what changed before is not its to hear of. */
  createdAt?: Date;
}

/** What the statements service says, now, of the claim a Claim or Statement entry is about. */
export interface ClaimFacts {
  claimId: string;
  eventId: string;
  contested: boolean;
}

export interface PlannedDelivery {
  subscriptionId: string;
  type: string;
  cursor: string;
  payload: WebhookPayload;
}

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: {
    entityType: string;
    entityId: string;
    operation: string;
    fields: string[];
    survivorId: string | null;
    at: string;
    feed: Feed;
    cursor: string;
    /** For claim.contested: the change that made the claim contested. */
    cause?: { entityType: string; entityId: string; operation: string };
  };
}

const CLAIM_TYPES = new Set(['Claim', 'Statement']);
export const isAboutClaim = (entry: Pick<FeedEntry, 'entityType'>) => CLAIM_TYPES.has(entry.entityType);

const payloadOf = (
  feed: Feed,
  entry: FeedEntry,
  type = `${entry.entityType}.${entry.operation}`.toLowerCase(),
): WebhookPayload => ({
  type,
  timestamp: entry.at,
  data: {
    entityType: entry.entityType,
    entityId: entry.entityId,
    operation: entry.operation,
    fields: entry.fields,
    survivorId: entry.survivorId,
    at: entry.at,
    feed,
    cursor: entry.cursor,
  },
});

/**
 * An entry for an ordinary subscription: its type and operation wanted, and with an eventId
 * filter, a claim or statement whose claim is about that event (one the statements service no
 * longer knows, deleted since, cannot be placed and is not sent).
 */
export function wants(rule: SubscriptionRule, entry: FeedEntry, facts: ClaimFacts | undefined): boolean {
  if (rule.contestedOnly) return false;
  if (rule.createdAt && Date.parse(entry.at) < rule.createdAt.getTime()) return false;
  if (rule.types.length && !rule.types.includes(entry.entityType)) return false;
  if (rule.operations.length && !rule.operations.includes(entry.operation)) return false;
  if (rule.eventId) return isAboutClaim(entry) && facts?.eventId === rule.eventId;
  return true;
}

/**
 * The deliveries one page of a feed makes, and how the set of claims known to be contested
 * changes. A claim becomes contested when an entry about it (the claim or one of its
 * statements) finds it contested while the set does not hold it: that is `claim.contested`,
 * for contested-only subscriptions (of its event, when they name one).
 */
export function planDeliveries(
  feed: Feed,
  entries: FeedEntry[],
  rules: SubscriptionRule[],
  facts: ReadonlyMap<string, ClaimFacts>,
  contestedBefore: ReadonlySet<string>,
): { deliveries: PlannedDelivery[]; contestedNow: Set<string> } {
  const deliveries: PlannedDelivery[] = [];
  const contested = new Set(contestedBefore);
  const watchers = rules.filter((rule) => rule.contestedOnly);
  for (const entry of entries) {
    const known = isAboutClaim(entry) ? facts.get(entry.entityId) : undefined;
    for (const rule of rules) {
      if (wants(rule, entry, known)) {
        const payload = payloadOf(feed, entry);
        deliveries.push({ subscriptionId: rule.id, type: payload.type, cursor: entry.cursor, payload });
      }
    }
    if (!known) continue;
    if (known.contested && !contested.has(known.claimId)) {
      contested.add(known.claimId);
      for (const rule of watchers) {
        if (rule.eventId && rule.eventId !== known.eventId) continue;
        if (rule.createdAt && Date.parse(entry.at) < rule.createdAt.getTime()) continue;
        const payload = payloadOf(feed, entry, 'claim.contested');
        payload.data = {
          ...payload.data,
          entityType: 'Claim',
          entityId: known.claimId,
          operation: 'CONTESTED',
          fields: [],
          survivorId: null,
          cause: { entityType: entry.entityType, entityId: entry.entityId, operation: entry.operation },
        };
        deliveries.push({ subscriptionId: rule.id, type: payload.type, cursor: entry.cursor, payload });
      }
    } else if (!known.contested) {
      contested.delete(known.claimId);
    }
  }
  return { deliveries, contestedNow: contested };
}

/** The entity types each feed carries. */
export const FEED_TYPES: Record<Feed, readonly string[]> = {
  events: ['Event', 'Place'],
  actors: ['Actor'],
  statements: ['Source', 'Claim', 'Statement'],
};

export const SYNC_REQUIRED = 'sync.required';

/** Sent when changes could not be: the receiver re-exports, then carries on with the deliveries after it. */
export interface SyncRequiredPayload {
  type: typeof SYNC_REQUIRED;
  timestamp: string;
  data: {
    feed: Feed;
    /** Where following stopped: the changes after it, up to `cursor`, were never sent. */
    expiredCursor: string;
    /** Where following goes on: deliveries after this one are of changes after it. */
    cursor: string | null;
    /** Where to take the whole graph again (GET, with a read key). */
    export: string;
    reason: string;
  };
}

/** Whether a subscription could have been sent anything from `feed`: those are the ones told it missed some. */
export function follows(rule: Pick<SubscriptionRule, 'types' | 'eventId' | 'contestedOnly'>, feed: Feed): boolean {
  // Filters on claims (their event, becoming contested) pick from the statements feed only.
  if (rule.eventId || rule.contestedOnly) return feed === 'statements';
  return !rule.types.length || rule.types.some((type) => FEED_TYPES[feed].includes(type));
}

export function syncRequiredPayload(
  feed: Feed,
  expiredCursor: string,
  cursor: string | null,
  now: Date,
): SyncRequiredPayload {
  return {
    type: SYNC_REQUIRED,
    timestamp: now.toISOString(),
    data: {
      feed,
      expiredCursor,
      cursor,
      export: '/export.ndjson',
      reason: `The ${feed} change feed no longer holds the changes after the last one sent, so they cannot be: take an export again and apply it; the deliveries after this one carry on from there.`,
    },
  };
}
