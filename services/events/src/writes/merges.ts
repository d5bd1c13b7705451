import { inputRules, parseInput, recordChange, adminWriterOf } from '@newsfacts/platform/writes';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { z } from 'zod';
import type { EventsPrisma } from '../db';

/**
 * After the actors service merged `from` into `into`: `from`'s participations become `into`'s,
 * a participation `into` already has in the same event and role absorbing its twin. Safe to
 * repeat (a second run finds nothing to move); each event touched logs the change.
 */
export async function followActorMerge(prisma: EventsPrisma, principal: ForwardedPrincipal | null, args: unknown) {
  const { from, into } = parseInput(z.object({ from: inputRules.id, into: inputRules.id }), args);
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
