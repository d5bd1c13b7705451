import { inputRules, parseInput, recordChange, adminWriterOf } from '@newsfacts/platform/writes';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { z } from 'zod';
import type { StatementsPrisma } from '../db';

/**
 * After the actors service merged `from` into `into`: statements `from` made, or that name it as
 * their outlet, now name `into`. Safe to repeat (a second run finds nothing to move); each
 * statement moved logs the change.
 */
export async function followActorMerge(prisma: StatementsPrisma, principal: ForwardedPrincipal | null, args: unknown) {
  const { from, into } = parseInput(z.object({ from: inputRules.id, into: inputRules.id }), args);
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
