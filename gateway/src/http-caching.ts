// HTTP caching for the open web: a query sent over GET (a trusted document's id, or the query
// itself) answers with Cache-Control and an ETag, and a request whose If-None-Match names the
// current ETag gets 304 with no body. A CDN or a browser in front of the gateway can then serve
// a breaking story's event page, and revalidate it for the price of a 304.
//
// What anonymous readers may see is `public`; an answer to a key is `private` (only the caller's
// own browser may keep it), since a key may see more, and its use is counted against its quota.
// Errors and partial answers, mutations and anything over POST are `no-store`.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';
import type { Principal } from './security/principal';

export interface HttpCachingOptions {
  /** How long a cache may serve an answer before it asks again (it may then revalidate with If-None-Match). */
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
export const cachingHeaders = (principal: Principal, maxAgeSeconds: number) => ({
  'cache-control': `${principal.kind === 'anonymous' ? 'public' : 'private'}, max-age=${maxAgeSeconds}`,
  vary: 'Origin, Authorization',
});

export function httpCaching(options: HttpCachingOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const overGet = request.http?.method === 'GET';
      return {
        async willSendResponse({ response, operation, contextValue, errors }) {
          const headers = response.http.headers;
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const cacheable =
            overGet &&
            operation?.operation === 'query' &&
            single !== undefined &&
            !errors?.length &&
            !single.errors?.length &&
            (response.http.status ?? 200) === 200;
          if (!cacheable) {
            headers.set('cache-control', 'no-store');
            return;
          }
          for (const [name, value] of Object.entries(cachingHeaders(contextValue.principal, options.maxAgeSeconds)))
            headers.set(name, value);
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
