import { inputRules, parseInput, recordChange, adminWriterOf } from '@newsfacts/platform/writes';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { z } from 'zod';
import type { StatementsPrisma } from '../db';

const mergeArgs = z.object({ from: inputRules.id, into: inputRules.id });

/**
 * After the actors service merged `from` into `into`: statements `from` made, or that name it as
 * their outlet, now name `into`. Safe to repeat (a second run finds nothing to move); each
 * statement moved logs the change.
 */
export async function followActorMerge(prisma: StatementsPrisma, principal: ForwardedPrincipal | null, args: unknown) {
  const { from, into } = parseInput(mergeArgs, args);
  const writer = adminWriterOf(principal, 'Following an actors merge');
  return prisma.$transaction(async (tx) => {
    const moving = await tx.statement.findMany({
      where: { OR: [{ speakerId: from }, { outletId: from }] },
      select: { id: true, speakerId: true, outletId: true },
    });
    await tx.statement.updateMany({ where: { speakerId: from }, data: { speakerId: into } });
    await tx.statement.updateMany({ where: { outletId: from }, data: { outletId: into } });
    for (const statement of moving) {
      const fields = [
        ...(statement.speakerId === from ? ['speakerId'] : []),
        ...(statement.outletId === from ? ['outletId'] : []),
      ];
      await recordChange(tx, {
        entityType: 'Statement',
        entityId: statement.id,
        operation: 'UPDATE',
        by: writer,
        fields,
      });
    }
    return moving.length;
  });
}

/**
 * After the events service merged `from` into `into` (it asks before it commits): claims about
 * `from` are about `into` now, and their statements follow them (Statement's foreign key to the
 * claim's event cascades). Safe to repeat (a second run finds nothing to move); each claim moved
 * and each statement that moved with it logs the change, as a claim moved by updateClaim does.
 * Answers how many claims moved.
 */
export async function followEventMerge(prisma: StatementsPrisma, principal: ForwardedPrincipal | null, args: unknown) {
  const { from, into } = parseInput(mergeArgs, args);
  const writer = adminWriterOf(principal, 'Following an events merge');
  return prisma.$transaction(async (tx) => {
    const moving = await tx.claim.findMany({ where: { eventId: from }, select: { id: true } });
    if (!moving.length) return 0;
    const claimIds = moving.map((claim) => claim.id);
    await tx.claim.updateMany({ where: { id: { in: claimIds } }, data: { eventId: into } });
    for (const claimId of claimIds) {
      await recordChange(tx, {
        entityType: 'Claim',
        entityId: claimId,
        operation: 'UPDATE',
        by: writer,
        fields: ['eventId'],
      });
    }
    await tx.$executeRaw`
      INSERT INTO "Change" ("entityType", "entityId", operation, "by", fields)
      SELECT 'Statement', id, 'UPDATE'::"ChangeOperation", ${writer}, ARRAY['eventId']
      FROM "Statement" WHERE "claimId" = ANY(${claimIds}::uuid[])`;
    return moving.length;
  });
}
