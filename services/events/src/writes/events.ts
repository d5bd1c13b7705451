// Creating, changing and deleting events, with their participants, figures and the links they
// state to other events. Every write validates its whole input first (this service's records
// here, actors and claims with the services that own them), runs in one transaction with its
// change-log entry, and refuses, changing nothing, whatever it cannot do.
import { randomUUID } from 'node:crypto';
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import { confirmForeign, type ForeignReference, OWNERS, type PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  assertMayChange,
  changedFields,
  chooseSlug,
  createOnce,
  enumOf,
  fieldError,
  type FieldError,
  FieldErrorCode,
  inputRules,
  isForeignKeyViolation,
  isUniqueViolation,
  parseInput,
  recordChange,
  recordKey,
  type Referrer,
  refuseIfAny,
  rejectInput,
  resolveKeys,
  type SlugTable,
  slugTakenMeanwhile,
  StillReferenced,
  writerOf,
} from '@newsfacts/platform/writes';
import { checkDate } from '@newsfacts/platform/dated';
import type { EventsPrisma } from '../db';
import type { Event } from '../generated/prisma/client.ts';
import {
  DatePrecision,
  EventKind,
  EventRelationKind,
  FigureMetric,
  FigureQualifier,
  ParticipantRole,
} from '../generated/prisma/enums.ts';

const MAX_PARTICIPANTS = 100;
const MAX_FIGURES = 100;
const MAX_RELATIONS = 100;

const participant = z.object({
  actor: inputRules.id,
  role: enumOf(ParticipantRole),
  note: inputRules.text(2_000).nullish(),
  claim: inputRules.id.nullish(),
});

const figure = z.object({
  metric: enumOf(FigureMetric),
  value: z.number().int().min(0, { message: 'a count, zero or more' }),
  qualifier: enumOf(FigureQualifier),
  description: inputRules.text(1_000),
  claim: inputRules.id.nullish(),
});

// Only the kinds stored as stated. The others are how a link reads from its other end, or come from `parent`.
const relation = z.object({
  to: recordKey,
  kind: enumOf(
    EventRelationKind,
    'FOLLOWS, RELATED_TO or RESPONSE_TO: state PRECEDES and PROVOKED on the other event (as FOLLOWS and ' +
      'RESPONSE_TO), and PART_OF with parent',
  ),
  note: inputRules.text(2_000).nullish(),
});

const eventFields = {
  slug: inputRules.slug,
  title: inputRules.text(300),
  summary: inputRules.text(5_000),
  kind: enumOf(EventKind),
  startedAt: z.date().nullish(),
  endedAt: z.date().nullish(),
  datePrecision: enumOf(DatePrecision),
  place: recordKey.nullish(),
  parent: recordKey.nullish(),
  participants: z
    .array(participant)
    .max(MAX_PARTICIPANTS, { message: `at most ${MAX_PARTICIPANTS} participants` })
    .nullish(),
  figures: z
    .array(figure)
    .max(MAX_FIGURES, { message: `at most ${MAX_FIGURES} figures` })
    .nullish(),
  relations: z
    .array(relation)
    .max(MAX_RELATIONS, { message: `at most ${MAX_RELATIONS} links` })
    .nullish(),
};

const createInput = z.object({
  ...eventFields,
  slug: eventFields.slug.nullish(),
  externalId: inputRules.externalId.nullish(),
});

// An update names the record and gives any of its fields.
const updateInput = z.object(eventFields).partial().extend({ id: inputRules.id });

/** What the checks below read of a create's or an update's input. */
type EventInput = Partial<Omit<z.output<z.ZodObject<typeof eventFields>>, 'slug'>>;
type ParticipantValue = z.output<typeof participant>;
type FigureValue = z.output<typeof figure>;
type RelationValue = z.output<typeof relation>;

/**
 * The dates an event will have, checked together: each fits the precision and is not in the
 * future, and an end needs a start and does not come before it. A date the input left alone
 * but the new precision does not fit is refused at datePrecision.
 */
function checkDates(
  dates: { startedAt: Date | null; endedAt: Date | null; datePrecision: DatePrecision },
  input: EventInput,
): FieldError[] {
  const at = (field: 'startedAt' | 'endedAt') => ['input', input[field] !== undefined ? field : 'datePrecision'];
  const errors: FieldError[] = [];
  if (dates.startedAt) errors.push(...checkDate(at('startedAt'), dates.startedAt, dates.datePrecision));
  if (dates.endedAt) {
    errors.push(...checkDate(at('endedAt'), dates.endedAt, dates.datePrecision));
    if (!dates.startedAt) {
      errors.push(fieldError(['input', 'endedAt'], FieldErrorCode.INVALID, 'an end needs a start: give startedAt'));
    } else if (dates.endedAt < dates.startedAt) {
      errors.push(fieldError(['input', 'endedAt'], FieldErrorCode.INVALID, 'must not be before startedAt'));
    }
  }
  return errors;
}

/** Refuses a second participation of one actor in one role (the database keeps one). */
function duplicateParticipants(actorIds: string[], participants: ParticipantValue[]): FieldError[] {
  const seen = new Set<string>();
  return participants.flatMap((value, index) => {
    const key = `${actorIds[index]} ${value.role}`;
    if (!seen.has(key)) {
      seen.add(key);
      return [];
    }
    return [
      fieldError(
        ['input', 'participants', index, 'actor'],
        FieldErrorCode.TAKEN,
        `The actor ${actorIds[index]} is listed twice as ${value.role}.`,
      ),
    ];
  });
}

interface LocalReferences {
  /** undefined: not given; null: cleared. */
  placeId: string | null | undefined;
  parentId: string | null | undefined;
  relationTargets: string[];
}

/**
 * The place, parent and linked events the input names, all records of this service, each
 * checked: it exists, it is not the event itself, and a parent does not make a cycle.
 */
async function resolveLocal(prisma: EventsPrisma, input: EventInput, selfId?: string): Promise<LocalReferences> {
  const findEvents = (ids: string[], slugs: string[]) =>
    prisma.event.findMany({
      where: { OR: [{ id: { in: ids } }, { slug: { in: slugs } }] },
      select: { id: true, slug: true },
    });
  const [place, parent, targets] = await Promise.all([
    resolveKeys(
      (ids, slugs) =>
        prisma.place.findMany({
          where: { OR: [{ id: { in: ids } }, { slug: { in: slugs } }] },
          select: { id: true, slug: true },
        }),
      'place',
      input.place ? [{ field: ['input', 'place'], key: input.place }] : [],
    ),
    resolveKeys(findEvents, 'event', input.parent ? [{ field: ['input', 'parent'], key: input.parent }] : []),
    resolveKeys(
      findEvents,
      'event',
      (input.relations ?? []).map((value, index) => ({ field: ['input', 'relations', index, 'to'], key: value.to })),
    ),
  ]);
  const errors = [...place.errors, ...parent.errors, ...targets.errors];
  const parentId = parent.rows[0]?.id;
  if (parentId && parentId === selfId) {
    errors.push(fieldError(['input', 'parent'], FieldErrorCode.INVALID, 'An event cannot be part of itself.'));
  } else if (parentId && selfId && (await isWithin(prisma, parentId, selfId))) {
    errors.push(
      fieldError(['input', 'parent'], FieldErrorCode.INVALID, `"${input.parent}" is part of this event: a cycle.`),
    );
  }
  const seen = new Set<string>();
  (input.relations ?? []).forEach((value: RelationValue, index) => {
    const target = targets.rows[index]?.id;
    if (!target) return;
    const field = ['input', 'relations', index, 'to'];
    if (target === selfId) errors.push(fieldError(field, FieldErrorCode.INVALID, 'An event cannot link to itself.'));
    else if (seen.has(`${target} ${value.kind}`)) {
      errors.push(fieldError(field, FieldErrorCode.TAKEN, `The link ${value.kind} "${value.to}" is listed twice.`));
    }
    seen.add(`${target} ${value.kind}`);
  });
  refuseIfAny(errors);
  return {
    placeId: input.place === undefined ? undefined : (place.rows[0]?.id ?? null),
    parentId: input.parent === undefined ? undefined : (parentId ?? null),
    relationTargets: targets.rows.map((row) => row!.id),
  };
}

/** Whether `eventId` is `ancestorId` or one of its parts, however deep. */
async function isWithin(prisma: EventsPrisma, eventId: string, ancestorId: string): Promise<boolean> {
  // UNION, not UNION ALL: a chain that somehow loops still ends.
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE chain(id, "parentId") AS (
      SELECT id, "parentId" FROM "Event" WHERE id = ${eventId}::uuid
      UNION SELECT e.id, e."parentId" FROM "Event" e JOIN chain c ON e.id = c."parentId"
    )
    SELECT id::text FROM chain WHERE id = ${ancestorId}::uuid`;
  return rows.length > 0;
}

interface ForeignIds {
  actorIds: string[];
  participantClaimIds: Array<string | null>;
  figureClaimIds: Array<string | null>;
}

/**
 * The participants' actors and the claims participants and figures rest on, asked of the
 * actors and statements services together. Either one down refuses the write.
 */
async function resolveForeign(peers: PeerClient, principal: ForwardedPrincipal | null, input: EventInput) {
  const participants = input.participants ?? [];
  const figures = input.figures ?? [];
  const actorRefs: ForeignReference[] = participants.map((value, index) => ({
    field: ['input', 'participants', index, 'actor'],
    id: value.actor,
  }));
  const claimsOf = (list: 'participants' | 'figures', values: Array<{ claim?: string | null }>) =>
    values.map((value, index): ForeignReference | null =>
      value.claim ? { field: ['input', list, index, 'claim'], id: value.claim } : null,
    );
  const participantClaims = claimsOf('participants', participants);
  const figureClaims = claimsOf('figures', figures);
  const claimRefs = [...participantClaims, ...figureClaims].filter((ref): ref is ForeignReference => ref !== null);
  refuseIfAny(
    duplicateParticipants(
      participants.map((value) => value.actor),
      participants,
    ),
  );
  const [actors, claims] = await Promise.all([
    confirmForeign(peers, principal, OWNERS.actor, actorRefs),
    confirmForeign(peers, principal, OWNERS.claim, claimRefs),
  ]);
  refuseIfAny([...actors.errors, ...claims.errors]);
  // Two ids of one merged actor come back as one survivor: the same participation twice.
  refuseIfAny(duplicateParticipants(actors.ids, participants));
  const confirmed = new Map(claimRefs.map((ref, index) => [ref, claims.ids[index]!]));
  const claimId = (ref: ForeignReference | null) => (ref ? confirmed.get(ref)! : null);
  return {
    actorIds: actors.ids,
    participantClaimIds: participantClaims.map(claimId),
    figureClaimIds: figureClaims.map(claimId),
  } satisfies ForeignIds;
}

const listRows = (eventId: string, input: EventInput, local: LocalReferences, foreign: ForeignIds) => ({
  participants: (input.participants ?? []).map((value, index) => ({
    id: randomUUID(),
    eventId,
    actorId: foreign.actorIds[index]!,
    role: value.role,
    note: value.note ?? null,
    claimId: foreign.participantClaimIds[index] ?? null,
  })),
  figures: (input.figures ?? []).map((value: FigureValue, index) => ({
    id: randomUUID(),
    eventId,
    metric: value.metric,
    value: value.value,
    qualifier: value.qualifier,
    description: value.description,
    claimId: foreign.figureClaimIds[index] ?? null,
  })),
  relations: (input.relations ?? []).map((value, index) => ({
    id: randomUUID(),
    fromEventId: eventId,
    toEventId: local.relationTargets[index]!,
    kind: value.kind,
    note: value.note ?? null,
  })),
});

const LISTS = ['participants', 'figures', 'relations'] as const;
const listsGiven = (input: EventInput) => LISTS.filter((list) => input[list] != null);

// What makes two rows of a list the same, ids aside.
const LIST_FIELDS = {
  participants: ['actorId', 'role', 'note', 'claimId'],
  figures: ['metric', 'value', 'qualifier', 'description', 'claimId'],
  relations: ['toEventId', 'kind', 'note'],
} as const;

/** The lists given that differ from those stored: restating a list (a re-imported package) changes nothing. */
async function listsChanged(
  prisma: Pick<EventsPrisma, 'participant' | 'figure' | 'eventRelation'>,
  eventId: string,
  given: Array<(typeof LISTS)[number]>,
  lists: ReturnType<typeof listRows>,
): Promise<Array<(typeof LISTS)[number]>> {
  const stored = {
    participants: () => prisma.participant.findMany({ where: { eventId } }),
    figures: () => prisma.figure.findMany({ where: { eventId } }),
    relations: () => prisma.eventRelation.findMany({ where: { fromEventId: eventId } }),
  };
  const changed = await Promise.all(
    given.map(async (list) => {
      const fields: readonly string[] = LIST_FIELDS[list];
      const signature = (rows: object[]) =>
        rows
          .map((row) => JSON.stringify(fields.map((field) => (row as Record<string, unknown>)[field] ?? null)))
          .sort()
          .join('\n');
      return signature(await stored[list]()) !== signature(lists[list]);
    }),
  );
  return given.filter((_list, index) => changed[index]);
}

// A merged event's old slug stays taken, by the merged event: it leads to the survivor forever.
const slugTable = (prisma: EventsPrisma): SlugTable => ({
  holderOf: async (slug) =>
    (await prisma.event.findUnique({ where: { slug }, select: { id: true } })) ??
    (await prisma.eventRedirect
      .findUnique({ where: { fromSlug: slug }, select: { fromId: true } })
      .then((redirect) => redirect && { id: redirect.fromId })),
  startingWith: async (base) => [
    ...(await prisma.event.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })),
    ...(
      await prisma.eventRedirect.findMany({ where: { fromSlug: { startsWith: base } }, select: { fromSlug: true } })
    ).map((redirect) => ({ slug: redirect.fromSlug })),
  ],
});

/** The part of an event a repeat create is compared on. */
const comparable = (event: {
  title: string;
  summary: string;
  kind: string;
  startedAt?: Date | null;
  endedAt?: Date | null;
  datePrecision: string;
}) =>
  JSON.stringify([
    event.title,
    event.summary,
    event.kind,
    event.startedAt?.toISOString() ?? null,
    event.endedAt?.toISOString() ?? null,
    event.datePrecision,
  ]);

/** A place or event the write points at was deleted between the check and the write. */
const referenceGoneMeanwhile = () =>
  rejectInput(
    ['input'],
    FieldErrorCode.UNKNOWN_REFERENCE,
    'A place or event this one refers to was deleted meanwhile; nothing was written.',
  );

export async function createEvent(
  prisma: EventsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Event> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);
  const dates = { startedAt: input.startedAt ?? null, endedAt: input.endedAt ?? null };
  refuseIfAny(checkDates({ ...dates, datePrecision: input.datePrecision }, input));

  return createOnce({
    what: 'event',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.event.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(input),
    onTaken: slugTakenMeanwhile,
    create: async () => {
      // This service's own references first: an input already refused here need not wait on the others.
      const local = await resolveLocal(prisma, input);
      const foreign = await resolveForeign(peers, principal, input);
      const slug = await chooseSlug(slugTable(prisma), input.slug, input.title, 'event');
      const id = newRecordId('event', writer, input.externalId);
      const fields = {
        slug,
        title: input.title,
        summary: input.summary,
        kind: input.kind,
        ...dates,
        datePrecision: input.datePrecision,
        placeId: local.placeId ?? null,
        parentId: local.parentId ?? null,
      };
      const lists = listRows(id, input, local, foreign);
      return prisma.$transaction(async (tx) => {
        const event = await tx.event.create({
          data: { id, ...fields, createdBy: writer, externalId: input.externalId ?? null },
        });
        if (lists.participants.length) await tx.participant.createMany({ data: lists.participants });
        if (lists.figures.length) await tx.figure.createMany({ data: lists.figures });
        if (lists.relations.length) await tx.eventRelation.createMany({ data: lists.relations });
        await recordChange(tx, {
          entityType: 'Event',
          entityId: id,
          operation: 'CREATE',
          by: writer,
          fields: [...Object.keys(fields), ...listsGiven(input)],
        });
        return event;
      });
    },
  });
}

export async function updateEvent(
  prisma: EventsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Event> {
  const input = parseInput(updateInput, rawInput);
  const event = await prisma.event.findUnique({ where: { id: input.id } });
  if (!event) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No event has the id ${input.id}.`);
  const writer = assertMayChange(principal, event, `Event ${event.id}`);
  const dates = {
    startedAt: input.startedAt === undefined ? event.startedAt : input.startedAt,
    endedAt: input.endedAt === undefined ? event.endedAt : input.endedAt,
  };
  refuseIfAny(checkDates({ ...dates, datePrecision: input.datePrecision ?? event.datePrecision }, input));
  const local = await resolveLocal(prisma, input, event.id);
  const foreign = await resolveForeign(peers, principal, input);
  const slug =
    input.slug === undefined
      ? undefined
      : await chooseSlug(slugTable(prisma), input.slug, event.title, 'event', event.id);
  const given = {
    slug,
    title: input.title,
    summary: input.summary,
    kind: input.kind,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    datePrecision: input.datePrecision,
    placeId: local.placeId,
    parentId: local.parentId,
  };
  const lists = listRows(event.id, input, local, foreign);
  const listsToRestate = listsGiven(input);
  if (!changedFields(event, given).length && !(await listsChanged(prisma, event.id, listsToRestate, lists)).length) {
    return event;
  }
  try {
    return await prisma.$transaction(async (tx) => {
      // Two updates restating the same lists at once (two imports of one package) must not both
      // replace them: the second waits for the first, then finds nothing to change.
      await tx.$queryRaw`SELECT id FROM "Event" WHERE id = ${event.id}::uuid FOR UPDATE`;
      const current = await tx.event.findUniqueOrThrow({ where: { id: event.id } });
      const replaced = await listsChanged(tx, event.id, listsToRestate, lists);
      const fields = [...changedFields(current, given), ...replaced];
      if (!fields.length) return current;
      const updated = await tx.event.update({ where: { id: event.id }, data: given });
      if (replaced.includes('participants')) {
        await tx.participant.deleteMany({ where: { eventId: event.id } });
        await tx.participant.createMany({ data: lists.participants });
      }
      if (replaced.includes('figures')) {
        await tx.figure.deleteMany({ where: { eventId: event.id } });
        await tx.figure.createMany({ data: lists.figures });
      }
      if (replaced.includes('relations')) {
        // The links this event states; those other events state about it are theirs.
        await tx.eventRelation.deleteMany({ where: { fromEventId: event.id } });
        await tx.eventRelation.createMany({ data: lists.relations });
      }
      await recordChange(tx, { entityType: 'Event', entityId: event.id, operation: 'UPDATE', by: writer, fields });
      return updated;
    });
  } catch (error) {
    if (isUniqueViolation(error) && slug) {
      rejectInput(['input', 'slug'], FieldErrorCode.TAKEN, `The slug "${slug}" was taken meanwhile; try again.`);
    }
    if (isForeignKeyViolation(error)) referenceGoneMeanwhile();
    throw error;
  }
}

type EventReader = Pick<EventsPrisma, 'event' | 'eventRelation'>;

/**
 * What in this service still refers to an event: its sub-events, and the links other events
 * state to it. Its own participants, figures and links are part of it and go with it.
 */
async function referrersHere(prisma: EventReader, eventId: string): Promise<Referrer[]> {
  const [subEvents, links] = await Promise.all([
    prisma.event.findMany({ where: { parentId: eventId }, select: { id: true }, orderBy: { id: 'asc' }, take: 20 }),
    prisma.eventRelation.findMany({
      where: { toEventId: eventId },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 20,
    }),
  ]);
  return [
    ...subEvents.map(({ id }) => ({ type: 'Event', id, service: 'events' })),
    ...links.map(({ id }) => ({ type: 'EventRelation', id, service: 'events' })),
  ];
}

/** The first claims about an event, asked of the statements service. */
async function referrersInStatements(peers: PeerClient, principal: ForwardedPrincipal | null, eventId: string) {
  const data = await peers.query<{ _entities: Array<{ referrersInStatements: Referrer[] } | null> }>(
    'statements',
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Event { referrersInStatements(first: 20) { type id service } } }
    }`,
    { representations: [{ __typename: 'Event', id: eventId }] },
    principal,
  );
  return data._entities[0]?.referrersInStatements ?? [];
}

const eventReferenced = (referrers: Referrer[]) =>
  new StillReferenced(referrers, 'event', 'delete or re-point those records first.');

export async function deleteEvent(
  prisma: EventsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const event = await prisma.event.findUnique({ where: { id: input.id } });
  if (!event) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No event has the id ${input.id}.`);
  const writer = assertMayChange(principal, event, `Event ${event.id}`);
  // Asked before deleting: a service that cannot answer refuses the delete rather than risk a dangling reference.
  const [here, inStatements] = await Promise.all([
    referrersHere(prisma, event.id),
    referrersInStatements(peers, principal, event.id),
  ]);
  if (here.length || inStatements.length) throw eventReferenced([...here, ...inStatements]);
  await prisma.$transaction(async (tx) => {
    // Links to the event would cascade away with it, so one made meanwhile must stop the delete:
    // locking the event waits for any insert that holds it (a foreign key check) and keeps new ones out.
    await tx.$queryRaw`SELECT id FROM "Event" WHERE id = ${event.id}::uuid FOR UPDATE`;
    const meanwhile = await referrersHere(tx, event.id);
    if (meanwhile.length) throw eventReferenced(meanwhile);
    await tx.event.delete({ where: { id: event.id } });
    await recordChange(tx, { entityType: 'Event', entityId: event.id, operation: 'DELETE', by: writer, fields: [] });
  });
  return event.id;
}
