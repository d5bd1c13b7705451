// Merges: folding a duplicate event into the one that stays, and following the merges of the
// records other services own (an actors merge moves this service's participants).
import { fitsPrecision } from '@newsfacts/platform/dated';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  adminWriterOf,
  FieldErrorCode,
  inputRules,
  parseInput,
  recordChange,
  rejectInput,
} from '@newsfacts/platform/writes';
import { z } from 'zod';
import type { EventsPrisma } from '../db';
import type { Event } from '../generated/prisma/client.ts';

const mergeArgs = z.object({ from: inputRules.id, into: inputRules.id });

/**
 * After the actors service merged `from` into `into`: `from`'s participations become `into`'s,
 * a participation `into` already has in the same event and role absorbing its twin. Safe to
 * repeat (a second run finds nothing to move); each event touched logs the change.
 */
export async function followActorMerge(prisma: EventsPrisma, principal: ForwardedPrincipal | null, args: unknown) {
  const { from, into } = parseInput(mergeArgs, args);
  const writer = adminWriterOf(principal, 'Following an actors merge');
  return prisma.$transaction(async (tx) => {
    const moving = await tx.participant.findMany({
      where: { actorId: from },
      select: { id: true, eventId: true, role: true },
    });
    if (!moving.length) return 0;
    const twins = await tx.participant.findMany({
      where: { actorId: into, eventId: { in: moving.map((participant) => participant.eventId) } },
      select: { eventId: true, role: true },
    });
    const taken = new Set(twins.map((twin) => `${twin.eventId}:${twin.role}`));
    const [absorbed, moved] = [
      moving.filter((participant) => taken.has(`${participant.eventId}:${participant.role}`)),
      moving.filter((participant) => !taken.has(`${participant.eventId}:${participant.role}`)),
    ];
    await tx.participant.deleteMany({ where: { id: { in: absorbed.map((participant) => participant.id) } } });
    await tx.participant.updateMany({
      where: { id: { in: moved.map((participant) => participant.id) } },
      data: { actorId: into },
    });
    for (const eventId of new Set(moving.map((participant) => participant.eventId))) {
      await recordChange(tx, {
        entityType: 'Event',
        entityId: eventId,
        operation: 'UPDATE',
        by: writer,
        fields: ['participants'],
      });
    }
    return moving.length;
  });
}

/** What the merge reads of the database, outside its transaction or inside it. */
type MergeReader = Pick<EventsPrisma, 'event' | '$queryRaw'>;

/** The events `eventId` is part of, its parent first, however deep. */
async function ancestorsOf(db: MergeReader, eventId: string): Promise<string[]> {
  // UNION, not UNION ALL: a chain that somehow loops still ends.
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE up(id, depth) AS (
      SELECT "parentId", 1 FROM "Event" WHERE id = ${eventId}::uuid AND "parentId" IS NOT NULL
      UNION SELECT e."parentId", up.depth + 1 FROM "Event" e JOIN up ON e.id = up.id WHERE e."parentId" IS NOT NULL
    )
    SELECT id::text FROM up ORDER BY depth`;
  return rows.map((row) => row.id);
}

/**
 * The two events a merge folds together, as they are now, with what their places in the larger
 * events allow. `into` within `from` is refused: `from`'s parts become `into`'s, so `into` would
 * end up part of itself. `from` within `into` is fine (its parts join the larger event), but then
 * `from`'s parent is inside `into` and is not `into`'s to take.
 */
async function mergePair(db: MergeReader, fromId: string, intoId: string) {
  const [from, into] = await Promise.all([
    db.event.findUnique({ where: { id: fromId } }),
    db.event.findUnique({ where: { id: intoId } }),
  ]);
  if (!from) return rejectInput(['input', 'from'], FieldErrorCode.NOT_FOUND, `No event has the id ${fromId}.`);
  if (!into) return rejectInput(['input', 'into'], FieldErrorCode.NOT_FOUND, `No event has the id ${intoId}.`);
  const [aboveInto, aboveFrom] = await Promise.all([ancestorsOf(db, into.id), ancestorsOf(db, from.id)]);
  if (aboveInto.includes(from.id)) {
    rejectInput(
      ['input', 'into'],
      FieldErrorCode.INVALID,
      `"${into.slug}" is part of "${from.slug}": merged into it, "${from.slug}"'s parts would make it part of ` +
        'itself. Merge the part into the larger event instead (from: the part, into: the larger event).',
    );
  }
  return { from, into, fromWithinInto: aboveFrom.includes(into.id) };
}

/**
 * What `into` takes from `from` where it has nothing: the place, the larger event, and the dates
 * (start, end and precision together when `into` has no start; otherwise an end alone, when it
 * fits `into`'s precision and does not come before its start).
 */
function emptyFieldsFilled(from: Event, into: Event, fromWithinInto: boolean) {
  const filled: Partial<Pick<Event, 'placeId' | 'parentId' | 'startedAt' | 'endedAt' | 'datePrecision'>> = {};
  if (!into.placeId && from.placeId) filled.placeId = from.placeId;
  if (!into.parentId && from.parentId && !fromWithinInto) filled.parentId = from.parentId;
  if (!into.startedAt && from.startedAt) {
    Object.assign(filled, { startedAt: from.startedAt, endedAt: from.endedAt, datePrecision: from.datePrecision });
  } else if (
    into.startedAt &&
    !into.endedAt &&
    from.endedAt &&
    from.endedAt >= into.startedAt &&
    fitsPrecision(from.endedAt, into.datePrecision)
  ) {
    filled.endedAt = from.endedAt;
  }
  return filled;
}

/**
 * Folds one event into another, for two records of the same event: `from`'s participants,
 * figures and links join `into`'s, its parts become `into`'s, `into` keeps its own title, summary,
 * kind, dates and place and takes what it lacks from `from`, and `from` becomes a redirect, so its
 * old id and slug resolve to `into` forever. The statements service moves its claims first, so
 * when it cannot be reached the merge is refused with nothing merged. Needs an admin key. Safe to
 * retry: merging an event already merged into the same survivor finishes what the statements
 * service may have missed and answers with the survivor.
 */
export async function mergeEvents(
  prisma: EventsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Event> {
  const input = parseInput(mergeArgs, rawInput);
  const writer = adminWriterOf(principal, 'Merging events');
  // Redirects always lead straight to the survivor (each merge re-points those to the merged event).
  const redirectOf = (id: string) => prisma.eventRedirect.findUnique({ where: { fromId: id } });
  const [fromId, intoId] = [input.from, (await redirectOf(input.into))?.toId ?? input.into];
  if (fromId === intoId) {
    rejectInput(
      ['input', 'into'],
      FieldErrorCode.INVALID,
      input.into === fromId
        ? 'An event cannot be merged into itself.'
        : `Event ${input.into} was merged into ${fromId}: merging ${fromId} into it would be a cycle.`,
    );
  }
  const done = await redirectOf(fromId);
  if (done) {
    if (done.toId !== intoId) {
      rejectInput(['input', 'from'], FieldErrorCode.CONFLICT, `Event ${fromId} was already merged into ${done.toId}.`);
    }
    // A retry finishes what an earlier attempt may have left: the claims made meanwhile.
    await followInStatements(peers, principal, fromId, intoId);
    return (await prisma.event.findUnique({ where: { id: intoId } }))!;
  }
  // Checked before the statements service moves anything, and again once both rows are locked.
  await mergePair(prisma, fromId, intoId);
  // Claims move first: the statements service unreachable refuses the merge with nothing merged
  // here, and claims already moved are about an event that exists.
  await followInStatements(peers, principal, fromId, intoId);
  return prisma.$transaction(async (tx) => {
    // Both rows locked in one order, so that another merge or delete of either waits for this one.
    await tx.$queryRaw`SELECT id FROM "Event" WHERE id IN (${fromId}::uuid, ${intoId}::uuid) ORDER BY id FOR UPDATE`;
    const { from, into, fromWithinInto } = await mergePair(tx, fromId, intoId);
    const changed = new Set<string>();
    const whenAny = (field: string, count: number) => count > 0 && changed.add(field);

    // A participation `into` already has (same actor, same role) absorbs its twin, taking the
    // note and claim it lacks; the others move over.
    await tx.$executeRaw`
      UPDATE "Participant" keep SET note = COALESCE(keep.note, twin.note), "claimId" = COALESCE(keep."claimId", twin."claimId")
      FROM "Participant" twin
      WHERE keep."eventId" = ${into.id}::uuid AND twin."eventId" = ${from.id}::uuid
        AND twin."actorId" = keep."actorId" AND twin.role = keep.role`;
    whenAny(
      'participants',
      (await tx.$executeRaw`
        DELETE FROM "Participant" twin USING "Participant" keep
        WHERE twin."eventId" = ${from.id}::uuid AND keep."eventId" = ${into.id}::uuid
          AND keep."actorId" = twin."actorId" AND keep.role = twin.role`) +
        (await tx.participant.updateMany({ where: { eventId: from.id }, data: { eventId: into.id } })).count,
    );

    // Figures join, but for exact copies of one `into` reports already.
    whenAny(
      'figures',
      (await tx.$executeRaw`
        DELETE FROM "Figure" twin USING "Figure" keep
        WHERE twin."eventId" = ${from.id}::uuid AND keep."eventId" = ${into.id}::uuid
          AND keep.metric = twin.metric AND keep.value = twin.value AND keep.qualifier = twin.qualifier
          AND keep.description = twin.description AND keep."claimId" IS NOT DISTINCT FROM twin."claimId"`) +
        (await tx.figure.updateMany({ where: { eventId: from.id }, data: { eventId: into.id } })).count,
    );

    // Links: the other events whose stated links to `from` now lead to `into` change too.
    const linkingHere = await tx.eventRelation.findMany({
      where: { toEventId: from.id, fromEventId: { not: into.id } },
      select: { fromEventId: true },
      distinct: ['fromEventId'],
    });
    // A link between the two would link `into` to itself; one that `into` has already would be there twice.
    const linksBetween = await tx.eventRelation.deleteMany({
      where: {
        OR: [
          { fromEventId: from.id, toEventId: into.id },
          { fromEventId: into.id, toEventId: from.id },
        ],
      },
    });
    const stated =
      linksBetween.count +
      (await tx.$executeRaw`
        DELETE FROM "EventRelation" twin USING "EventRelation" keep
        WHERE twin."fromEventId" = ${from.id}::uuid AND keep."fromEventId" = ${into.id}::uuid
          AND keep."toEventId" = twin."toEventId" AND keep.kind = twin.kind`) +
      (await tx.eventRelation.updateMany({ where: { fromEventId: from.id }, data: { fromEventId: into.id } })).count;
    await tx.$executeRaw`
      DELETE FROM "EventRelation" twin USING "EventRelation" keep
      WHERE twin."toEventId" = ${from.id}::uuid AND keep."toEventId" = ${into.id}::uuid
        AND keep."fromEventId" = twin."fromEventId" AND keep.kind = twin.kind`;
    await tx.eventRelation.updateMany({ where: { toEventId: from.id }, data: { toEventId: into.id } });
    whenAny('relations', stated);

    // `from`'s parts are `into`'s now (`into` is none of them: mergePair refused that).
    const parts = await tx.event.findMany({ where: { parentId: from.id }, select: { id: true } });
    await tx.event.updateMany({ where: { parentId: from.id }, data: { parentId: into.id } });

    const filled = emptyFieldsFilled(from, into, fromWithinInto);
    for (const field of Object.keys(filled)) changed.add(field);
    if (Object.keys(filled).length) await tx.event.update({ where: { id: into.id }, data: filled });

    // Redirects to `from` lead to `into` now, so no chain is ever followed twice; then `from` goes
    // (its redirects would go with it).
    await tx.eventRedirect.updateMany({ where: { toId: from.id }, data: { toId: into.id } });
    await tx.eventRedirect.create({ data: { fromId: from.id, fromSlug: from.slug, toId: into.id, mergedBy: writer } });
    await tx.event.delete({ where: { id: from.id } });

    // Logged: the merge with its survivor, and every event it changed.
    const log = (entityId: string, operation: 'MERGE' | 'UPDATE', fields: string[], survivorId?: string) =>
      recordChange(tx, { entityType: 'Event', entityId, operation, by: writer, fields, survivorId });
    await log(from.id, 'MERGE', [], into.id);
    await log(into.id, 'UPDATE', [...changed]);
    for (const part of parts) await log(part.id, 'UPDATE', ['parentId']);
    for (const { fromEventId } of linkingHere) await log(fromEventId, 'UPDATE', ['relations']);
    return (await tx.event.findUnique({ where: { id: into.id } }))!;
  });
}

/** Asks the statements service to move its claims about the merged event to the survivor. */
async function followInStatements(peers: PeerClient, principal: ForwardedPrincipal | null, from: string, into: string) {
  await peers.query(
    'statements',
    'mutation($from: ID!, $into: ID!) { moved: followEventMergeInStatements(from: $from, into: $into) }',
    { from, into },
    principal,
    { asWriter: true },
  );
}
