import { runSubgraph } from '@newsfacts/platform/subgraph';
import { actorsSubgraph } from './server';

runSubgraph(actorsSubgraph);
