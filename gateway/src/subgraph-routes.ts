// The routes a subgraph serves the gateway beside GraphQL (its change log, export pages): a
// signed POST with a small JSON body, as /graphql is signed.
import fetch from 'node-fetch';
import { PRINCIPAL_HEADER, SIGNATURE_HEADER, signature } from '@newsfacts/platform/signing';

export interface SubgraphRouteRequest {
  /** The subgraph's name (the signature's audience) and its GraphQL URL, which the path replaces. */
  subgraph: string;
  url: string;
  path: string;
  body: unknown;
  /** The forwarded principal, encoded. */
  principal: string;
  signingSecret: string;
  timeoutMs: number;
}

/** The JSON a subgraph route answers; anything but a 2xx throws. */
export async function askSubgraphRoute<Answer>(request: SubgraphRouteRequest): Promise<Answer> {
  const text = JSON.stringify(request.body);
  const response = await fetch(new URL(request.path, request.url).href, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PRINCIPAL_HEADER]: request.principal,
      [SIGNATURE_HEADER]: signature(request.signingSecret, request.subgraph, request.principal, text),
    },
    body: text,
    timeout: request.timeoutMs,
  });
  if (!response.ok) throw new Error(`${request.subgraph} answered ${response.status} to ${request.path}`);
  return (await response.json()) as Answer;
}
