// When a story breaks, thousands of readers ask for the same event page at once, and the query
// plans of their requests send the same subgraph fetches. A fetch identical to one already on its
// way waits for that one's answer instead of sending another.
//
// Identical means: the same subgraph, the same request body (operation and variables) and the
// same forwarded principal (who is asking, with which scopes), so that no caller ever receives
// an answer made for different rights. Only queries are shared, never mutations. A failure
// reaches only the fetches that were waiting on it; the next one after it goes out afresh.
// Once a mutation has answered, no fetch joins one sent before it: that one may read what the
// mutation changed as it was before.

/** An answer read to the end, so that each waiter can be given a response of its own. */
export interface FetchedAnswer {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

// Operations the gateway plans for subgraphs: `query …`, `{ … }`, or `mutation …`. A body is
// shared only when it is positively a query.
const QUERY_OPERATION = /^\s*(?:query\b|\{)/;

/** Whether an operation the gateway planned for a subgraph is positively a query. */
export const isQueryOperation = (query: unknown): boolean => typeof query === 'string' && QUERY_OPERATION.test(query);

// How the gateway's own request bodies begin: JSON.stringify({ query, variables }).
const QUERY_BODY_START = /^\{"query":"(?:query\b|\{)/;

/** Whether a subgraph request body is positively a query (safe to share, and to send again). */
export function isQueryBody(body: string): boolean {
  // Every subgraph fetch asks this; most are answered without parsing the body.
  if (QUERY_BODY_START.test(body)) return true;
  try {
    return isQueryOperation((JSON.parse(body) as { query?: unknown }).query);
  } catch {
    return false;
  }
}

/** The key two fetches share an answer under, or null for a fetch that must go out on its own. */
export function inFlightKey(subgraph: string, principal: string, body: string): string | null {
  return isQueryBody(body) ? `${subgraph}\u0000${principal}\u0000${body}` : null;
}

export class InFlightFetches {
  private readonly pending = new Map<string, Promise<FetchedAnswer>>();

  /** Runs `fetchOnce`, unless a fetch under the same key is under way: then its answer. */
  async share(
    key: string | null,
    fetchOnce: () => Promise<FetchedAnswer>,
  ): Promise<{ answer: FetchedAnswer; shared: boolean }> {
    if (key === null) return { answer: await fetchOnce(), shared: false };
    const under = this.pending.get(key);
    if (under) return { answer: await under, shared: true };
    const fetching = fetchOnce().finally(() => {
      // A newer fetch under the same key may have taken the place of one that was forgotten.
      if (this.pending.get(key) === fetching) this.pending.delete(key);
    });
    this.pending.set(key, fetching);
    return { answer: await fetching, shared: false };
  }

  /**
   * No fetch under way now is joined from here on; those waiting on them still get their answers.
   * Called when a mutation answers, so that a read issued after it never gets an answer read before it.
   */
  forgetUnderway(): void {
    this.pending.clear();
  }

  /** Fetches under way that others may join. */
  get size(): number {
    return this.pending.size;
  }
}
