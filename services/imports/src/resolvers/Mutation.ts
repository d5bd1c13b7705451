import type { MutationResolvers } from '../generated/graphql.ts';
import { submitImport } from '../jobs';

export const Mutation: MutationResolvers = {
  importPackage: (_parent, { input }, { prisma, principal }) => submitImport(prisma, principal, input),
};
