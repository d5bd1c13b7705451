import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { applyMigrations, readMigrations } from '@newsfacts/platform/migrate';
import type { PeerClient } from '@newsfacts/platform/peers';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { migrationsDir } from '../../../scripts/lib/databases';
import { createScratchDatabase } from '../../../scripts/lib/scratch-database';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';
import { CREATE_ACTOR, UPDATE_ACTOR } from '../../../tests/fixtures/actor-writes';
import { actorsNamed } from './actors-named';
import { createPrismaClient, type ActorsPrisma } from './db';
import { mergeActors } from './writes';

// actorsNamed, the importer's lookup: in-process on a fresh, seeded PostgreSQL database, with
// actors made through the service's own mutations.

const KYIV_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_kyivdesk0001', scopes: ['READ', 'WRITE'] };
const EDITOR: ForwardedPrincipal = { kind: 'key', keyId: 'key_editor000001', scopes: ['READ', 'WRITE', 'ADMIN'] };

const ACTORS_NAMED = `query($names: [String!]!) {
  actorsNamed(names: $names) { name candidates { actor { id slug name } matchedName matchedBy } }
}`;

interface Matches {
  name: string;
  candidates: Array<{ actor: { id: string; slug: string; name: string }; matchedName: string; matchedBy: string }>;
}

let actors: SubgraphHarness;
let db: Database;
let prisma: ActorsPrisma;
let statements = 0;
beforeAll(async () => {
  actors = await startSubgraphHarness('actors');
  // A second connection to the same database: to count statements, and to merge with the other
  // services answered by a stand-in (no other subgraph runs beside the harness).
  db = await openDatabase(
    { kind: 'postgres', url: actors.database.url, poolSize: 2 },
    { observeStatement: () => statements++ },
  );
  prisma = createPrismaClient(db);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
  await actors?.close();
});

async function named(names: string[]): Promise<Matches[]> {
  const { data, errors } = await actors.execute<{ actorsNamed: Matches[] }>(ACTORS_NAMED, { names });
  expect(errors).toBeUndefined();
  return data!.actorsNamed;
}

/** Each name's candidates as "slug by NAME|ALIAS matchedName". */
const summary = (matches: Matches[]) =>
  matches.map((match) => ({
    name: match.name,
    candidates: match.candidates.map((c) => `${c.actor.slug} by ${c.matchedBy} ${c.matchedName}`),
  }));

async function createActor(input: Record<string, unknown>): Promise<{ id: string; slug: string }> {
  const { data, errors } = await actors.execute(
    CREATE_ACTOR,
    { input: { kind: 'PERSON', description: 'Invented for these tests.', countryCode: 'UA', ...input } },
    KYIV_DESK,
  );
  expect(errors).toBeUndefined();
  expect(data!.createActor.errors).toEqual([]);
  return data!.createActor.actor;
}

const transliterations = (...names: string[]) => names.map((name) => ({ name, kind: 'TRANSLITERATION' }));

describe('actorsNamed', () => {
  it('finds Gladkov by his Ukrainian transliteration whatever its case, accents and punctuation', async () => {
    const names = ['Vyacheslav Hladkov', 'vyacheslav  HLADKOV.', 'Vyachesláv Hladkov', '«Vyacheslav-Hladkov»'];
    expect(summary(await named(names))).toEqual(
      names.map((name) => ({ name, candidates: ['vyacheslav-gladkov by ALIAS Vyacheslav Hladkov'] })),
    );
  });

  it('says which name matched: the name itself, or another name in another script', async () => {
    expect(summary(await named(['VYACHESLAV GLADKOV', 'вячеслав гладков', 'isw']))).toEqual([
      { name: 'VYACHESLAV GLADKOV', candidates: ['vyacheslav-gladkov by NAME Vyacheslav Gladkov'] },
      { name: 'вячеслав гладков', candidates: ['vyacheslav-gladkov by ALIAS Вячеслав Гладков'] },
      { name: 'isw', candidates: ['institute-for-the-study-of-war by ALIAS ISW'] },
    ]);
  });

  it('finds every seeded actor by its name and each of its other names, shouted and with a full stop', async () => {
    const seeded = await actors.execute<{
      actors: { nodes: Array<{ slug: string; name: string; aliases: string[] }> };
    }>('{ actors(first: 100) { nodes { slug name aliases(first: 100) } } }');
    const asked = seeded.data!.actors.nodes.flatMap((actor) =>
      [actor.name, ...actor.aliases].map((name) => ({ name, slug: actor.slug })),
    );
    expect(asked.length).toBeGreaterThan(60);
    const matches = await named(asked.map(({ name }) => `${name.toUpperCase()}.`));
    expect(matches).toHaveLength(asked.length);
    asked.forEach(({ name, slug }, index) => {
      expect(matches[index]!.name).toBe(`${name.toUpperCase()}.`);
      expect(
        matches[index]!.candidates.map((c) => [c.actor.slug, c.matchedName]),
        name,
      ).toContainEqual([slug, name]);
    });
  });

  it('answers each name in the order asked, a repeated name twice, and no one for a name that matches nothing', async () => {
    expect(summary(await named(['Nobody In Particular', 'ISW', '…', '', 'isw']))).toEqual([
      { name: 'Nobody In Particular', candidates: [] },
      { name: 'ISW', candidates: ['institute-for-the-study-of-war by ALIAS ISW'] },
      { name: '…', candidates: [] },
      { name: '', candidates: [] },
      { name: 'isw', candidates: ['institute-for-the-study-of-war by ALIAS ISW'] },
    ]);
    expect(await named([])).toEqual([]);
  });

  it('gives both actors for a name they share, never one of them, and each once, by its name first', async () => {
    const serhiy = await createActor({
      name: 'Serhiy Bondar',
      aliases: transliterations('S. Bondar', 'Sergei Bondar', 'SERHIY BONDAR'),
    });
    const stepan = await createActor({ name: 'Stepan Bondar', aliases: transliterations('S. Bondar') });
    expect(summary(await named(['s bondar', 'Serhiy Bondar']))).toEqual([
      {
        name: 's bondar',
        candidates: [`${serhiy.slug} by ALIAS S. Bondar`, `${stepan.slug} by ALIAS S. Bondar`],
      },
      // Its name and an other name both read as the one asked: listed once, by its name.
      { name: 'Serhiy Bondar', candidates: [`${serhiy.slug} by NAME Serhiy Bondar`] },
    ]);
  });

  it('follows a rename: the new name finds the actor, the old one no longer does', async () => {
    const actor = await createActor({ name: 'Taras Melnyk', aliases: transliterations('Taras Melnik') });
    const { data, errors } = await actors.execute(
      UPDATE_ACTOR,
      { input: { id: actor.id, name: 'Taras Melnychuk', aliases: transliterations('Taras Melnichuk') } },
      KYIV_DESK,
    );
    expect(errors).toBeUndefined();
    expect(data!.updateActor.errors).toEqual([]);
    expect(summary(await named(['Taras Melnyk', 'Taras Melnik', 'taras melnychuk', 'Taras Melnichuk']))).toEqual([
      { name: 'Taras Melnyk', candidates: [] },
      { name: 'Taras Melnik', candidates: [] },
      { name: 'taras melnychuk', candidates: [`${actor.slug} by NAME Taras Melnychuk`] },
      { name: 'Taras Melnichuk', candidates: [`${actor.slug} by ALIAS Taras Melnichuk`] },
    ]);
  });

  it('finds a merged actor’s names as its survivor’s, and the merged actor no more', async () => {
    const survivor = await createActor({ name: 'Petro Savchuk', aliases: transliterations('Pyotr Savchuk') });
    const duplicate = await createActor({ name: 'Petro Savchouk', aliases: transliterations('Piotr Savchuk') });
    // The events and statements services would move their references; here they answer that they did.
    const peers: PeerClient = { query: async <Data>() => ({ moved: 0 }) as Data };
    await mergeActors(prisma, peers, EDITOR, { from: duplicate.id, into: survivor.id });
    const matches = await named(['Petro Savchouk', 'piotr savchuk', 'Pyotr Savchuk']);
    expect(summary(matches)).toEqual([
      { name: 'Petro Savchouk', candidates: [`${survivor.slug} by ALIAS Petro Savchouk`] },
      { name: 'piotr savchuk', candidates: [`${survivor.slug} by ALIAS Piotr Savchuk`] },
      { name: 'Pyotr Savchuk', candidates: [`${survivor.slug} by ALIAS Pyotr Savchuk`] },
    ]);
    expect(matches.flatMap((match) => match.candidates.map((c) => c.actor.id))).not.toContain(duplicate.id);
  });

  it('reads a thousand names in one SQL statement', async () => {
    const names = Array.from({ length: 1_000 }, (_, index) => (index % 2 ? `Unknown Person ${index}` : 'Hladkov'));
    names[999] = 'Vyacheslav Hladkov';
    const before = statements;
    const matches = await actorsNamed(prisma, names);
    expect(statements - before).toBe(1);
    expect(matches).toHaveLength(1_000);
    expect(matches[999]!.candidates.map((c) => c.actor.slug)).toEqual(['vyacheslav-gladkov']);
    expect(matches.slice(0, 999).every((match) => match.candidates.length === 0)).toBe(true);
  });

  it('needs only the read scope', async () => {
    const { data, errors } = await actors.execute(ACTORS_NAMED, { names: ['ISW'] }, {
      kind: 'key',
      keyId: 'key_reader000001',
      scopes: ['READ'],
    } satisfies ForwardedPrincipal);
    expect(errors).toBeUndefined();
    expect(data!.actorsNamed[0].candidates).toHaveLength(1);
  });

  it.each([
    ['more than 1,000 names', Array.from({ length: 1_001 }, () => 'ISW'), /at most 1,000 names/],
    ['a name over 300 characters', ['ISW', 'x'.repeat(301)], /names\[1\] must be at most 300 characters/],
  ])('refuses %s with BAD_USER_INPUT, reading nothing', async (_what, names, message) => {
    const before = statements;
    const { data, errors } = await actors.execute(ACTORS_NAMED, { names });
    expect(data).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toMatch(message);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'names' });
    await expect(actorsNamed(prisma, names)).rejects.toThrow(message);
    expect(statements).toBe(before);
  });

  it('takes exactly 1,000 names of 300 characters', async () => {
    const matches = await named(Array.from({ length: 1_000 }, () => 'x'.repeat(300)));
    expect(matches).toHaveLength(1_000);
  });
});

describe('the name_keys migration', () => {
  it('fills the keys of the actors and other names a database already holds, then requires them', async () => {
    const scratch = await createScratchDatabase('nf_test_actors_name_keys');
    const target = await openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 1 });
    try {
      const migrations = readMigrations(migrationsDir('actors'));
      const index = migrations.findIndex((migration) => migration.name.endsWith('_name_keys'));
      expect(index).toBeGreaterThan(0);
      await applyMigrations(target, migrations.slice(0, index));
      await target.exec(`
        INSERT INTO "Actor" (id, slug, name, kind, description, "updatedAt")
          VALUES ('6f1f3c1e-0000-4000-8000-000000000001', 'vyacheslav-gladkov', 'Vyacheslav Gladkov', 'PERSON', '', now());
        INSERT INTO "Alias" (id, "actorId", name, kind) VALUES
          ('6f1f3c1e-0000-4000-8000-000000000002', '6f1f3c1e-0000-4000-8000-000000000001', 'Vyachesláv  HLADKOV.', 'TRANSLITERATION'),
          ('6f1f3c1e-0000-4000-8000-000000000003', '6f1f3c1e-0000-4000-8000-000000000001', 'Вʼячеслав Гладков', 'ALTERNATIVE_NAME');`);
      await applyMigrations(target, migrations);
      expect(await target.query('SELECT "nameKey" FROM "Actor"')).toEqual([{ nameKey: 'vyacheslav gladkov' }]);
      expect(await target.query('SELECT "nameKey" FROM "Alias" ORDER BY id')).toEqual([
        { nameKey: 'vyacheslav hladkov' },
        { nameKey: 'в ячеслав гладков' },
      ]);
      await expect(
        target.exec(`INSERT INTO "Alias" (id, "actorId", name, kind) VALUES
          ('6f1f3c1e-0000-4000-8000-000000000004', '6f1f3c1e-0000-4000-8000-000000000001', 'Gladkov', 'METONYM')`),
      ).rejects.toThrow(/nameKey/);
    } finally {
      await target.close();
      await scratch.drop();
    }
  });
});
