import { DateTimeScalar, JSONScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { Actor } from './Actor';
import { Claim } from './Claim';
import { ClaimConnection, SourceConnection } from './connections';
import { Event } from './Event';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Source } from './Source';
import { Statement } from './Statement';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  Claim,
  ClaimConnection,
  Statement,
  Source,
  SourceConnection,
  Event,
  Actor,
};
