import { runSubgraph } from '@newsfacts/platform/subgraph';
import { importsSubgraph } from './server';

runSubgraph(importsSubgraph);
