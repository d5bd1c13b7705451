import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { StatementResolvers } from '../generated/graphql.ts';

async function required<T>(value: Promise<T | null>, what: string): Promise<T> {
  const found = await value;
  if (!found) throw new Error(`${what} is missing`);
  return found;
}

export const Statement: StatementResolvers = {
  __resolveReference: (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.statementById.load(reference.id) : null,
  speaker: (statement) => ({ id: statement.speakerId }),
  outlet: (statement) => (statement.outletId ? { id: statement.outletId } : null),
  claim: (statement, _args, { loaders }) => required(loaders.claimById.load(statement.claimId), `claim ${statement.claimId}`),
  reportedIn: (statement, _args, { loaders }) =>
    required(loaders.sourceById.load(statement.sourceId), `source ${statement.sourceId}`),
  span: (statement) =>
    statement.spanStart != null && statement.spanEnd != null ? { start: statement.spanStart, end: statement.spanEnd } : null,
};
