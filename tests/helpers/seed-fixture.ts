/**
 * The seed package's rows written straight into one subgraph's database, for tests that run a
 * subgraph alone (the importer needs all of them). The rows are those an import writes, with
 * the same ids (seedId); the end-to-end tests, which import the package, hold the two to that.
 */
import fs from 'node:fs';
import { createPrismaClient as createActorsPrisma } from '@newsfacts/actors/db';
import { seedActors } from '@newsfacts/actors/seed';
import { createPrismaClient as createEventsPrisma } from '@newsfacts/events/db';
import { seedEvents } from '@newsfacts/events/seed';
import { factPackage, type FactPackage } from '@newsfacts/fact-package/format';
import { openDatabase, type DatabaseTarget } from '@newsfacts/platform/db';
import { placeStatement } from '@newsfacts/platform/quotes';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { createPrismaClient as createStatementsPrisma } from '@newsfacts/statements/db';
import { SEED_PACKAGE_PATHS } from '../../scripts/lib/seed';
import { seedStatements } from '@newsfacts/statements/seed';

export const [SEED_PACKAGE_PATH] = SEED_PACKAGE_PATHS as [string];

export function readSeedPackage(): FactPackage {
  return factPackage.parse(JSON.parse(fs.readFileSync(SEED_PACKAGE_PATH, 'utf8')));
}

/** A local reference's key; the seed package refers only to its own records. */
const key = (reference: unknown): string => {
  if (typeof reference !== 'string')
    throw new Error(`the seed package refers outside itself: ${JSON.stringify(reference)}`);
  return reference;
};
const optionalKey = (reference: unknown) => (reference == null ? null : key(reference));

/** The seed package as each service's fixture writer takes it. */
export function seedDataset(pkg: FactPackage = readSeedPackage()) {
  const { source } = pkg;
  return {
    places: pkg.places.map((place) => ({
      slug: place.key,
      name: place.name,
      region: place.region ?? null,
      countryCode: place.countryCode,
      country: place.country ?? '',
      latitude: place.latitude ?? null,
      longitude: place.longitude ?? null,
      geoPrecision: place.geoPrecision,
    })),
    events: pkg.events.map((event) => ({
      slug: event.key,
      title: event.title,
      summary: event.summary,
      kind: event.kind,
      startedAt: event.startedAt ?? null,
      endedAt: event.endedAt ?? null,
      datePrecision: event.datePrecision,
      place: optionalKey(event.place),
      parent: optionalKey(event.parent),
      participants: (event.participants ?? []).map((participant) => ({
        actor: key(participant.actor),
        role: participant.role,
        note: participant.note ?? null,
        claim: optionalKey(participant.claim),
      })),
      figures: (event.figures ?? []).map((figure) => ({
        metric: figure.metric,
        value: figure.value,
        qualifier: figure.qualifier,
        description: figure.description,
        claim: optionalKey(figure.claim),
      })),
    })),
    eventRelations: pkg.events.flatMap((event) =>
      (event.relations ?? []).map((relation) => ({
        from: event.key,
        to: key(relation.to),
        kind: relation.kind,
        note: relation.note ?? null,
      })),
    ),
    actors: pkg.actors.map((actor) => ({
      slug: actor.key,
      name: actor.name,
      kind: actor.kind,
      description: actor.description,
      countryCode: actor.countryCode ?? null,
      organizationType: actor.organizationType ?? null,
      wikidataId: actor.wikidataId ?? null,
      aliases: (actor.aliases ?? []).map((alias) => ({ ...alias, language: alias.language ?? null })),
      affiliations: (actor.affiliations ?? []).map((affiliation) => ({
        organization: key(affiliation.organization),
        title: affiliation.title,
        since: affiliation.since ?? null,
        until: affiliation.until ?? null,
      })),
    })),
    sources: [
      {
        slug: source.key,
        publisher: source.publisher ?? null,
        title: source.title,
        url: source.url ?? null,
        publishedAt: source.publishedAt,
        publishedAtPrecision: source.publishedAtPrecision,
        language: source.language,
        text: source.text,
        note: source.note ?? null,
      },
    ],
    claims: pkg.claims.map((claim) => ({
      slug: claim.key,
      event: key(claim.event),
      aspect: claim.aspect,
      question: claim.question,
      text: claim.text,
    })),
    statements: pkg.statements.map((statement) => {
      // As the importer places them: by the quote's words, or the passage's.
      const placed = placeStatement(
        { id: source.key, text: source.text },
        statement.quote ?? statement.passage,
        statement,
      );
      if (placed.errors.length) throw new Error(`seed statement ${statement.key}: ${placed.errors[0]!.message}`);
      return {
        slug: statement.key,
        claim: key(statement.claim),
        speaker: key(statement.speaker),
        stance: statement.stance,
        quote: statement.quote ?? null,
        paraphrase: statement.paraphrase ?? null,
        saidAt: statement.saidAt ?? null,
        saidAtPrecision: statement.saidAtPrecision ?? null,
        channel: statement.channel,
        channelDetail: statement.channelDetail ?? null,
        outlet: optionalKey(statement.outlet),
        source: source.key,
        span: placed.span,
        note: statement.note ?? null,
      };
    }),
  };
}

/** Writes the seed package's rows for one subgraph into its database; running it again changes nothing. */
export async function seedDirectly(name: FactSubgraphName, target: DatabaseTarget): Promise<void> {
  const data = seedDataset();
  const db = await openDatabase(target);
  const withPrisma = async <P extends { $disconnect(): Promise<void> }>(
    prisma: P,
    work: (prisma: P) => Promise<void>,
  ) => {
    try {
      await work(prisma);
    } finally {
      await prisma.$disconnect();
    }
  };
  try {
    if (name === 'events') await withPrisma(createEventsPrisma(db), (prisma) => seedEvents(prisma, data));
    if (name === 'actors') await withPrisma(createActorsPrisma(db), (prisma) => seedActors(prisma, data));
    if (name === 'statements') await withPrisma(createStatementsPrisma(db), (prisma) => seedStatements(prisma, data));
  } finally {
    await db.close();
  }
}
