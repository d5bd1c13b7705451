// A subgraph asking another subgraph: to check that a record it is about to point at exists
// (a statement's speaker), or that nothing still points at a record it is about to delete. It
// signs each request as the gateway does, so the peer applies the same checks; it forwards the
// writer's identity with read access only, unless the request is itself part of a write (a
// merge's references following it), when the writer's own scopes go along.
import { codedError, ErrorCode } from './errors';
import type { Logger } from './logger';
import type { SubgraphName } from './service-config';
import { signRequest, type ForwardedPrincipal } from './signing';

export interface PeerClient {
  /** Runs a query on `peer`; an unreachable or failing peer is SERVICE_UNAVAILABLE, retryable. */
  query<Data>(
    peer: SubgraphName,
    query: string,
    variables: Record<string, unknown>,
    asking: ForwardedPrincipal | null,
    options?: { asWriter?: boolean },
  ): Promise<Data>;
}

export interface PeerClientOptions {
  urls: Record<SubgraphName, string>;
  signingSecret: string;
  logger: Logger;
  /** How long to wait for a peer before refusing the write. */
  timeoutMs?: number;
}

export function createPeerClient(options: PeerClientOptions): PeerClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const unavailable = (peer: SubgraphName) =>
    codedError(
      ErrorCode.SERVICE_UNAVAILABLE,
      `The ${peer} service, which owns records this change refers to, cannot be reached; nothing was written. Try again shortly.`,
    );
  return {
    async query<Data>(
      peer: SubgraphName,
      query: string,
      variables: Record<string, unknown>,
      asking: ForwardedPrincipal | null,
      { asWriter = false }: { asWriter?: boolean } = {},
    ): Promise<Data> {
      const body = JSON.stringify({ query, variables });
      const principal: ForwardedPrincipal =
        asking && asWriter
          ? asking
          : asking
            ? { ...asking, scopes: ['READ'] }
            : { kind: 'anonymous', scopes: ['READ'] };
      let answer: { data?: Data | null; errors?: Array<{ message: string }> };
      try {
        const response = await fetch(options.urls[peer], {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signRequest(options.signingSecret, peer, principal, body) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        answer = (await response.json()) as typeof answer;
      } catch (error) {
        options.logger.warn({ peer, error: (error as Error).message }, 'a peer subgraph did not answer');
        throw unavailable(peer);
      }
      if (answer.errors?.length || !answer.data) {
        options.logger.warn({ peer, errors: answer.errors }, 'a peer subgraph answered with errors');
        throw unavailable(peer);
      }
      return answer.data;
    },
  };
}
