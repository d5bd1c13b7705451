import { runSubgraph } from '@newsfacts/platform/subgraph';
import { eventsSubgraph } from './server';

runSubgraph(eventsSubgraph);
