import { runSubgraph } from '@newsfacts/platform/subgraph';
import { statementsSubgraph } from './server';

runSubgraph(statementsSubgraph);
