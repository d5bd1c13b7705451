import DataLoader from 'dataloader';
import { lateralPage, lateralPageLoader, orderClause, type OrderColumn } from '@newsfacts/platform/lateral-page';
import { pageLoader, rowsById, rowsBySlug } from '@newsfacts/platform/loaders';
import { rowsWhereIn, type RawQueryable } from '@newsfacts/platform/raw-reads';
import { anyOf, sql } from '@newsfacts/platform/sql';
import { tracedBatch } from '@newsfacts/platform/tracing';
import {
  Prisma,
  type Claim,
  type ClaimAspect,
  type Source,
  type Stance,
  type Statement,
} from './generated/prisma/client.ts';
import { contestedSql, questionKey } from './contested';
import type { StatementsPrisma } from './db';

/** Statements earliest first, undated last (index order of Statement(claimId | speakerId | eventId, saidAt, id)). */
const EARLIEST_FIRST: OrderColumn[] = [{ column: 'saidAt', nulls: 'last' }, { column: 'id' }];
/** Statements in the order of their source's text (index order of Statement(sourceId, spanStart, id)). */
const TEXT_ORDER: OrderColumn[] = [{ column: 'spanStart', nulls: 'last' }, { column: 'id' }];
const OLDEST_FIRST: OrderColumn[] = [{ column: 'createdAt' }, { column: 'id' }];

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 * With `raw` (raw-reads.ts) they are plain SQL on the driver; without, Prisma's.
 */
export function createLoaders(prisma: StatementsPrisma, raw?: RawQueryable) {
  const reads = raw ?? prisma;
  const sources = (column: 'id' | 'slug') =>
    rowsWhereIn<Source>(raw, 'Source', Prisma.SourceScalarFieldEnum, column, (keys) =>
      prisma.source.findMany({ where: { [column]: { in: keys } } }),
    );
  /** The first statements of each parent whose `column` matches, in `orderBy`, optionally of some stances only. */
  const statementsBy = (parentColumn: 'claimId' | 'speakerId' | 'eventId' | 'sourceId', orderBy: OrderColumn[]) =>
    lateralPageLoader<Statement, Stance[] | null>(reads, {
      table: 'Statement',
      parentColumn,
      where: (stances) => (stances ? (row) => anyOf(row, 'stance', stances, 'Stance') : undefined),
      orderBy,
    });

  return {
    claimById: rowsById(
      rowsWhereIn<Claim>(raw, 'Claim', Prisma.ClaimScalarFieldEnum, 'id', (ids) =>
        prisma.claim.findMany({ where: { id: { in: ids } } }),
      ),
    ),
    claimsByEventId: lateralPageLoader<Claim, ClaimAspect[] | null>(reads, {
      table: 'Claim',
      parentColumn: 'eventId',
      where: (aspects) => (aspects ? (row) => anyOf(row, 'aspect', aspects, 'ClaimAspect') : undefined),
      orderBy: OLDEST_FIRST,
    }),
    /** Walks each event's claims oldest first and stops at `first` contested ones. */
    contestedClaimsByEventId: lateralPageLoader<Claim>(reads, {
      table: 'Claim',
      parentColumn: 'eventId',
      where: () => contestedSql,
      orderBy: OLDEST_FIRST,
      // The rule reads each claim's row as it walks; a second lookup would only add work.
      wholeRows: true,
    }),
    /** Claims answering each question (a questionKey) about its event, oldest first. */
    claimsByQuestion: pageLoader((keys, first, _filters: null) => {
      const pairs = keys.map((key) => key.split('\u0000') as [string, string]);
      return reads.$queryRaw<Claim[]>(
        lateralPage({
          table: 'Claim',
          parent: [
            { column: 'eventId', type: 'uuid', values: pairs.map(([eventId]) => eventId) },
            { column: 'question', type: 'text', values: pairs.map(([, question]) => question) },
          ],
          orderBy: OLDEST_FIRST,
          first,
        }),
      );
    }, questionKey),
    /**
     * The distinct stances taken on each claim: an index probe per claim and stance, however many
     * statements it has (OFFSET 0 keeps the planner from making it a join over every statement).
     */
    stancesByClaimId: new DataLoader<string, Set<Stance>>(
      tracedBatch('stancesByClaimId', async (ids: readonly string[]) => {
        const rows = await reads.$queryRaw<Array<{ claimId: string; stance: Stance }>>(sql`
        SELECT parent.claim_id AS "claimId", stance.value AS stance
        FROM unnest(${[...ids]}::uuid[]) AS parent(claim_id) CROSS JOIN unnest(enum_range(NULL::"Stance")) AS stance(value)
        WHERE EXISTS (SELECT 1 FROM "Statement" WHERE "claimId" = parent.claim_id AND "Statement".stance = stance.value OFFSET 0)`);
        const byClaim = new Map(ids.map((id) => [id, new Set<Stance>()]));
        for (const row of rows) byClaim.get(row.claimId)?.add(row.stance);
        return ids.map((id) => byClaim.get(id)!);
      }),
    ),
    statementById: rowsById(
      rowsWhereIn<Statement>(raw, 'Statement', Prisma.StatementScalarFieldEnum, 'id', (ids) =>
        prisma.statement.findMany({ where: { id: { in: ids } } }),
      ),
    ),
    statementsByClaimId: statementsBy('claimId', EARLIEST_FIRST),
    statementsBySpeakerId: statementsBy('speakerId', EARLIEST_FIRST),
    statementsBySourceId: statementsBy('sourceId', TEXT_ORDER),
    statementsByEventId: statementsBy('eventId', EARLIEST_FIRST),
    /**
     * The contested claims each speaker took a stance on, in the order of their first statement
     * on each: walks the speaker's statements earliest first, keeping a statement when it is the
     * speaker's first on its claim (a probe of Statement(speakerId, claimId); OFFSET 0 keeps it a
     * probe per statement rather than a join over all of them) and the claim is contested, until
     * `first` are kept. A speaker whose claims are rarely contested is walked a long way. Not a
     * lateralPage: it walks one table (statements) to list rows of another (claims).
     */
    contestedClaimsBySpeakerId: pageLoader(
      (speakerIds, first, _filters: null) =>
        reads.$queryRaw<Array<Claim & { speakerId: string }>>(sql`
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
          ORDER BY ${orderClause('s', EARLIEST_FIRST)} LIMIT ${first}) claim
        ORDER BY claim."speakerId", claim."firstSaidAt" ASC NULLS LAST, claim."firstStatementId" ASC`),
      (claim) => claim.speakerId,
    ),
    sourceById: rowsById(sources('id')),
    sourceBySlug: rowsBySlug(sources('slug')),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
