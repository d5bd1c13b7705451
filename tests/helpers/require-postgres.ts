/**
 * Global setup of the PostgreSQL-backed projects: stop at once, with one clear line, when
 * the server is not there, rather than failing every test with a connection error.
 */
import pg from 'pg';
import { adminDatabaseUrl } from '../../scripts/lib/scratch-database';

export default async function requirePostgres() {
  const client = new pg.Client({ connectionString: adminDatabaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const where = new URL(adminDatabaseUrl);
    throw new Error(
      `These tests need PostgreSQL at ${where.host}${where.pathname} (${(error as Error).message}). ` +
        'Start it, or point TEST_DATABASE_URL at a server where the user may create databases.',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
