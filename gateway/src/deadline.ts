/** When the request's subgraph fetches must be done by (epoch ms); subgraphs may read it too. */
export const DEADLINE_HEADER = 'x-newsfacts-deadline';

/**
 * How long one fetch may take: the per-fetch limit, cut short by what is left of the request's
 * deadline, so that fetches in sequence cannot add up past it. At least 1 ms (an already-late
 * fetch fails at once).
 */
export function fetchTimeoutMs(subgraphTimeoutMs: number, deadline: number, now: number): number {
  if (!Number.isFinite(deadline) || deadline <= 0) return subgraphTimeoutMs;
  return Math.max(1, Math.min(subgraphTimeoutMs, deadline - now));
}
