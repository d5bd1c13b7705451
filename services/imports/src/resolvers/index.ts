import { DateTimeScalar, JSONScalar } from '@newsfacts/platform/scalars';
import type { Resolvers } from '../generated/graphql.ts';
import { ImportJob } from './ImportJob';
import { ImportRecord } from './ImportRecord';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { SearchConnection, SearchHit, SearchResult } from './Search';
import { WebhookDelivery, WebhookSubscription } from './WebhookSubscription';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  Query,
  Mutation,
  ImportJob,
  ImportRecord,
  WebhookSubscription,
  WebhookDelivery,
  SearchConnection,
  SearchHit,
  SearchResult,
};
