// Creating, changing and deleting claims. A claim's event belongs to the events service and is
// checked there; its statements follow it to another event (a foreign key cascades their copy of
// its event id). A claim is deleted only when nothing rests on it, here or in the events service.
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import { confirmForeign, OWNERS, type PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  assertMayChange,
  changedFields,
  createOnce,
  enumOf,
  FieldErrorCode,
  inputRules,
  parseInput,
  recordChange,
  type Referrer,
  refuseIfAny,
  rejectInput,
  StillReferenced,
  writerOf,
} from '@newsfacts/platform/writes';
import type { StatementsPrisma } from '../db';
import type { Claim } from '../generated/prisma/client.ts';
import { ClaimAspect } from '../generated/prisma/enums.ts';

const claimFields = {
  eventId: inputRules.id,
  aspect: enumOf(ClaimAspect),
  question: inputRules.text(500),
  text: inputRules.text(2_000),
};

const createInput = z.object({ ...claimFields, externalId: inputRules.externalId.nullish() });

// An update names the record and gives any of its fields.
const updateInput = z.object(claimFields).partial().extend({ id: inputRules.id });

const comparable = (claim: { eventId: string; aspect: string; question: string; text: string }) =>
  JSON.stringify([claim.eventId, claim.aspect, claim.question, claim.text]);

/** The claim's event as the events service knows it; unknown or unreachable refuses the write. */
async function confirmEvent(peers: PeerClient, principal: ForwardedPrincipal | null, eventId: string): Promise<string> {
  const { ids, errors } = await confirmForeign(peers, principal, OWNERS.event, [
    { field: ['input', 'eventId'], id: eventId },
  ]);
  refuseIfAny(errors);
  return ids[0]!;
}

export async function createClaim(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Claim> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);

  return createOnce({
    what: 'claim',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.claim.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(input),
    create: async () => {
      // Asked before writing: an events service that cannot answer refuses the claim rather than risk a dangling event.
      const eventId = await confirmEvent(peers, principal, input.eventId);
      const id = newRecordId('claim', writer, input.externalId);
      const fields = { eventId: eventId!, aspect: input.aspect, question: input.question, text: input.text };
      return prisma.$transaction(async (tx) => {
        const claim = await tx.claim.create({
          data: { id, ...fields, createdBy: writer, externalId: input.externalId ?? null },
        });
        await recordChange(tx, {
          entityType: 'Claim',
          entityId: id,
          operation: 'CREATE',
          by: writer,
          fields: Object.keys(fields),
        });
        return claim;
      });
    },
  });
}

export async function updateClaim(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Claim> {
  const input = parseInput(updateInput, rawInput);
  const claim = await prisma.claim.findUnique({ where: { id: input.id } });
  if (!claim) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No claim has the id ${input.id}.`);
  const writer = assertMayChange(principal, claim, `Claim ${claim.id}`);
  const eventId =
    input.eventId === undefined || input.eventId === claim.eventId
      ? undefined
      : await confirmEvent(peers, principal, input.eventId);
  const given = { eventId, aspect: input.aspect, question: input.question, text: input.text };
  const fields = changedFields(claim, given);
  if (!fields.length) return claim;
  return prisma.$transaction(async (tx) => {
    // Its statements' eventId follows through the (claimId, eventId) foreign key's ON UPDATE CASCADE.
    const updated = await tx.claim.update({ where: { id: claim.id }, data: given });
    await recordChange(tx, { entityType: 'Claim', entityId: claim.id, operation: 'UPDATE', by: writer, fields });
    if (fields.includes('eventId')) {
      // The statements that moved with it are changes too: the sync feed publishes each record's own.
      await tx.$executeRaw`
        INSERT INTO "Change" ("entityType", "entityId", operation, "by", fields)
        SELECT 'Statement', id, 'UPDATE'::"ChangeOperation", ${writer}, ARRAY['eventId']
        FROM "Statement" WHERE "claimId" = ${claim.id}::uuid`;
    }
    return updated;
  });
}

/** The first statements here that take a stance on a claim. */
const statementsOn = async (prisma: Pick<StatementsPrisma, 'statement'>, claimId: string): Promise<Referrer[]> =>
  (await prisma.statement.findMany({ where: { claimId }, select: { id: true }, orderBy: { id: 'asc' }, take: 20 })).map(
    ({ id }) => ({ type: 'Statement', id, service: 'statements' }),
  );

/** The first participants and figures in the events service that rest on a claim. */
async function referrersInEvents(peers: PeerClient, principal: ForwardedPrincipal | null, claimId: string) {
  const data = await peers.query<{ _entities: Array<{ referrersInEvents: Referrer[] } | null> }>(
    'events',
    `query($representations: [_Any!]!) {
      _entities(representations: $representations) { ... on Claim { referrersInEvents(first: 20) { type id service } } }
    }`,
    { representations: [{ __typename: 'Claim', id: claimId }] },
    principal,
  );
  return data._entities[0]?.referrersInEvents ?? [];
}

const claimReferenced = (referrers: Referrer[]) =>
  new StillReferenced(referrers, 'claim', 'delete or re-point those records first.');

export async function deleteClaim(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const claim = await prisma.claim.findUnique({ where: { id: input.id } });
  if (!claim) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No claim has the id ${input.id}.`);
  const writer = assertMayChange(principal, claim, `Claim ${claim.id}`);
  // Asked before deleting: a service that cannot answer refuses the delete rather than risk a dangling reference.
  const [here, inEvents] = await Promise.all([
    statementsOn(prisma, claim.id),
    referrersInEvents(peers, principal, claim.id),
  ]);
  if (here.length || inEvents.length) throw claimReferenced([...here, ...inEvents]);
  await prisma.$transaction(async (tx) => {
    // Statements cascade with their claim, so one made meanwhile must stop the delete: locking the
    // claim waits for any insert that holds it (a foreign key check) and keeps new ones out.
    await tx.$queryRaw`SELECT id FROM "Claim" WHERE id = ${claim.id}::uuid FOR UPDATE`;
    const meanwhile = await statementsOn(tx, claim.id);
    if (meanwhile.length) throw claimReferenced(meanwhile);
    await tx.claim.delete({ where: { id: claim.id } });
    await recordChange(tx, { entityType: 'Claim', entityId: claim.id, operation: 'DELETE', by: writer, fields: [] });
  });
  return claim.id;
}
