// Subgraph fetches as client spans. Apollo Gateway makes the spans of the query plan itself
// (gateway.request, gateway.plan, gateway.execute, gateway.fetch) through the same
// OpenTelemetry API, so these land under its gateway.fetch spans.
import { Headers, type RequestInfo, type RequestInit, type Response } from 'node-fetch';
import { inClientSpan, SpanStatusCode, tracingEnabled } from '@newsfacts/platform/tracing';

type Fetcher = (url: RequestInfo, init?: RequestInit) => Promise<Response>;

/**
 * `fetcher` with a client span per subgraph fetch, named for the subgraph and carrying its
 * outcome (as newsfacts_subgraph_fetch_duration_seconds labels it), and the `traceparent` that
 * makes the subgraph's server span its child. Without tracing, `fetcher` itself.
 */
export function tracedFetcher(subgraph: string, fetcher: Fetcher): Fetcher {
  if (!tracingEnabled()) return fetcher;
  return (url, init = {}) =>
    inClientSpan(`subgraph ${subgraph}`, { 'subgraph.name': subgraph }, async (span, traceHeaders) => {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(traceHeaders)) headers.set(name, value);
      try {
        const response = await fetcher(url, { ...init, headers });
        span.setAttribute('http.response.status_code', response.status);
        span.setAttribute('subgraph.outcome', response.ok ? 'ok' : 'http_error');
        if (!response.ok) span.setStatus({ code: SpanStatusCode.ERROR });
        return response;
      } catch (error) {
        const name = (error as Error).name;
        span.setAttribute('subgraph.outcome', name === 'AbortError' || name === 'TimeoutError' ? 'timeout' : 'error');
        throw error;
      }
    });
}
