import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { reference, required } from '@newsfacts/platform/references';
import type { StatementResolvers } from '../generated/graphql.ts';
import { sentenceAround } from '@newsfacts/platform/quotes';

export const Statement: StatementResolvers = {
  __resolveReference: (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.statementById.load(reference.id) : null,
  speaker: (statement) => ({ id: statement.speakerId }),
  outlet: (statement) => reference(statement.outletId),
  claim: (statement, _args, { loaders }) =>
    required(loaders.claimById.load(statement.claimId), `claim ${statement.claimId}`),
  reportedIn: (statement, _args, { loaders }) =>
    required(loaders.sourceById.load(statement.sourceId), `source ${statement.sourceId}`),
  span: async (statement, _args, { loaders }) => {
    if (statement.spanStart == null || statement.spanEnd == null) return null;
    const span = { start: statement.spanStart, end: statement.spanEnd };
    const source = await loaders.sourceById.load(statement.sourceId);
    return { ...span, context: source?.text == null ? null : sentenceAround(source.text, span) };
  },
};
