// Creating, changing and deleting statements. Everything this service can check itself (the
// claim, the source, the quote in the source's text, dates) is checked first, all at once; then
// the actors service is asked about the speaker and the outlet. A statement's quote is anchored
// by its words: found in its source's text, its span is recorded from where it is.
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import { confirmForeign, OWNERS, type ForeignReference, type PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  assertMayChange,
  changedFields,
  createOnce,
  enumOf,
  type FieldError,
  fieldError,
  FieldErrorCode,
  inputRules,
  isForeignKeyViolation,
  isUniqueViolation,
  parseInput,
  recordChange,
  refuseIfAny,
  rejectInput,
  writerOf,
} from '@newsfacts/platform/writes';
import { checkDate, periodEnd } from '@newsfacts/platform/dated';
import { precision } from './shared';
import type { StatementsPrisma } from '../db';
import type { Source, Statement } from '../generated/prisma/client.ts';
import { Channel, Stance, type DatePrecision } from '../generated/prisma/enums.ts';
import { placeStatement } from '@newsfacts/platform/quotes';
import { sourceText } from './source-texts';

const span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });

const statementFields = {
  claimId: inputRules.id,
  speakerId: inputRules.id,
  stance: enumOf(Stance),
  quote: inputRules.text(5_000).nullish(),
  paraphrase: inputRules.text(5_000).nullish(),
  saidAt: z.date().nullish(),
  saidAtPrecision: precision.nullish(),
  channel: enumOf(Channel),
  channelDetail: inputRules.text(300).nullish(),
  outletId: inputRules.id.nullish(),
  sourceId: inputRules.id,
  note: inputRules.text(5_000).nullish(),
};
/** What picks where a quote is, when it is given; not stored as such (the span is). */
const anchorHints = { quoteContext: inputRules.text(2_000).nullish(), span: span.nullish() };

const createInput = z.object({ ...statementFields, ...anchorHints, externalId: inputRules.externalId.nullish() });

type StatementValues = z.output<z.ZodObject<typeof statementFields>>;
const updateInput = z.object({
  id: inputRules.id,
  ...anchorHints,
  ...Object.fromEntries(Object.entries(statementFields).map(([field, rule]) => [field, rule.optional()])),
}) as z.ZodType<{ id: string } & z.output<z.ZodObject<typeof anchorHints>> & Partial<StatementValues>>;

/** The rules on a statement as a whole: its words, and when it was said. */
function checkWhole(
  values: StatementValues,
  source: Pick<Source, 'publishedAt' | 'publishedAtPrecision'> | null,
  given: Partial<StatementValues>,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!values.quote && !values.paraphrase) {
    const field = given.paraphrase === null ? 'paraphrase' : 'quote';
    errors.push(fieldError(['input', field], FieldErrorCode.INVALID, 'give the quote or a paraphrase (or both)'));
  }
  if (values.saidAt && !values.saidAtPrecision) {
    errors.push(fieldError(['input', 'saidAtPrecision'], FieldErrorCode.INVALID, 'give it with saidAt'));
  } else if (!values.saidAt && values.saidAtPrecision) {
    errors.push(fieldError(['input', 'saidAt'], FieldErrorCode.INVALID, 'give it with saidAtPrecision'));
  } else if (values.saidAt && values.saidAtPrecision) {
    const field = given.saidAt ? 'saidAt' : 'saidAtPrecision';
    const dated = checkDate(['input', field], values.saidAt, values.saidAtPrecision);
    errors.push(...dated);
    if (!dated.length && source && values.saidAt >= periodEnd(source.publishedAt, source.publishedAtPrecision)) {
      errors.push(
        fieldError(
          ['input', field],
          FieldErrorCode.INVALID,
          `is after the source reporting it was published (${describeDate(source.publishedAt, source.publishedAtPrecision)})`,
        ),
      );
    }
  }
  return errors;
}

const describeDate = (instant: Date, datePrecision: DatePrecision) =>
  ({ EXACT: instant.toISOString(), DAY: instant.toISOString().slice(0, 10), MONTH: instant.toISOString().slice(0, 7) })[
    datePrecision as 'EXACT' | 'DAY' | 'MONTH'
  ] ?? instant.toISOString().slice(0, 4);

/** The claim and source a statement names, or UNKNOWN_REFERENCE errors at their fields. */
async function localReferences(prisma: StatementsPrisma, claimId: string | undefined, sourceId: string | undefined) {
  const [claim, source] = await Promise.all([
    claimId ? prisma.claim.findUnique({ where: { id: claimId } }) : null,
    // Its text (up to a megabyte) only through sourceText, which keeps it for the next statement.
    sourceId ? prisma.source.findUnique({ where: { id: sourceId }, omit: { text: true } }) : null,
  ]);
  const errors: FieldError[] = [];
  if (claimId && !claim)
    errors.push(fieldError(['input', 'claimId'], FieldErrorCode.UNKNOWN_REFERENCE, `No claim has the id ${claimId}.`));
  if (sourceId && !source) {
    errors.push(
      fieldError(['input', 'sourceId'], FieldErrorCode.UNKNOWN_REFERENCE, `No source has the id ${sourceId}.`),
    );
  }
  return { claim, source, errors };
}

/** The speaker and outlet as the actors service knows them (a merged actor's survivor). */
async function confirmActors(
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  actors: { speakerId?: string; outletId?: string | null },
): Promise<{ speakerId?: string; outletId?: string }> {
  const references: Array<ForeignReference & { role: 'speakerId' | 'outletId' }> = [];
  if (actors.speakerId) references.push({ role: 'speakerId', field: ['input', 'speakerId'], id: actors.speakerId });
  if (actors.outletId) references.push({ role: 'outletId', field: ['input', 'outletId'], id: actors.outletId });
  const { ids, errors } = await confirmForeign(peers, principal, OWNERS.actor, references);
  refuseIfAny(errors);
  return Object.fromEntries(references.map((reference, index) => [reference.role, ids[index]]));
}

/** The part of a statement a repeat create is compared on. */
const comparable = (statement: Partial<StatementValues> | Statement) =>
  JSON.stringify([
    statement.claimId,
    statement.speakerId,
    statement.stance,
    statement.quote ?? null,
    statement.paraphrase ?? null,
    statement.saidAt?.toISOString() ?? null,
    statement.saidAtPrecision ?? null,
    statement.channel,
    statement.channelDetail ?? null,
    statement.outletId ?? null,
    statement.sourceId,
    statement.note ?? null,
  ]);

export async function createStatement(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Statement> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);

  return createOnce({
    what: 'statement',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.statement.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(input),
    create: async () => {
      const { claim, source, errors } = await localReferences(prisma, input.claimId, input.sourceId);
      const anchored = source
        ? placeStatement({ id: source.id, text: await sourceText(prisma, source) }, input.quote, input)
        : { span: null, errors: [] };
      refuseIfAny([...errors, ...checkWhole(input, source, input), ...anchored.errors]);
      // Asked only once everything else holds, and before writing: an actors service that cannot
      // answer refuses the statement rather than risk a dangling speaker.
      const actors = await confirmActors(peers, principal, input);

      const id = newRecordId('statement', writer, input.externalId);
      const fields = {
        claimId: claim!.id,
        eventId: claim!.eventId,
        speakerId: actors.speakerId!,
        stance: input.stance,
        quote: input.quote ?? null,
        paraphrase: input.paraphrase ?? null,
        saidAt: input.saidAt ?? null,
        saidAtPrecision: input.saidAtPrecision ?? null,
        channel: input.channel,
        channelDetail: input.channelDetail ?? null,
        outletId: actors.outletId ?? null,
        sourceId: source!.id,
        spanStart: anchored.span?.start ?? null,
        spanEnd: anchored.span?.end ?? null,
        note: input.note ?? null,
      };
      try {
        return await prisma.$transaction(async (tx) => {
          const statement = await tx.statement.create({
            data: { id, ...fields, createdBy: writer, externalId: input.externalId ?? null },
          });
          await recordChange(tx, {
            entityType: 'Statement',
            entityId: id,
            operation: 'CREATE',
            by: writer,
            fields: Object.keys(fields),
          });
          return statement;
        });
      } catch (error) {
        // A race for the externalId is createOnce's to settle; a foreign key refused is a reference gone meanwhile.
        if (isUniqueViolation(error)) throw error;
        return explainRefusedReference(prisma, error, fields);
      }
    },
  });
}

/** A claim or source deleted between the checks and the write, so the foreign keys refused it: say which. */
async function explainRefusedReference(
  prisma: StatementsPrisma,
  error: unknown,
  references: { claimId?: string; sourceId?: string },
): Promise<never> {
  if (isForeignKeyViolation(error))
    refuseIfAny((await localReferences(prisma, references.claimId, references.sourceId)).errors);
  throw error;
}

export async function updateStatement(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Statement> {
  const input = parseInput(updateInput, rawInput);
  const statement = await prisma.statement.findUnique({ where: { id: input.id } });
  if (!statement) {
    return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No statement has the id ${input.id}.`);
  }
  const writer = assertMayChange(principal, statement, `Statement ${statement.id}`);
  const claimChanged = input.claimId !== undefined && input.claimId !== statement.claimId;
  const local = await localReferences(
    prisma,
    claimChanged ? input.claimId : undefined,
    input.sourceId ?? statement.sourceId,
  );
  // Clearing saidAt clears its precision too, unless a precision is given.
  const saidAtPrecision = input.saidAt === null && input.saidAtPrecision === undefined ? null : input.saidAtPrecision;
  const given = { ...input, saidAtPrecision };
  const values: StatementValues = {
    ...(statement as StatementValues),
    ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
  };
  // Its words are placed again when anything that decides where they are changes.
  const placeAgain = [input.quote, input.sourceId, input.span, input.quoteContext].some((value) => value !== undefined);
  const anchored =
    placeAgain && local.source
      ? placeStatement({ id: local.source.id, text: await sourceText(prisma, local.source) }, values.quote, input)
      : { span: null, errors: [] as FieldError[] };
  refuseIfAny([...local.errors, ...checkWhole(values, local.source, given), ...anchored.errors]);
  const actors = await confirmActors(peers, principal, {
    speakerId: input.speakerId && input.speakerId !== statement.speakerId ? input.speakerId : undefined,
    outletId: input.outletId && input.outletId !== statement.outletId ? input.outletId : undefined,
  });

  const changes = {
    claimId: claimChanged ? local.claim!.id : undefined,
    eventId: claimChanged ? local.claim!.eventId : undefined,
    speakerId: actors.speakerId,
    stance: input.stance,
    quote: input.quote,
    paraphrase: input.paraphrase,
    saidAt: input.saidAt,
    saidAtPrecision,
    channel: input.channel,
    channelDetail: input.channelDetail,
    outletId: input.outletId === null ? null : actors.outletId,
    sourceId: input.sourceId,
    ...(placeAgain ? { spanStart: anchored.span?.start ?? null, spanEnd: anchored.span?.end ?? null } : {}),
    note: input.note,
  };
  const fields = changedFields(statement, changes);
  if (!fields.length) return statement;
  try {
    return await prisma.$transaction(async (tx) => {
      const updated = await tx.statement.update({ where: { id: statement.id }, data: changes });
      await recordChange(tx, {
        entityType: 'Statement',
        entityId: statement.id,
        operation: 'UPDATE',
        by: writer,
        fields,
      });
      return updated;
    });
  } catch (error) {
    return explainRefusedReference(prisma, error, { claimId: changes.claimId, sourceId: changes.sourceId });
  }
}

export async function deleteStatement(
  prisma: StatementsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const statement = await prisma.statement.findUnique({ where: { id: input.id } });
  if (!statement) {
    return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No statement has the id ${input.id}.`);
  }
  const writer = assertMayChange(principal, statement, `Statement ${statement.id}`);
  await prisma.$transaction(async (tx) => {
    await tx.statement.delete({ where: { id: statement.id } });
    await recordChange(tx, {
      entityType: 'Statement',
      entityId: statement.id,
      operation: 'DELETE',
      by: writer,
      fields: [],
    });
  });
  return statement.id;
}
