// What the imports service reads from the fact services besides their GraphQL: their change
// feeds, where each feed ends (the signed head route), where each change log stands (the signal
// route, answered from memory while nothing changes) and their records by id (export pages).
// Shared by the webhooks' follower and the search index's.
import { EXPORT_PAGE_PATH } from '@newsfacts/platform/export-pages';
import type { FactSubgraphName, SubgraphName } from '@newsfacts/platform/service-config';
import { signRequest } from '@newsfacts/platform/signing';
import { CHANGE_LOG_HEAD_PATH, CHANGE_LOG_SIGNAL_PATH } from '@newsfacts/platform/subgraph';
import type { Feed, FeedEntry } from './webhooks/matching';

export interface OwnerRoutesDeps {
  signingSecret: string;
  subgraphUrls: Record<SubgraphName, string>;
}

const TIMEOUT_MS = 10_000;

/** The feed's answer to an `after` older than its retention: the reader must start again from an export. */
export class CursorExpiredError extends Error {
  override name = 'CursorExpiredError';
}

const FEED_FIELD: Record<Feed, string> = {
  events: 'eventChanges',
  actors: 'actorChanges',
  statements: 'statementChanges',
};

export interface ChangePage {
  nodes: FeedEntry[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** A signed POST to one of a service's routes, as the gateway would send it; the JSON answer. */
async function postSigned<Answer>(
  deps: OwnerRoutesDeps,
  service: FactSubgraphName,
  url: URL | string,
  payload: unknown,
): Promise<Answer> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signRequest(deps.signingSecret, service, { kind: 'anonymous', scopes: ['READ'] }, body),
    },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${service} ${new URL(url).pathname}: HTTP ${response.status}`);
  return (await response.json()) as Answer;
}

/** One page of a feed after `after` (from its start without one). */
export async function readChangePage(
  deps: OwnerRoutesDeps,
  feed: Feed,
  after: string | null,
  first: number,
): Promise<ChangePage> {
  const field = FEED_FIELD[feed];
  const answer = await postSigned<{
    data?: Record<string, ChangePage> | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  }>(deps, feed, deps.subgraphUrls[feed], {
    query: `query($after: String, $first: Int) {
      ${field}(after: $after, first: $first) {
        nodes { cursor entityType entityId operation at fields survivorId }
        endCursor hasNextPage
      }
    }`,
    variables: { after, first },
  });
  const [error] = answer.errors ?? [];
  if (error?.extensions?.code === 'CURSOR_EXPIRED') throw new CursorExpiredError(error.message);
  if (error || !answer.data?.[field]) throw new Error(`${feed} ${field}: ${error?.message ?? 'no data'}`);
  return answer.data[field];
}

/** Where a feed ends now (null for an empty log). */
export async function feedHead(deps: OwnerRoutesDeps, feed: Feed): Promise<string | null> {
  const url = new URL(CHANGE_LOG_HEAD_PATH, deps.subgraphUrls[feed]);
  return (await postSigned<{ cursor: string | null }>(deps, feed, url, {})).cursor;
}

/** Where a service's change log stands: it changes when something is written, and costs the service no SQL otherwise. */
export async function changeLogSignal(deps: OwnerRoutesDeps, feed: Feed): Promise<string> {
  const url = new URL(CHANGE_LOG_SIGNAL_PATH, deps.subgraphUrls[feed]);
  return (await postSigned<{ signal: string }>(deps, feed, url, {})).signal;
}

/** A service's current records of one type: those among `ids`, or the page after `after` in id order. */
export async function exportPage<Row extends { id: string }>(
  deps: OwnerRoutesDeps,
  feed: Feed,
  request: { type: string; ids?: string[]; after?: string; limit: number },
): Promise<Row[]> {
  const url = new URL(EXPORT_PAGE_PATH, deps.subgraphUrls[feed]);
  return (await postSigned<{ rows: Row[] }>(deps, feed, url, request)).rows;
}
