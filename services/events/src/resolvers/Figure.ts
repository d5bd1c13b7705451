import type { FigureResolvers } from '../generated/graphql.ts';
import { reference } from '../references';

export const Figure: FigureResolvers = {
  claim: (figure) => reference(figure.claimId),
};
