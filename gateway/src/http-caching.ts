// HTTP caching for the open web: a query sent over GET (a trusted document's id, or the query
// itself) answers with Cache-Control and an ETag, and a request whose If-None-Match names the
// current ETag gets 304 with no body. A CDN or a browser in front of the gateway can then serve
// a breaking story's event page, and revalidate it for the price of a 304.
//
// How long: the subgraphs' @cacheControl hints, as Apollo's gateway folds them into the request's
// cache policy (the smallest maxAge of the fields the answer holds), at most `maxAgeSeconds`; an
// answer the response cache served has what is left of its life. What anonymous readers may see
// is `public`; an answer to a key, or one a hint calls PRIVATE, is `private` (only the caller's
// own browser may keep it), since a key may see more, and its use is counted against its quota.
// Errors and partial answers, mutations, anything over POST and a maxAge of 0 are `no-store`.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';
import type { Principal } from './security/principal';

export interface HttpCachingOptions {
  /** The longest a cache may serve an answer before it asks again (it may then revalidate with If-None-Match). */
  maxAgeSeconds: number;
}

/** A strong validator of the answer's bytes: equal answers, equal tags, whichever replica made them. */
export const entityTag = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/** Whether If-None-Match (`*`, or a list of tags, weak or strong) matches the tag. */
export function matchesEntityTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag);
}

/**
 * What a query's answer over GET says about caching it. A shared cache must not hand an anonymous
 * answer to a keyed request, or the reverse, nor one origin's answer to another: the Vary header
 * written here replaces the one corsPolicy set, so it names Origin again.
 */
export const cachingHeaders = (
  principal: Principal,
  maxAgeSeconds: number,
  scope: 'PUBLIC' | 'PRIVATE' = 'PUBLIC',
) => ({
  'cache-control': `${principal.kind === 'anonymous' && scope === 'PUBLIC' ? 'public' : 'private'}, max-age=${maxAgeSeconds}`,
  // A shared cache must not hand an anonymous answer to a keyed request, or the reverse.
  vary: 'Origin, Authorization',
});

export function httpCaching(options: HttpCachingOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const overGet = request.http?.method === 'GET';
      return {
        async willSendResponse({ response, operation, contextValue, errors, overallCachePolicy }) {
          const headers = response.http.headers;
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const policy = overallCachePolicy.policyIfCacheable();
          const cacheable =
            overGet &&
            operation?.operation === 'query' &&
            single !== undefined &&
            !errors?.length &&
            !single.errors?.length &&
            (response.http.status ?? 200) === 200 &&
            policy !== null &&
            options.maxAgeSeconds > 0;
          if (!cacheable) {
            headers.set('cache-control', 'no-store');
            return;
          }
          const headersFor = cachingHeaders(
            contextValue.principal,
            Math.min(policy.maxAge, options.maxAgeSeconds),
            policy.scope,
          );
          for (const [name, value] of Object.entries(headersFor)) headers.set(name, value);
          const tag = entityTag(JSON.stringify(single));
          headers.set('etag', tag);
          if (matchesEntityTag(request.http?.headers.get('if-none-match'), tag)) {
            // Node sends no body with a 304, whatever is written after it.
            response.http.status = 304;
          }
        },
      };
    },
  };
}
