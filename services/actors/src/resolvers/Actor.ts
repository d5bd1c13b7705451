import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ActorResolvers } from '../generated/graphql.ts';

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export const Actor: ActorResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.actorById.load(reference.id) : null,

  aliases: async (actor, { first }, { loaders }) =>
    (await loaders.aliasesByActorId.load(actor.id, pageSize(first), null)).map((alias) => alias.name),

  alternativeNames: (actor, { first }, { loaders }) => loaders.aliasesByActorId.load(actor.id, pageSize(first), null),

  country: (actor) => (actor.countryCode ? (countryNames.of(actor.countryCode) ?? null) : null),

  affiliations: (actor, { currentOnly, first }, { loaders }) =>
    loaders.affiliationsByMemberId.load(actor.id, pageSize(first), currentOnly ?? false),

  members: (actor, { currentOnly, first }, { loaders }) =>
    loaders.affiliationsByOrganizationId.load(actor.id, pageSize(first), currentOnly ?? false),
};
