// The change feeds through the real gateway, on PostgreSQL: the seed's records as the importer
// created them, then a place created, changed and deleted (a tombstone) and an actor merged into
// another (with the survivor), each once and in order after the cursor a client held.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_PACKAGE_PATHS } from '../../scripts/lib/seed';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

interface Entry {
  cursor: string;
  entityType: string;
  entityId: string;
  operation: string;
  fields: string[];
  survivorId: string | null;
}
type Feed = 'eventChanges' | 'actorChanges' | 'statementChanges';

let federation: Federation;
let writeKey: string;
let adminKey: string;

const call = async (key: string | null, query: string, variables: Record<string, unknown> = {}) => {
  const { body } = await postGraphQL(
    `${federation.gatewayUrl}/graphql`,
    query,
    variables,
    key ? { authorization: `Bearer ${key}` } : {},
  );
  return body;
};

/** Every entry of a feed after `after`, following its pages to the end. */
async function follow(feed: Feed, after: string | null = null): Promise<{ entries: Entry[]; cursor: string | null }> {
  const entries: Entry[] = [];
  let cursor = after;
  for (;;) {
    const body = await call(
      null,
      `query($after: String) { ${feed}(after: $after, first: 50) {
        nodes { cursor entityType entityId operation fields survivorId } endCursor hasNextPage } }`,
      { after: cursor },
    );
    expect(body.errors).toBeUndefined();
    const page = body.data![feed] as { nodes: Entry[]; endCursor: string | null; hasNextPage: boolean };
    entries.push(...page.nodes);
    cursor = page.endCursor;
    if (!page.hasNextPage) return { entries, cursor };
  }
}

const count = (entries: Entry[], entityType: string, operation = 'CREATE') =>
  entries.filter((entry) => entry.entityType === entityType && entry.operation === operation).length;

beforeAll(async () => {
  federation = await startFederation();
  [writeKey, adminKey] = await Promise.all([
    createKey(federation.env, 'Feed Desk', 'read,write').then((created) => created.key),
    createKey(federation.env, 'Feed Editor', 'read,write,admin').then((created) => created.key),
  ]);
}, 180_000);

afterAll(async () => {
  await federation?.stop();
});

describe('the change feeds', () => {
  it('hold the seed as the importer wrote it, record by record, each once', async () => {
    const [events, actors, statements] = await Promise.all([
      follow('eventChanges'),
      follow('actorChanges'),
      follow('statementChanges'),
    ]);
    const seed = JSON.parse(fs.readFileSync(SEED_PACKAGE_PATHS[0]!, 'utf8')) as Record<string, unknown[]>;
    expect(count(events.entries, 'Event')).toBe(seed.events!.length);
    expect(count(events.entries, 'Place')).toBe(seed.places!.length);
    expect(count(actors.entries, 'Actor')).toBe(seed.actors!.length);
    expect(count(statements.entries, 'Claim')).toBe(seed.claims!.length);
    expect(count(statements.entries, 'Statement')).toBe(seed.statements!.length);
    expect(count(statements.entries, 'Source')).toBe(1);
    for (const { entries } of [events, actors, statements]) {
      expect(new Set(entries.map((entry) => entry.cursor)).size).toBe(entries.length);
    }
  });

  it('give a created, changed and deleted place after the cursor a client held, the delete as a tombstone', async () => {
    const { cursor } = await follow('eventChanges');
    const created = await call(
      writeKey,
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code } } }`,
      { input: { name: 'Gora-Podol', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    const id = created.data!.createPlace.place.id as string;
    await call(writeKey, `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`, {
      input: { id, region: 'Grayvoronsky District' },
    });
    const deleted = await call(
      writeKey,
      `mutation($input: DeletePlaceInput!) { deletePlace(input: $input) { deletedId errors { code } } }`,
      { input: { id } },
    );
    expect(deleted.data!.deletePlace.errors).toEqual([]);

    const { entries } = await follow('eventChanges', cursor);
    expect(entries.map(({ entityType, entityId, operation }) => ({ entityType, entityId, operation }))).toEqual([
      { entityType: 'Place', entityId: id, operation: 'CREATE' },
      { entityType: 'Place', entityId: id, operation: 'UPDATE' },
      { entityType: 'Place', entityId: id, operation: 'DELETE' },
    ]);
    expect(entries[1]!.fields).toEqual(['region']);
  });

  it('give a merge with the survivor', async () => {
    const { cursor } = await follow('actorChanges');
    const create = (name: string) =>
      call(
        adminKey,
        `mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } errors { code } } }`,
        { input: { name, kind: 'PERSON', description: 'A duplicate made by two reports.' } },
      ).then((body) => body.data!.createActor.actor.id as string);
    const survivor = await create('Denis Kapustin');
    const duplicate = await create('Denis Nikitin');
    const merged = await call(
      adminKey,
      `mutation($input: MergeActorsInput!) { mergeActors(input: $input) { actor { id } errors { code } } }`,
      { input: { from: duplicate, into: survivor } },
    );
    expect(merged.data!.mergeActors.errors).toEqual([]);

    const { entries } = await follow('actorChanges', cursor);
    const merge = entries.find((entry) => entry.operation === 'MERGE');
    expect(merge).toMatchObject({ entityType: 'Actor', entityId: duplicate, survivorId: survivor });
    expect(entries.filter((entry) => entry.operation === 'CREATE').map((entry) => entry.entityId)).toEqual([
      survivor,
      duplicate,
    ]);
  });

  it('every connection takes updatedSince: only what was created or changed since', async () => {
    const since = new Date().toISOString();
    const QUERY = `query($since: DateTime) {
      events(updatedSince: $since, first: 100) { totalCount nodes { title } }
      actors(updatedSince: $since, first: 100) { totalCount nodes { name } }
      claims(updatedSince: $since, first: 100) { totalCount }
      sources(updatedSince: $since, first: 100) { totalCount }
    }`;
    const before = await call(null, QUERY, { since });
    expect(before.errors).toBeUndefined();
    expect(before.data).toEqual({
      events: { totalCount: 0, nodes: [] },
      actors: { totalCount: 0, nodes: [] },
      claims: { totalCount: 0 },
      sources: { totalCount: 0 },
    });
    await call(writeKey, `mutation($input: CreateActorInput!) { createActor(input: $input) { errors { code } } }`, {
      input: { name: 'Ilya Ponomarev', kind: 'PERSON', description: 'A former Russian MP who spoke for the raiders.' },
    });
    const after = await call(null, QUERY, { since });
    expect(after.data!.actors).toEqual({ totalCount: 1, nodes: [{ name: 'Ilya Ponomarev' }] });
    expect(after.data!.events.totalCount).toBe(0);
    const all = await call(null, QUERY, { since: '2000-01-01T00:00:00Z' });
    expect(all.data!.events.totalCount).toBe(4);
    expect(all.data!.sources.totalCount).toBe(1);
  });

  it('refuse an updatedSince that is not an instant, as a variable or written in the query, saying what they want', async () => {
    for (const field of ['events', 'actors', 'claims', 'sources']) {
      const asVariable = await call(null, `query($since: DateTime) { ${field}(updatedSince: $since) { totalCount } }`, {
        since: 'last week',
      });
      const written = await call(null, `{ ${field}(updatedSince: "yesterday") { totalCount } }`);
      for (const body of [asVariable, written]) {
        expect(body.errors?.[0]?.extensions?.code, field).toBe('BAD_USER_INPUT');
        expect(body.errors?.[0]?.message, field).toMatch(/DateTime/);
      }
    }
  });

  it('refuse a cursor they did not give', async () => {
    const body = await call(null, `{ statementChanges(after: "bm90IGEgY3Vyc29y") { endCursor } }`);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toBe('after is not a cursor this feed gave.');
  });
});
