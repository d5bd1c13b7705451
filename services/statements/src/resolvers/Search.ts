import type { SearchConnectionResolvers, SearchHitResolvers, SearchResultResolvers } from '../generated/graphql.ts';

export const SearchConnection: SearchConnectionResolvers = {
  nodes: (page) => page.hits,
  pageInfo: (page) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor }),
};

export const SearchHit: SearchHitResolvers = {
  type: (hit) => hit.searchType,
  // This service's own records come whole from its loaders; events and actors as references
  // the gateway resolves with their owners.
  entity: async (hit, _args, { loaders }) => {
    switch (hit.type) {
      case 'Claim': {
        const claim = await loaders.claimById.load(hit.id);
        return claim && { ...claim, __typename: 'Claim' as const };
      }
      case 'Statement': {
        const statement = await loaders.statementById.load(hit.id);
        return statement && { ...statement, __typename: 'Statement' as const };
      }
      case 'Source': {
        const source = await loaders.sourceById.load(hit.id);
        return source && { ...source, __typename: 'Source' as const };
      }
      default:
        return { __typename: hit.type as 'Event' | 'Actor', id: hit.id };
    }
  },
};

export const SearchResult: SearchResultResolvers = {
  __resolveType: (entity) =>
    (entity as unknown as { __typename: 'Event' | 'Actor' | 'Claim' | 'Statement' | 'Source' }).__typename,
};
