import { runSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { createActorsServer } from './server';

runSubgraph({ name: 'actors', createPrisma: createPrismaClient, createServer: createActorsServer });
