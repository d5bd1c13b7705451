// Fills the three subgraphs' PostgreSQL databases (EVENTS_/ACTORS_/STATEMENTS_DATABASE_URL) with
// a large synthetic graph for scale tests, after applying pending migrations:
//   pnpm db:generate [--events 100000] [--actors 200000] [--claims 250000] [--statements 1000000] [--seed 1]
// The same sizes and seed always give the same graph. It refuses databases that already hold
// one; the seed may be there too. See scripts/lib/synthetic-graph.ts for what is made.
import { parseArgs } from 'node:util';
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import { loadDatabaseTarget, FACT_SUBGRAPHS, type FactSubgraphName } from '@newsfacts/platform/service-config';
import { prepareDatabase } from './lib/databases';
import {
  DEFAULT_SIZES,
  GraphAlreadyGeneratedError,
  checkSizes,
  derivedSizes,
  generateGraph,
  type GraphSizes,
} from './lib/synthetic-graph';

const names = [...FACT_SUBGRAPHS];

function parseSizes(argv: string[]): GraphSizes {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(DEFAULT_SIZES).map((name) => [name, { type: 'string' as const }])),
    strict: true,
  });
  const sizes = { ...DEFAULT_SIZES };
  for (const [name, value] of Object.entries(values)) {
    // 1e6 and 1_000_000 read as a million too.
    sizes[name as keyof GraphSizes] = Number(String(value).replace(/_/g, ''));
  }
  checkSizes(sizes);
  return sizes;
}

async function main() {
  let sizes: GraphSizes;
  try {
    sizes = parseSizes(process.argv.slice(2));
  } catch (error) {
    console.error(`db:generate: ${(error as Error).message}`);
    console.error('usage: pnpm db:generate [--events N] [--actors N] [--claims N] [--statements N] [--seed N]');
    process.exit(2);
  }

  const urls = {} as Record<FactSubgraphName, string>;
  for (const name of names) {
    const target = loadDatabaseTarget(name);
    if (target.kind !== 'postgres') {
      console.error(
        `db:generate: the ${name} database is the embedded default (PGlite), which would take hours over a million rows. ` +
          `Set EVENTS_DATABASE_URL, ACTORS_DATABASE_URL and STATEMENTS_DATABASE_URL to PostgreSQL databases.`,
      );
      process.exit(2);
    }
    urls[name] = target.url;
  }

  for (const name of names) {
    const target = { kind: 'postgres' as const, url: urls[name] };
    const { applied } = await prepareDatabase(name, target);
    console.log(
      `${name}: ${describeTarget(target)}: ${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}`,
    );
  }

  const derived = derivedSizes(sizes);
  console.log(
    `generating ${sizes.events} events, ${sizes.actors} actors, ${sizes.claims} claims, ${sizes.statements} statements ` +
      `(${derived.places} places, ${derived.sources} sources), seed ${sizes.seed}`,
  );
  const started = performance.now();
  await generateGraph({
    urls,
    sizes,
    onTable: ({ database, table, rows, loadSeconds, indexSeconds }) =>
      console.log(
        `  ${`${database}.${table}`.padEnd(28)} ${`${rows.toLocaleString('en')} rows`.padStart(16)}` +
          `  ${(loadSeconds + indexSeconds).toFixed(1).padStart(6)} s  (rows ${loadSeconds.toFixed(1)} s, indexes ${indexSeconds.toFixed(1)} s)`,
      ),
  });
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof MigrationError ||
    error instanceof GraphAlreadyGeneratedError;
  console.error(`db:generate: ${known ? (error as Error).message : error}`);
  process.exit(1);
});
