import type { AffiliationResolvers } from '../generated/graphql.ts';
import { isCurrent } from './Actor';

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (!found) throw new Error(`${what} is missing`);
  return found;
}

export const Affiliation: AffiliationResolvers = {
  organization: (affiliation, _args, { loaders }) =>
    required(loaders.actorById.load(affiliation.organizationId), `organization ${affiliation.organizationId}`),
  member: (affiliation, _args, { loaders }) =>
    required(loaders.actorById.load(affiliation.memberId), `member ${affiliation.memberId}`),
  current: (affiliation) => isCurrent(affiliation),
};
