import { required } from '@newsfacts/platform/references';
import { isHeldNow } from '../affiliations';
import type { AffiliationResolvers } from '../generated/graphql.ts';

export const Affiliation: AffiliationResolvers = {
  organization: (affiliation, _args, { loaders }) =>
    required(loaders.actorById.load(affiliation.organizationId), `organization ${affiliation.organizationId}`),
  member: (affiliation, _args, { loaders }) =>
    required(loaders.actorById.load(affiliation.memberId), `member ${affiliation.memberId}`),
  current: (affiliation) => isHeldNow(affiliation),
};
