import { listLoader, rowLoader } from '@newsfacts/platform/loaders';
import type { ActorsPrisma } from './db';

/** Every read a request makes goes through one of these, so N parents cost one query. */
export function createLoaders(prisma: ActorsPrisma) {
  return {
    actorById: rowLoader(
      (ids: readonly string[]) => prisma.actor.findMany({ where: { id: { in: [...ids] } } }),
      (actor) => actor.id,
    ),
    actorBySlug: rowLoader(
      (slugs: readonly string[]) => prisma.actor.findMany({ where: { slug: { in: [...slugs] } } }),
      (actor) => actor.slug,
    ),
    aliasesByActorId: listLoader(
      (ids: readonly string[]) => prisma.alias.findMany({ where: { actorId: { in: [...ids] } }, orderBy: [{ name: 'asc' }] }),
      (alias) => alias.actorId,
    ),
    affiliationsByMemberId: listLoader(
      (ids: readonly string[]) =>
        prisma.affiliation.findMany({ where: { memberId: { in: [...ids] } }, orderBy: [{ since: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }] }),
      (affiliation) => affiliation.memberId,
    ),
    affiliationsByOrganizationId: listLoader(
      (ids: readonly string[]) =>
        prisma.affiliation.findMany({ where: { organizationId: { in: [...ids] } }, orderBy: [{ since: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }] }),
      (affiliation) => affiliation.organizationId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
