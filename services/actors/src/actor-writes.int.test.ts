import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';
import { CREATE_ACTOR, DELETE_ACTOR, MERGE_ACTORS, UPDATE_ACTOR } from '../../../tests/fixtures/actor-writes';

// The actors subgraph's writes, in-process on a fresh PostgreSQL database. No other subgraph
// runs beside it, so a write that must ask one (a delete) is refused as unavailable.

const KYIV_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_kyivdesk0001', scopes: ['READ', 'WRITE'] };
const OTHER_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_otherdesk001', scopes: ['READ', 'WRITE'] };
const EDITOR: ForwardedPrincipal = { kind: 'key', keyId: 'key_editor000001', scopes: ['READ', 'WRITE', 'ADMIN'] };
const READER: ForwardedPrincipal = { kind: 'key', keyId: 'key_reader000001', scopes: ['READ'] };

const newsroom = {
  name: 'Belgorod Regional Newsroom',
  kind: 'ORGANIZATION',
  description: 'A regional newsroom, invented for these tests.',
  countryCode: 'RU',
  organizationType: 'MEDIA',
};

let actors: SubgraphHarness;
let db: pg.Client;
beforeAll(async () => {
  actors = await startSubgraphHarness('actors');
  db = new pg.Client({ connectionString: actors.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await actors?.close();
});

/** Every row of every table, to show that a refused write changed nothing. */
async function snapshot(): Promise<string> {
  const tables = ['Actor', 'Alias', 'Affiliation', 'Change', 'ActorRedirect'];
  const rows = await Promise.all(
    tables.map(async (table) => (await db.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows),
  );
  return JSON.stringify(rows);
}

describe('creating an actor', () => {
  it('stores it with its names and positions, records who made it, and logs the change', async () => {
    const { data, errors } = await actors.execute(
      CREATE_ACTOR,
      {
        input: {
          ...newsroom,
          name: 'Oleksandr Hrytsenko',
          kind: 'PERSON',
          description: 'A correspondent, invented for these tests.',
          organizationType: null,
          countryCode: 'UA',
          aliases: [{ name: 'Aleksandr Gritsenko', kind: 'TRANSLITERATION', language: 'ru-Latn' }],
          affiliations: [{ organization: 'belgorod-regional-government', title: 'Press officer', since: '2022-01-10' }],
        },
      },
      KYIV_DESK,
    );
    expect(errors).toBeUndefined();
    expect(data!.createActor.errors).toEqual([]);
    const actor = data!.createActor.actor;
    expect(actor).toMatchObject({
      slug: 'oleksandr-hrytsenko',
      kind: 'PERSON',
      aliases: ['Aleksandr Gritsenko'],
      alternativeNames: [{ name: 'Aleksandr Gritsenko', kind: 'TRANSLITERATION', language: 'ru-Latn' }],
      affiliations: [
        { title: 'Press officer', since: '2022-01-10', organization: { slug: 'belgorod-regional-government' } },
      ],
    });
    const stored = await db.query('SELECT "createdBy" FROM "Actor" WHERE id = $1', [actor.id]);
    expect(stored.rows).toEqual([{ createdBy: 'key_kyivdesk0001' }]);
    const changes = await db.query('SELECT operation, "by", fields FROM "Change" WHERE "entityId" = $1', [actor.id]);
    expect(changes.rows).toEqual([
      {
        operation: 'CREATE',
        by: 'key_kyivdesk0001',
        fields: expect.arrayContaining(['name', 'slug', 'kind', 'aliases', 'affiliations']),
      },
    ]);
  });

  it('numbers a slug made from a taken name', async () => {
    const first = await actors.execute(CREATE_ACTOR, { input: { ...newsroom, name: 'Twin Desk' } }, KYIV_DESK);
    const second = await actors.execute(CREATE_ACTOR, { input: { ...newsroom, name: 'Twin Desk' } }, KYIV_DESK);
    expect([first.data!.createActor.actor.slug, second.data!.createActor.actor.slug]).toEqual([
      'twin-desk',
      'twin-desk-2',
    ]);
  });

  it('returns the same actor for a repeat with the same externalId, and refuses one with other values', async () => {
    const input = { ...newsroom, name: 'Retry Newsroom', externalId: 'desk-42' };
    const first = await actors.execute(CREATE_ACTOR, { input }, KYIV_DESK);
    const again = await actors.execute(CREATE_ACTOR, { input }, KYIV_DESK);
    expect(again.data!.createActor.actor.id).toBe(first.data!.createActor.actor.id);
    const before = await snapshot();
    const changed = await actors.execute(
      CREATE_ACTOR,
      { input: { ...input, description: 'Something else.' } },
      KYIV_DESK,
    );
    expect(changed.data!.createActor).toEqual({
      actor: null,
      errors: [{ field: ['input', 'externalId'], code: 'CONFLICT', message: expect.stringContaining('other values') }],
    });
    // Another key's externalId space is its own.
    const otherKey = await actors.execute(CREATE_ACTOR, { input }, OTHER_DESK);
    expect(otherKey.data!.createActor.actor.id).not.toBe(first.data!.createActor.actor.id);
    expect((await db.query(`SELECT count(*)::int AS n FROM "Actor" WHERE "externalId" = 'desk-42'`)).rows[0].n).toBe(2);
    expect(before).not.toBe(await snapshot()); // only the other key's create changed anything
  });

  it.each([
    ['an empty name', { name: '  ' }, ['input', 'name'], 'INVALID'],
    ['an overlong name', { name: 'x'.repeat(301) }, ['input', 'name'], 'TOO_LONG'],
    ['a bad country code', { countryCode: 'Russia' }, ['input', 'countryCode'], 'INVALID'],
    ['a bad slug', { slug: 'Not A Slug' }, ['input', 'slug'], 'INVALID'],
    ['a taken slug', { slug: 'vyacheslav-gladkov' }, ['input', 'slug'], 'TAKEN'],
    ['a bad Wikidata id', { wikidataId: 'Gladkov' }, ['input', 'wikidataId'], 'INVALID'],
    [
      'a bad language tag',
      { aliases: [{ name: 'X', kind: 'TRANSLITERATION', language: 'Ukrainian!' }] },
      ['input', 'aliases', '0', 'language'],
      'INVALID',
    ],
    [
      'a name listed twice',
      {
        aliases: [
          { name: 'X', kind: 'ABBREVIATION' },
          { name: 'X', kind: 'ABBREVIATION' },
        ],
      },
      ['input', 'aliases', '1', 'name'],
      'TAKEN',
    ],
    ['a person with an organisation type', { kind: 'PERSON' }, ['input', 'organizationType'], 'INVALID'],
    [
      'an unknown organisation',
      { affiliations: [{ organization: 'no-such-body', title: 'Head' }] },
      ['input', 'affiliations', '0', 'organization'],
      'UNKNOWN_REFERENCE',
    ],
    [
      'a person as organisation',
      { affiliations: [{ organization: 'vyacheslav-gladkov', title: 'Aide' }] },
      ['input', 'affiliations', '0', 'organization'],
      'INVALID',
    ],
    [
      'a position ending before it began',
      {
        affiliations: [
          { organization: 'belgorod-regional-government', title: 'Aide', since: '2023-01-02', until: '2022-01-01' },
        ],
      },
      ['input', 'affiliations', '0', 'until'],
      'INVALID',
    ],
  ])('refuses %s, naming the field, and writes nothing', async (_case, change, field, code) => {
    const before = await snapshot();
    const { data, errors } = await actors.execute(
      CREATE_ACTOR,
      { input: { ...newsroom, name: 'Refused Desk', ...change } },
      KYIV_DESK,
    );
    expect(errors).toBeUndefined();
    expect(data!.createActor.actor).toBeNull();
    expect(data!.createActor.errors).toContainEqual({ field, code, message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it('refuses a key without the write scope, with FORBIDDEN', async () => {
    const before = await snapshot();
    const { errors } = await actors.execute(CREATE_ACTOR, { input: newsroom }, READER);
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });
});

describe('changing an actor', () => {
  let id: string;
  beforeAll(async () => {
    const { data } = await actors.execute(CREATE_ACTOR, { input: { ...newsroom, name: 'Changing Desk' } }, KYIV_DESK);
    id = data!.createActor.actor.id;
  });

  it('changes the fields given, replaces a list given, and logs only what changed', async () => {
    const { data } = await actors.execute(
      UPDATE_ACTOR,
      { input: { id, description: 'Now covering Kharkiv too.', aliases: [{ name: 'CD', kind: 'ABBREVIATION' }] } },
      KYIV_DESK,
    );
    expect(data!.updateActor).toEqual({
      actor: {
        id,
        slug: 'changing-desk',
        name: 'Changing Desk',
        description: 'Now covering Kharkiv too.',
        aliases: ['CD'],
      },
      errors: [],
    });
    const changes = await db.query(`SELECT fields FROM "Change" WHERE "entityId" = $1 AND operation = 'UPDATE'`, [id]);
    expect(changes.rows).toEqual([{ fields: ['description', 'aliases'] }]);
  });

  it("refuses another partner's change with FORBIDDEN and changes nothing; an admin key may", async () => {
    const before = await snapshot();
    const refused = await actors.execute(UPDATE_ACTOR, { input: { id, name: 'Hijacked' } }, OTHER_DESK);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
    const seeded = await actors.execute(
      UPDATE_ACTOR,
      { input: { id: seedId.actor('vyacheslav-gladkov'), name: 'X' } },
      KYIV_DESK,
    );
    expect(seeded.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const edited = await actors.execute(UPDATE_ACTOR, { input: { id, name: 'Changing Desk (edited)' } }, EDITOR);
    expect(edited.data!.updateActor.actor.name).toBe('Changing Desk (edited)');
  });

  it('answers an unknown id with NOT_FOUND on input.id', async () => {
    const { data } = await actors.execute(
      UPDATE_ACTOR,
      { input: { id: '00000000-0000-4000-8000-000000000000', name: 'X' } },
      KYIV_DESK,
    );
    expect(data!.updateActor.errors).toEqual([
      { field: ['input', 'id'], code: 'NOT_FOUND', message: expect.any(String) },
    ]);
  });
});

describe('deleting an actor', () => {
  it('is refused, deleting nothing, when the services that may refer to it cannot be asked', async () => {
    const { data: created } = await actors.execute(
      CREATE_ACTOR,
      { input: { ...newsroom, name: 'Lonely Desk' } },
      KYIV_DESK,
    );
    const before = await snapshot();
    const { data, errors } = await actors.execute(
      DELETE_ACTOR,
      { input: { id: created!.createActor.actor.id } },
      KYIV_DESK,
    );
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(errors?.[0]?.message).toMatch(/nothing was written/);
    expect(await snapshot()).toBe(before);
  });
});

describe('merging actors', () => {
  const person = (name: string, aliases: string[] = []) => ({
    ...newsroom,
    name,
    kind: 'PERSON',
    organizationType: null,
    aliases: aliases.map((alias) => ({ name: alias, kind: 'TRANSLITERATION' })),
  });
  const create = async (input: Record<string, unknown>) =>
    (await actors.execute(CREATE_ACTOR, { input }, KYIV_DESK)).data!.createActor.actor as { id: string; slug: string };
  const merge = (from: string, into: string, principal = EDITOR) =>
    actors.execute(MERGE_ACTORS, { input: { from, into } }, principal);

  it('refuses, merging nothing, when the services holding references to the actor cannot be asked', async () => {
    const survivor = await create(person('Serhiy Naiev', ['Sergei Nayev']));
    const duplicate = await create(person('Serhii Naev'));
    const before = await snapshot();
    const { data, errors } = await merge(duplicate.id, survivor.id);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });

  it('refuses merging an actor into itself', async () => {
    const a = await create(person('Self Person'));
    const before = await snapshot();
    expect((await merge(a.id, a.id)).data!.mergeActors.errors[0]).toMatchObject({
      field: ['input', 'into'],
      code: 'INVALID',
    });
    expect(await snapshot()).toBe(before);
  });

  it('needs an admin key, and actors of one kind', async () => {
    const a = await create(person('Kind Person'));
    const b = await create({ ...newsroom, name: 'Kind Organisation' });
    const before = await snapshot();
    expect((await merge(a.id, b.id, KYIV_DESK)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await merge(a.id, b.id)).data!.mergeActors.errors[0]).toMatchObject({
      field: ['input', 'into'],
      code: 'INVALID',
    });
    expect(await snapshot()).toBe(before);
  });
});
