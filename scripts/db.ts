// Database tasks for every subgraph, on the database each one is configured with
// (<NAME>_DATABASE_URL, or the embedded default under .data/).
//   pnpm db:migrate [name...]   apply pending migrations
//   pnpm db:seed [name...]      apply pending migrations, then load the seed datasets (idempotent)
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import { loadSubgraphConfig, SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';
import { prepareDatabase } from './lib/subgraphs';

const [task, ...names] = process.argv.slice(2);
if (task !== 'migrate' && task !== 'seed') {
  console.error('usage: tsx scripts/db.ts migrate|seed [events|actors|statements ...]');
  process.exit(2);
}
const unknown = names.filter((name) => !(name in SUBGRAPHS));
if (unknown.length) {
  console.error(`unknown subgraph: ${unknown.join(', ')} (known: ${Object.keys(SUBGRAPHS).join(', ')})`);
  process.exit(2);
}
const selected = (names.length ? names : Object.keys(SUBGRAPHS)) as SubgraphName[];

try {
  for (const name of selected) {
    const { database } = loadSubgraphConfig(name);
    const { applied } = await prepareDatabase(name, database, { seed: task === 'seed' });
    const migrated = applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date';
    console.log(`${name}: ${describeTarget(database)}: ${migrated}${task === 'seed' ? ', seeded' : ''}`);
  }
} catch (error) {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError || error instanceof MigrationError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
}
