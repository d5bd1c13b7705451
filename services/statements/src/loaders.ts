import DataLoader from 'dataloader';
import { pageLoader, rowLoader } from '@newsfacts/platform/loaders';
import { Prisma, type Claim, type ClaimAspect, type Stance, type Statement } from './generated/prisma/client.ts';
import { contestedSql } from './contested';
import type { StatementsPrisma } from './db';

const raw = (name: string) => Prisma.raw(name);
/** Statements earliest first, undated last (index order of Statement(claimId | speakerId | eventId, saidAt, id)). */
const earliestFirst = (row: string) => Prisma.sql`${raw(row)}."saidAt" ASC NULLS LAST, ${raw(row)}.id ASC`;
/** Statements in the order of their source's text (index order of Statement(sourceId, spanStart, id)). */
const textOrder = (row: string) => Prisma.sql`${raw(row)}."spanStart" ASC NULLS LAST, ${raw(row)}.id ASC`;
const oldestFirst = (row: string) => Prisma.sql`${raw(row)}."createdAt" ASC, ${raw(row)}.id ASC`;

/** The key of the question a claim answers about its event; claims sharing it compete. */
export const questionKey = (claim: { eventId: string; question: string }) => `${claim.eventId}\u0000${claim.question}`;

/**
 * Every read a request makes goes through one of these, so N parents cost one query. Lists
 * take a page size (`first`) and return at most that many rows per parent from one query for
 * all parents: a LATERAL subquery finds each parent's first ids in index order and stops, and
 * only those rows are read. Selecting ids alone lets it be an index-only scan, which the
 * planner prefers even when it guesses, from the average parent, that a parent has few rows:
 * asked for whole rows it reads every row of a busy parent through a bitmap scan and sorts them.
 */
export function createLoaders(prisma: StatementsPrisma) {
  /** The first statements of each parent whose `column` matches, in `order`, optionally of some stances only. */
  const statementsBy = (column: 'claimId' | 'speakerId' | 'eventId' | 'sourceId', order: (row: string) => Prisma.Sql) =>
    pageLoader(
      (parents, first, stances: Stance[] | null) => prisma.$queryRaw<Statement[]>`
        SELECT statement.* FROM unnest(${parents}::uuid[]) AS parent(parent_id)
        CROSS JOIN LATERAL (
          SELECT s.id FROM "Statement" s WHERE s.${raw(`"${column}"`)} = parent.parent_id
            ${stances ? Prisma.sql`AND s.stance = ANY(${stances}::"Stance"[])` : Prisma.empty}
          ORDER BY ${order('s')} LIMIT ${first}) page
        JOIN "Statement" statement ON statement.id = page.id
        ORDER BY statement.${raw(`"${column}"`)}, ${order('statement')}`,
      (statement) => statement[column],
    );

  return {
    claimById: rowLoader(
      (ids: readonly string[]) => prisma.claim.findMany({ where: { id: { in: [...ids] } } }),
      (claim) => claim.id,
    ),
    claimsByEventId: pageLoader(
      (eventIds, first, aspects: ClaimAspect[] | null) => prisma.$queryRaw<Claim[]>`
        SELECT claim.* FROM unnest(${eventIds}::uuid[]) AS parent(event_id)
        CROSS JOIN LATERAL (
          SELECT c.id FROM "Claim" c WHERE c."eventId" = parent.event_id
            ${aspects ? Prisma.sql`AND c.aspect = ANY(${aspects}::"ClaimAspect"[])` : Prisma.empty}
          ORDER BY ${oldestFirst('c')} LIMIT ${first}) page
        JOIN "Claim" claim ON claim.id = page.id
        ORDER BY claim."eventId", ${oldestFirst('claim')}`,
      (claim) => claim.eventId,
    ),
    /** Walks each event's claims oldest first and stops at `first` contested ones. */
    contestedClaimsByEventId: pageLoader(
      (eventIds, first, _filters: null) => prisma.$queryRaw<Claim[]>`
        SELECT claim.* FROM unnest(${eventIds}::uuid[]) AS parent(event_id)
        CROSS JOIN LATERAL (
          SELECT * FROM "Claim" c WHERE c."eventId" = parent.event_id AND ${contestedSql('c')}
          ORDER BY ${oldestFirst('c')} LIMIT ${first}) claim
        ORDER BY claim."eventId", ${oldestFirst('claim')}`,
      (claim) => claim.eventId,
    ),
    /** Claims answering each question (a questionKey) about its event, oldest first. */
    claimsByQuestion: pageLoader(
      (keys, first, _filters: null) => {
        const pairs = keys.map((key) => key.split('\u0000') as [string, string]);
        return prisma.$queryRaw<Claim[]>`
          SELECT claim.* FROM unnest(${pairs.map(([eventId]) => eventId)}::uuid[], ${pairs.map(([, question]) => question)}::text[])
            AS parent(event_id, question)
          CROSS JOIN LATERAL (
            SELECT c.id FROM "Claim" c WHERE c."eventId" = parent.event_id AND c.question = parent.question
            ORDER BY ${oldestFirst('c')} LIMIT ${first}) page
          JOIN "Claim" claim ON claim.id = page.id
          ORDER BY claim."eventId", claim.question, ${oldestFirst('claim')}`;
      },
      questionKey,
    ),
    /**
     * The distinct stances taken on each claim: an index probe per claim and stance, however many
     * statements it has (OFFSET 0 keeps the planner from making it a join over every statement).
     */
    stancesByClaimId: new DataLoader<string, Set<Stance>>(async (ids) => {
      const rows = await prisma.$queryRaw<Array<{ claimId: string; stance: Stance }>>`
        SELECT parent.claim_id AS "claimId", stance.value AS stance
        FROM unnest(${[...ids]}::uuid[]) AS parent(claim_id) CROSS JOIN unnest(enum_range(NULL::"Stance")) AS stance(value)
        WHERE EXISTS (SELECT 1 FROM "Statement" WHERE "claimId" = parent.claim_id AND "Statement".stance = stance.value OFFSET 0)`;
      const byClaim = new Map(ids.map((id) => [id, new Set<Stance>()]));
      for (const row of rows) byClaim.get(row.claimId)?.add(row.stance);
      return ids.map((id) => byClaim.get(id)!);
    }),
    statementById: rowLoader(
      (ids: readonly string[]) => prisma.statement.findMany({ where: { id: { in: [...ids] } } }),
      (statement) => statement.id,
    ),
    statementsByClaimId: statementsBy('claimId', earliestFirst),
    statementsBySpeakerId: statementsBy('speakerId', earliestFirst),
    statementsBySourceId: statementsBy('sourceId', textOrder),
    statementsByEventId: statementsBy('eventId', earliestFirst),
    /**
     * The contested claims each speaker took a stance on, in the order of their first statement
     * on each: walks the speaker's statements earliest first, keeping a statement when it is the
     * speaker's first on its claim (a probe of Statement(speakerId, claimId); OFFSET 0 keeps it a
     * probe per statement rather than a join over all of them) and the claim is contested, until
     * `first` are kept. A speaker whose claims are rarely contested is walked a long way.
     */
    contestedClaimsBySpeakerId: pageLoader(
      (speakerIds, first, _filters: null) => prisma.$queryRaw<Array<Claim & { speakerId: string }>>`
        SELECT claim.* FROM unnest(${speakerIds}::uuid[]) AS parent(speaker_id)
        CROSS JOIN LATERAL (
          SELECT c.*, s."speakerId", s."saidAt" AS "firstSaidAt", s.id AS "firstStatementId"
          FROM "Statement" s JOIN "Claim" c ON c.id = s."claimId"
          WHERE s."speakerId" = parent.speaker_id
            AND NOT EXISTS (
              SELECT 1 FROM "Statement" earlier
              WHERE earlier."speakerId" = s."speakerId" AND earlier."claimId" = s."claimId"
                AND (earlier."saidAt" < s."saidAt" OR (earlier."saidAt" = s."saidAt" AND earlier.id < s.id)
                     OR (s."saidAt" IS NULL AND (earlier."saidAt" IS NOT NULL OR earlier.id < s.id)))
              OFFSET 0)
            AND ${contestedSql('c')}
          ORDER BY ${earliestFirst('s')} LIMIT ${first}) claim
        ORDER BY claim."speakerId", claim."firstSaidAt" ASC NULLS LAST, claim."firstStatementId" ASC`,
      (claim) => claim.speakerId,
    ),
    sourceById: rowLoader(
      (ids: readonly string[]) => prisma.source.findMany({ where: { id: { in: [...ids] } } }),
      (source) => source.id,
    ),
    sourceBySlug: rowLoader(
      (slugs: readonly string[]) => prisma.source.findMany({ where: { slug: { in: [...slugs] } } }),
      (source) => source.slug,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
