// The importer's way to the services that own the facts: GraphQL over HTTP, each request signed
// as the key that started the import, so that every write is checked (scope, ownership, field
// rules, references) exactly as if the key had sent it through the gateway.
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { READ_PRIMARY_HEADER, signRequest, type ForwardedPrincipal } from '@newsfacts/platform/signing';
import { inClientSpan } from '@newsfacts/platform/tracing';

export interface GraphError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string };
}

export interface GraphAnswer<Data> {
  data: Data | null;
  errors: GraphError[];
}

/** A service could not be asked, or answered with something other than GraphQL: the import stops, to be run again. */
export class ServiceUnreachable extends Error {
  constructor(
    readonly service: FactSubgraphName,
    reason: string,
  ) {
    super(`The ${service} service could not be reached (${reason}).`);
  }
}

export interface GraphClient {
  request<Data>(
    service: FactSubgraphName,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<GraphAnswer<Data>>;
}

export function createGraphClient(options: {
  urls: Record<FactSubgraphName, string>;
  signingSecret: string;
  principal: ForwardedPrincipal;
  timeoutMs?: number;
}): GraphClient {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    async request<Data>(service: FactSubgraphName, query: string, variables: Record<string, unknown>) {
      const body = JSON.stringify({ query, variables });
      let response: Response | undefined;
      // Once more on a connection that failed: a kept-alive socket the service closed while the
      // importer was busy elsewhere. Every request it sends is safe to repeat (reads, and
      // creates with externalIds).
      for (let attempt = 1; !response; attempt++) {
        try {
          // A client span per attempt; its traceparent makes the service's server span its child.
          response = await inClientSpan(
            `import ${service}`,
            { 'subgraph.name': service },
            async (span, traceHeaders) => {
              const answered = await fetch(options.urls[service], {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  ...traceHeaders,
                  // A check of what exists must see the latest writes, not a replica's lagging copy.
                  [READ_PRIMARY_HEADER]: '1',
                  ...signRequest(options.signingSecret, service, options.principal, body),
                },
                body,
                signal: AbortSignal.timeout(timeoutMs),
              });
              span.setAttribute('http.response.status_code', answered.status);
              return answered;
            },
          );
        } catch (error) {
          if (attempt >= 3 || (error as Error).name === 'TimeoutError') {
            throw new ServiceUnreachable(service, (error as Error).message);
          }
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
      const answer = (await response.json().catch(() => null)) as {
        data?: Data | null;
        errors?: GraphError[];
      } | null;
      if (!answer || (!answer.data && !answer.errors?.length)) {
        throw new ServiceUnreachable(service, `HTTP ${response.status}`);
      }
      return { data: answer.data ?? null, errors: answer.errors ?? [] };
    },
  };
}
