import { reference } from '@newsfacts/platform/references';
import type { FigureResolvers } from '../generated/graphql.ts';

export const Figure: FigureResolvers = {
  claim: (figure) => reference(figure.claimId),
};
