import type { ParticipantResolvers } from '../generated/graphql.ts';
import { reference } from '../references';

export const Participant: ParticipantResolvers = {
  actor: (participant) => ({ id: participant.actorId }),
  event: async (participant, _args, { loaders }) => {
    const event = await loaders.eventById.load(participant.eventId);
    if (!event) throw new Error(`event ${participant.eventId} of participant ${participant.id} is missing`);
    return event;
  },
  claim: (participant) => reference(participant.claimId),
};
