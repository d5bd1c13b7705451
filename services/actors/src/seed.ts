import { nameKey } from '@newsfacts/fact-package/names';
import { seedId } from '@newsfacts/platform/seed-ids';
import type { ActorsPrisma } from './db';
import type { ActorKind, AliasKind, OrganizationType } from './generated/prisma/enums.ts';

// The part of a seed dataset this subgraph owns. References to records of other subgraphs are
// by slug; seedId turns a slug into the same id in every service.

export interface SeedActor {
  slug: string;
  name: string;
  kind: ActorKind;
  description: string;
  countryCode: string | null;
  organizationType: OrganizationType | null;
  wikidataId: string | null;
  aliases: Array<{
    name: string;
    kind: AliasKind;
    language: string | null;
  }>;
  affiliations: Array<{ organization: string; title: string; since: string | null; until: string | null }>;
}

export interface ActorsSeed {
  actors: SeedActor[];
}

const date = (value: string | null) => (value ? new Date(value) : null);

/** Writes the dataset's actors, their other names and affiliations; running it again changes nothing. */
export async function seedActors(prisma: ActorsPrisma, data: ActorsSeed): Promise<void> {
  await prisma.$transaction([
    ...data.actors.map((actor) => {
      const row = {
        id: seedId.actor(actor.slug),
        slug: actor.slug,
        name: actor.name,
        nameKey: nameKey(actor.name),
        kind: actor.kind,
        description: actor.description,
        countryCode: actor.countryCode,
        organizationType: actor.organizationType,
        wikidataId: actor.wikidataId,
      };
      return prisma.actor.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...data.actors.flatMap((actor) =>
      actor.aliases.map((alias) => {
        const row = {
          id: seedId.alias(actor.slug, alias.name),
          actorId: seedId.actor(actor.slug),
          ...alias,
          nameKey: nameKey(alias.name),
        };
        return prisma.alias.upsert({ where: { id: row.id }, create: row, update: row });
      }),
    ),
    ...data.actors.flatMap((actor) =>
      actor.affiliations.map((affiliation) => {
        const row = {
          id: seedId.affiliation(actor.slug, affiliation.organization, affiliation.title),
          memberId: seedId.actor(actor.slug),
          organizationId: seedId.actor(affiliation.organization),
          title: affiliation.title,
          since: date(affiliation.since),
          until: date(affiliation.until),
        };
        return prisma.affiliation.upsert({ where: { id: row.id }, create: row, update: row });
      }),
    ),
  ]);
}
