import { DateScalar, DateTimeScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { Actor } from './Actor';
import { ActorConnection } from './ActorConnection';
import { Affiliation } from './Affiliation';
import { Mutation } from './Mutation';
import { Query } from './Query';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Actor,
  ActorConnection,
  Affiliation,
};
