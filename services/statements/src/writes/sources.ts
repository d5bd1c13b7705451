// Creating, changing and deleting sources. A source keeps the text its statements point into;
// its SHA-256 is computed from that text on every write, never taken from the input. A new text
// moves each statement's span to where its words now are, in the same transaction.
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  assertMayChange,
  changedFields,
  chooseSlug,
  createOnce,
  fieldError,
  type FieldError,
  FieldErrorCode,
  inputRules,
  isForeignKeyViolation,
  parseInput,
  recordChange,
  refuseIfAny,
  rejectInput,
  type SlugTable,
  slugTakenMeanwhile,
  StillReferenced,
  writerOf,
} from '@newsfacts/platform/writes';
import { checkDate } from '@newsfacts/platform/dated';
import { isHttpUrl, precision, sha256 } from './shared';
import type { StatementsPrisma } from '../db';
import type { Source } from '../generated/prisma/client.ts';
import {
  anchorQuote,
  findAll,
  searchable,
  sentenceAround,
  spanInside,
  type Searchable,
  type Span,
} from '@newsfacts/platform/quotes';

const MAX_TEXT = 1_000_000;
/** How many statements a refused change of text names, at most. */
const MAX_NAMED = 20;

const sourceFields = {
  slug: inputRules.slug,
  publisher: inputRules.text(300).nullish(),
  title: inputRules.text(500),
  url: z
    .string()
    .max(2_000)
    .refine(isHttpUrl, { message: 'an http or https address, e.g. https://example.org/report' })
    .nullish(),
  publishedAt: z.date(),
  publishedAtPrecision: precision,
  language: inputRules.language,
  // Kept exactly as given, untrimmed: spans are offsets into it.
  text: z
    .string()
    .max(MAX_TEXT)
    .refine((text) => text.trim().length > 0, { message: 'must not be empty' })
    .nullish(),
  note: inputRules.text(5_000).nullish(),
};

const createInput = z.object({
  ...sourceFields,
  slug: sourceFields.slug.nullish(),
  externalId: inputRules.externalId.nullish(),
});

// An update names the record and gives any of its fields.
const updateInput = z.object(sourceFields).partial().extend({ id: inputRules.id });

/** The sources' slugs, for the platform's chooseSlug. */
const sourceSlugs = (prisma: StatementsPrisma): SlugTable => ({
  holderOf: (slug) => prisma.source.findUnique({ where: { slug }, select: { id: true } }),
  startingWith: (base) => prisma.source.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } }),
});

/** The part of a source a repeat create is compared on. */
const comparable = (source: z.output<typeof createInput> | Source) =>
  JSON.stringify([
    source.publisher ?? null,
    source.title,
    source.url ?? null,
    source.publishedAt.toISOString(),
    source.publishedAtPrecision,
    source.language,
    source.text ?? null,
    source.note ?? null,
  ]);

export async function createSource(
  prisma: StatementsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Source> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);
  refuseIfAny(checkDate(['input', 'publishedAt'], input.publishedAt, input.publishedAtPrecision));

  return createOnce({
    what: 'source',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.source.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(input) && (!input.slug || input.slug === existing.slug),
    onTaken: slugTakenMeanwhile,
    create: async () => {
      const slug = await chooseSlug(sourceSlugs(prisma), input.slug, input.title, 'source');
      const id = newRecordId('source', writer, input.externalId);
      const fields = {
        slug,
        publisher: input.publisher ?? null,
        title: input.title,
        url: input.url ?? null,
        publishedAt: input.publishedAt,
        publishedAtPrecision: input.publishedAtPrecision,
        language: input.language,
        text: input.text ?? null,
        contentSha256: input.text == null ? null : sha256(input.text),
        note: input.note ?? null,
      };
      return prisma.$transaction(async (tx) => {
        const source = await tx.source.create({
          data: { id, ...fields, createdBy: writer, externalId: input.externalId ?? null },
        });
        await recordChange(tx, {
          entityType: 'Source',
          entityId: id,
          operation: 'CREATE',
          by: writer,
          fields: Object.keys(fields),
        });
        return source;
      });
    },
  });
}

interface Moved {
  id: string;
  span: Span;
}

/**
 * Where each statement reported in a source points once its text is replaced: a span moves to
 * where the words it covered now are (its sentence decides between repeats); a quote not yet
 * anchored is anchored. Words no longer in the text, or found twice, refuse the new text.
 */
async function anchorAgain(prisma: StatementsPrisma, source: Source, newText: string): Promise<Moved[]> {
  const statements = await prisma.statement.findMany({
    where: { sourceId: source.id },
    select: { id: true, quote: true, spanStart: true, spanEnd: true },
    orderBy: [{ spanStart: 'asc' }, { id: 'asc' }],
  });
  const within = searchable(newText);
  const old = source.text == null ? null : searchable(source.text);
  const errors: FieldError[] = [];
  const moved: Moved[] = [];
  for (const statement of statements) {
    const span =
      statement.spanStart != null && statement.spanEnd != null
        ? { start: statement.spanStart, end: statement.spanEnd }
        : null;
    const placed = placeAgain(within, old, span, statement.quote);
    if ('span' in placed) {
      if (placed.span && (placed.span.start !== span?.start || placed.span.end !== span?.end)) {
        moved.push({ id: statement.id, span: placed.span });
      }
    } else if (errors.length < MAX_NAMED) {
      errors.push(fieldError(['input', 'text'], placed.code, `Statement ${statement.id}: ${placed.message}`));
    }
  }
  refuseIfAny(errors);
  return moved;
}

type Placement = { span: Span | null } | { code: FieldErrorCode; message: string };

function placeAgain(within: Searchable, old: Searchable | null, span: Span | null, quote: string | null): Placement {
  if (span && old) {
    // The words the span covered, and their sentence to tell repeats apart.
    const words = old.text.slice(span.start, span.end);
    const anchoring = anchorQuote(within, words);
    if (anchoring.outcome === 'anchored') return { span: anchoring.span };
    if (anchoring.outcome === 'ambiguous') {
      const bySentence = anchorQuote(within, words, { context: sentenceAround(old.text, span) });
      if (bySentence.outcome === 'anchored') return { span: bySentence.span };
    }
    return anchoring.outcome === 'ambiguous'
      ? {
          code: 'AMBIGUOUS_QUOTE',
          message: `the words its span covers occur ${anchoring.count} times in the new text.`,
        }
      : { code: 'QUOTE_NOT_IN_SOURCE', message: 'the words its span covers are not in the new text.' };
  }
  if (span) {
    // The text was not stored before (the seed's report): the span must fit the new one and hold its quote.
    if (!spanInside(within.text, span)) {
      return { code: 'INVALID', message: `its span (${span.start}–${span.end}) does not lie inside the new text.` };
    }
    if (quote && !findAll(within.text.slice(span.start, span.end), quote).length) {
      return { code: 'QUOTE_NOT_IN_SOURCE', message: 'its quote is not inside its span of the new text.' };
    }
    return { span: null };
  }
  if (!quote) return { span: null };
  const anchoring = anchorQuote(within, quote);
  if (anchoring.outcome === 'anchored') return { span: anchoring.span };
  return anchoring.outcome === 'ambiguous'
    ? { code: 'AMBIGUOUS_QUOTE', message: `its quote occurs ${anchoring.count} times in the new text.` }
    : { code: 'QUOTE_NOT_IN_SOURCE', message: 'its quote is not in the new text.' };
}

export async function updateSource(
  prisma: StatementsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Source> {
  const input = parseInput(updateInput, rawInput);
  const source = await prisma.source.findUnique({ where: { id: input.id } });
  if (!source) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No source has the id ${input.id}.`);
  const writer = assertMayChange(principal, source, `Source ${source.id}`);
  const publishedAt = input.publishedAt ?? source.publishedAt;
  const publishedAtPrecision = input.publishedAtPrecision ?? source.publishedAtPrecision;
  refuseIfAny(
    checkDate(['input', input.publishedAt ? 'publishedAt' : 'publishedAtPrecision'], publishedAt, publishedAtPrecision),
  );
  const slug =
    input.slug === undefined
      ? undefined
      : await chooseSlug(sourceSlugs(prisma), input.slug, source.title, 'source', source.id);

  const textChanged = input.text !== undefined && input.text !== source.text;
  let moved: Moved[] = [];
  if (textChanged && input.text != null) moved = await anchorAgain(prisma, source, input.text);
  if (textChanged && input.text == null) {
    const pointing = await prisma.statement.count({ where: { sourceId: source.id, spanStart: { not: null } } });
    if (pointing) {
      rejectInput(
        ['input', 'text'],
        FieldErrorCode.INVALID,
        `${pointing} statement(s) point into the text: it can be replaced, not removed.`,
      );
    }
  }
  const given = {
    slug,
    publisher: input.publisher,
    title: input.title,
    url: input.url,
    publishedAt: input.publishedAt,
    publishedAtPrecision: input.publishedAtPrecision,
    language: input.language,
    note: input.note,
    ...(textChanged ? { text: input.text, contentSha256: input.text == null ? null : sha256(input.text) } : {}),
  };
  const fields = changedFields(source, given);
  if (!fields.length) return source;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.source.update({ where: { id: source.id }, data: given });
    for (const statement of moved) {
      await tx.statement.update({
        where: { id: statement.id },
        data: { spanStart: statement.span.start, spanEnd: statement.span.end },
      });
      await recordChange(tx, {
        entityType: 'Statement',
        entityId: statement.id,
        operation: 'UPDATE',
        by: writer,
        fields: ['spanStart', 'spanEnd'],
      });
    }
    await recordChange(tx, { entityType: 'Source', entityId: source.id, operation: 'UPDATE', by: writer, fields });
    return updated;
  });
}

/** The first statements reported in a source. */
const statementsIn = async (prisma: StatementsPrisma, sourceId: string) =>
  (
    await prisma.statement.findMany({ where: { sourceId }, select: { id: true }, orderBy: { id: 'asc' }, take: 20 })
  ).map(({ id }) => ({ type: 'Statement', id, service: 'statements' }));

const sourceReferenced = (referrers: Awaited<ReturnType<typeof statementsIn>>) =>
  new StillReferenced(referrers, 'source', 'delete those statements first, or report them in another source.');

export async function deleteSource(
  prisma: StatementsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const source = await prisma.source.findUnique({ where: { id: input.id } });
  if (!source) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No source has the id ${input.id}.`);
  const writer = assertMayChange(principal, source, `Source ${source.id}`);
  const referrers = await statementsIn(prisma, source.id);
  if (referrers.length) throw sourceReferenced(referrers);
  try {
    await prisma.$transaction(async (tx) => {
      await tx.source.delete({ where: { id: source.id } });
      await recordChange(tx, {
        entityType: 'Source',
        entityId: source.id,
        operation: 'DELETE',
        by: writer,
        fields: [],
      });
    });
  } catch (error) {
    // A statement reported in it meanwhile: the foreign key refused the delete.
    if (isForeignKeyViolation(error)) throw sourceReferenced(await statementsIn(prisma, source.id));
    throw error;
  }
  return source.id;
}
