// Migrations for every database (the four subgraphs' and the gateway's), each where it is
// configured (<NAME>_DATABASE_URL, or the embedded default under .data/). Data, the seed
// included, comes in through imports: npm start imports the seed package.
//   pnpm db:migrate [name...]   apply pending migrations
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import { DATABASES, loadDatabaseTarget, type DatabaseName } from '@newsfacts/platform/service-config';
import { prepareDatabase } from './lib/databases';

const [task, ...names] = process.argv.slice(2);
if (task !== 'migrate') {
  console.error(`usage: tsx scripts/db.ts migrate [${DATABASES.join('|')} ...]`);
  process.exit(2);
}
const unknown = names.filter((name) => !DATABASES.includes(name as DatabaseName));
if (unknown.length) {
  console.error(`unknown database: ${unknown.join(', ')} (known: ${DATABASES.join(', ')})`);
  process.exit(2);
}
const selected = (names.length ? names : DATABASES) as readonly DatabaseName[];

try {
  for (const name of selected) {
    const database = loadDatabaseTarget(name);
    const { applied } = await prepareDatabase(name, database);
    const migrated = applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date';
    console.log(`${name}: ${describeTarget(database)}: ${migrated}`);
  }
} catch (error) {
  const known =
    error instanceof ConfigError || error instanceof DatabaseUnavailableError || error instanceof MigrationError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
}
