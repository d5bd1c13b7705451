/** `db:seed` is idempotent: a second run leaves every table exactly as the first left it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@newsfacts/platform/db';
import type { SubgraphName } from '@newsfacts/platform/service-config';
import { prepareDatabase } from '../scripts/lib/databases';
import { createScratchDatabase, type ScratchDatabase } from '../scripts/lib/scratch-database';

const tables: Record<SubgraphName, string[]> = {
  events: ['Place', 'Event', 'EventRelation', 'Participant', 'Figure'],
  actors: ['Actor', 'Alias', 'Affiliation'],
  statements: ['Source', 'Claim', 'Statement'],
};

async function snapshot(url: string, names: string[]) {
  const db = await openDatabase({ kind: 'postgres', url });
  try {
    const result: Record<string, unknown[]> = {};
    for (const table of names) {
      // updatedAt moves on every upsert by design; everything else must not.
      const rows = await db.query<Record<string, unknown>>(`SELECT * FROM "${table}" ORDER BY id`);
      result[table] = rows.map(({ updatedAt: _updatedAt, ...row }) => row);
    }
    return result;
  } finally {
    await db.close();
  }
}

describe.each(Object.keys(tables) as SubgraphName[])('seeding the %s database', (name) => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase(`nf_seed_${name}`);
  });
  afterAll(() => database?.drop());

  it('gives the same rows when run twice', async () => {
    const target = { kind: 'postgres' as const, url: database.url };
    await prepareDatabase(name, target, { seed: true });
    const first = await snapshot(database.url, tables[name]);
    await prepareDatabase(name, target, { seed: true });
    const second = await snapshot(database.url, tables[name]);
    expect(Object.values(first).every((rows) => rows.length > 0)).toBe(true);
    expect(second).toEqual(first);
  });
});
