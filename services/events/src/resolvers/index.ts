import { DateTimeScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { Actor } from './Actor';
import { Claim } from './Claim';
import { Event } from './Event';
import { EventConnection } from './EventConnection';
import { Figure } from './Figure';
import { Mutation } from './Mutation';
import { Participant } from './Participant';
import { Query } from './Query';
import { RelatedEvent } from './RelatedEvent';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Event,
  EventConnection,
  RelatedEvent,
  Participant,
  Figure,
  Actor,
  Claim,
};
