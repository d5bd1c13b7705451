import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { pageSize } from '@newsfacts/platform/pagination';
import type { SourceResolvers } from '../generated/graphql.ts';

export const Source: SourceResolvers = {
  __resolveReference: (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.sourceById.load(reference.id) : null,
  statements: (source, { first }, { loaders }) => loaders.statementsBySourceId.load(source.id, pageSize(first), null),
};
