import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { Affiliation } from '../generated/prisma/client.ts';
import type { ActorResolvers } from '../generated/graphql.ts';

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export const isCurrent = (affiliation: Affiliation, now = new Date()) => !affiliation.until || affiliation.until > now;

export const Actor: ActorResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.actorById.load(reference.id) : null,

  aliases: async (actor, _args, { loaders }) => (await loaders.aliasesByActorId.load(actor.id)).map((alias) => alias.name),

  alternativeNames: (actor, _args, { loaders }) => loaders.aliasesByActorId.load(actor.id),

  country: (actor) => (actor.countryCode ? (countryNames.of(actor.countryCode) ?? null) : null),

  affiliations: async (actor, { currentOnly }, { loaders }) => {
    const affiliations = await loaders.affiliationsByMemberId.load(actor.id);
    return currentOnly ? affiliations.filter((affiliation) => isCurrent(affiliation)) : affiliations;
  },

  members: async (actor, { currentOnly }, { loaders }) => {
    const affiliations = await loaders.affiliationsByOrganizationId.load(actor.id);
    return currentOnly ? affiliations.filter((affiliation) => isCurrent(affiliation)) : affiliations;
  },
};
