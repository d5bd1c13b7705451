import { reference, required } from '@newsfacts/platform/references';
import type { ParticipantResolvers } from '../generated/graphql.ts';

export const Participant: ParticipantResolvers = {
  actor: (participant) => ({ id: participant.actorId }),
  event: (participant, _args, { loaders }) =>
    required(
      loaders.eventById.load(participant.eventId),
      `event ${participant.eventId} of participant ${participant.id}`,
    ),
  claim: (participant) => reference(participant.claimId),
};
