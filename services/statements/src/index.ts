import { runSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { createStatementsServer } from './server';

runSubgraph({ name: 'statements', createPrisma: createPrismaClient, createServer: createStatementsServer });
