import { DateTimeScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { Actor } from './Actor';
import { Event } from './Event';
import { EventConnection } from './EventConnection';
import { Figure } from './Figure';
import { Participant } from './Participant';
import { Query } from './Query';
import { RelatedEvent } from './RelatedEvent';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Event,
  EventConnection,
  RelatedEvent,
  Participant,
  Figure,
  Actor,
};
