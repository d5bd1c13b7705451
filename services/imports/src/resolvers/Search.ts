import type { SearchConnectionResolvers, SearchHitResolvers, SearchResultResolvers } from '../generated/graphql.ts';

export const SearchConnection: SearchConnectionResolvers = {
  nodes: (page) => page.hits,
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
};

export const SearchHit: SearchHitResolvers = {
  type: (hit) => hit.searchType,
  // A reference: the gateway asks the service that owns the record for it.
  entity: (hit) => ({ __typename: hit.type, id: hit.id }),
};

export const SearchResult: SearchResultResolvers = {
  __resolveType: (entity) =>
    (entity as unknown as { __typename: 'Event' | 'Actor' | 'Claim' | 'Statement' | 'Source' }).__typename,
};
