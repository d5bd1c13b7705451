import { optionalId, seedId } from '@newsfacts/platform/seed-ids';
import type { StatementsPrisma } from './db';
import { sha256 } from './writes/shared';
import type { Channel, ClaimAspect, DatePrecision, Stance } from './generated/prisma/enums.ts';

// Writes this subgraph's part of the seed package straight into its database, for tests that run
// the subgraph alone (tests/helpers/seed-fixture.ts reads the package). Everything else, npm
// start included, imports the package through the imports service. Records are named by their
// keys in the package; seedId turns a key into the id an import gives the record.

export interface SeedSource {
  slug: string;
  publisher: string | null;
  title: string;
  url: string | null;
  publishedAt: string;
  publishedAtPrecision: DatePrecision;
  language: string;
  /** The text statement spans point into. */
  text: string | null;
  note: string | null;
}

export interface SeedClaim {
  slug: string;
  event: string; // SeedEvent.slug
  aspect: ClaimAspect;
  question: string;
  text: string;
}

export interface SeedStatement {
  slug: string;
  claim: string; // SeedClaim.slug
  speaker: string; // SeedActor.slug
  stance: Stance;
  quote: string | null;
  paraphrase: string | null;
  saidAt: string | null;
  saidAtPrecision: DatePrecision | null;
  channel: Channel;
  channelDetail: string | null;
  outlet: string | null; // SeedActor.slug
  source: string; // SeedSource.slug
  span: { start: number; end: number } | null;
  note: string | null;
}

export interface StatementsSeed {
  sources: SeedSource[];
  claims: SeedClaim[];
  statements: SeedStatement[];
}

const date = (value: string | null) => (value ? new Date(value) : null);

/** Writes the dataset's sources, claims and statements; running it again changes nothing. */
export async function seedStatements(prisma: StatementsPrisma, data: StatementsSeed): Promise<void> {
  // Claims are created one after another so that createdAt keeps the dataset's order.
  const base = Date.parse('2023-05-23T00:00:00Z');
  const eventOfClaim = new Map(data.claims.map((claim) => [claim.slug, claim.event]));
  await prisma.$transaction([
    ...data.sources.map((source) => {
      const row = {
        ...source,
        id: seedId.source(source.slug),
        publishedAt: new Date(source.publishedAt),
        contentSha256: source.text === null ? null : sha256(source.text),
      };
      return prisma.source.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...data.claims.map((claim, index) => {
      const row = {
        id: seedId.claim(claim.slug),
        eventId: seedId.event(claim.event),
        aspect: claim.aspect,
        question: claim.question,
        text: claim.text,
        createdAt: new Date(base + index * 1000),
      };
      return prisma.claim.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...data.statements.map((statement) => {
      const row = {
        id: seedId.statement(statement.slug),
        claimId: seedId.claim(statement.claim),
        eventId: seedId.event(eventOfClaim.get(statement.claim)!),
        speakerId: seedId.actor(statement.speaker),
        stance: statement.stance,
        quote: statement.quote,
        paraphrase: statement.paraphrase,
        saidAt: date(statement.saidAt),
        saidAtPrecision: statement.saidAtPrecision,
        channel: statement.channel,
        channelDetail: statement.channelDetail,
        outletId: optionalId(seedId.actor, statement.outlet),
        sourceId: seedId.source(statement.source),
        spanStart: statement.span?.start ?? null,
        spanEnd: statement.span?.end ?? null,
        note: statement.note,
      };
      return prisma.statement.upsert({ where: { id: row.id }, create: row, update: row });
    }),
  ]);
}
