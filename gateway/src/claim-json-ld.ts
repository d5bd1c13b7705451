// GET /claims/{id}.jsonld: a claim as schema.org JSON-LD, for pages to embed and crawlers to
// read. The same document as Claim.jsonLd, asked of the graph through the gateway's own
// pipeline, so the caller's access, cost and limits apply as to any query.
import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import { ErrorCode } from '@newsfacts/platform/errors';
import { sendError } from '@newsfacts/platform/http';
import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { GatewayContext } from './context';

const CLAIM_JSON_LD = `query ClaimJsonLd($id: ID!) { claim(id: $id) { jsonLd } }`;

export function claimJsonLdRoute(
  apollo: ApolloServer<GatewayContext>,
  contextOf: (res: express.Response) => GatewayContext,
): express.RequestHandler {
  return async (req, res) => {
    const id = /^(.+)\.jsonld$/.exec(String(req.params.file))?.[1] ?? '';
    if (!UUID_PATTERN.test(id)) {
      return sendError(res, 404, ErrorCode.NOT_FOUND, 'A claim document is /claims/<claim id>.jsonld.');
    }
    const response = await apollo.executeOperation(
      { query: CLAIM_JSON_LD, variables: { id } },
      { contextValue: contextOf(res) },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const claim = (result?.data as { claim?: { jsonLd: unknown } | null } | undefined)?.claim;
    if (result?.errors?.length || !result) {
      const error = result?.errors?.[0];
      const status = response.http.status ?? 503;
      return sendError(
        res,
        status >= 400 ? status : 503,
        String(error?.extensions?.code ?? ErrorCode.SERVICE_UNAVAILABLE),
        error?.message ?? 'The claim cannot be read right now; try again shortly.',
      );
    }
    if (!claim) return sendError(res, 404, ErrorCode.NOT_FOUND, `No claim has the id ${id}.`);
    const visibility = contextOf(res).principal.kind === 'anonymous' ? 'public' : 'private';
    res.type('application/ld+json').setHeader('cache-control', `${visibility}, max-age=60`);
    res.send(JSON.stringify(claim.jsonLd));
  };
}
