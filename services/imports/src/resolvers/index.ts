import { DateTimeScalar, JSONScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { ImportJob } from './ImportJob';
import { ImportRecord } from './ImportRecord';
import { Mutation } from './Mutation';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  ImportJob,
  ImportRecord,
};
