import { runSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { createEventsServer } from './server';

runSubgraph({ name: 'events', createPrisma: createPrismaClient, createServer: createEventsServer });
