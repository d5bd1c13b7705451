import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';
import {
  CREATE_EVENT,
  CREATE_PLACE,
  DELETE_EVENT,
  DELETE_PLACE,
  shelling,
  UPDATE_EVENT,
  UPDATE_PLACE,
  village,
} from '../../../tests/fixtures/event-writes';

// The events subgraph's writes, in-process on a fresh PostgreSQL database. No other subgraph
// runs beside it, so a write that must ask one (participants' actors, claims, an event's
// delete) is refused as unavailable; the rest is checked here in full.

const KYIV_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_kyivdesk0001', scopes: ['READ', 'WRITE'] };
const OTHER_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_otherdesk001', scopes: ['READ', 'WRITE'] };
const EDITOR: ForwardedPrincipal = { kind: 'key', keyId: 'key_editor000001', scopes: ['READ', 'WRITE', 'ADMIN'] };
const READER: ForwardedPrincipal = { kind: 'key', keyId: 'key_reader000001', scopes: ['READ'] };

const RAID = seedId.event('belgorod-incursion-2023');
const GLADKOV = seedId.actor('vyacheslav-gladkov');
const MILITIAS_CLAIM = seedId.claim('raid-perpetrator-russian-volunteer-militias');

let events: SubgraphHarness;
let db: pg.Client;
beforeAll(async () => {
  events = await startSubgraphHarness('events');
  db = new pg.Client({ connectionString: events.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await events?.close();
});

/** Every row of every table, to show that a refused write changed nothing. */
async function snapshot(): Promise<string> {
  const tables = ['Place', 'Event', 'EventRelation', 'Participant', 'Figure', 'Change'];
  const rows = await Promise.all(
    tables.map(async (table) => (await db.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows),
  );
  return JSON.stringify(rows);
}

const createEvent = async (input: Record<string, unknown>, principal = KYIV_DESK) => {
  const { data, errors } = await events.execute(CREATE_EVENT, { input }, principal);
  expect(errors).toBeUndefined();
  expect(data!.createEvent.errors).toEqual([]);
  return data!.createEvent.event as { id: string; slug: string };
};

describe('creating an event', () => {
  it('stores it with its place, parent, figures and links, records who made it, and logs the change', async () => {
    const { data, errors } = await events.execute(
      CREATE_EVENT,
      {
        input: {
          ...shelling,
          place: 'kozinka',
          parent: RAID,
          figures: [{ metric: 'INJURED', value: 2, qualifier: 'AT_LEAST', description: 'at least two people hurt' }],
          relations: [{ to: 'kozinka-border-post-attack-2023', kind: 'FOLLOWS', note: 'the next night' }],
        },
      },
      KYIV_DESK,
    );
    expect(errors).toBeUndefined();
    expect(data!.createEvent.errors).toEqual([]);
    const event = data!.createEvent.event;
    expect(event).toMatchObject({
      slug: 'overnight-shelling-of-kozinka',
      kind: 'SHELLING',
      startedAt: '2023-05-23T00:00:00.000Z',
      endedAt: null,
      datePrecision: 'DAY',
      location: { slug: 'kozinka', name: 'Kozinka' },
      parent: { slug: 'belgorod-incursion-2023' },
      participants: [],
      figures: [
        { metric: 'INJURED', value: 2, qualifier: 'AT_LEAST', description: 'at least two people hurt', claim: null },
      ],
    });
    expect(event.relatedEvents).toEqual([
      { kind: 'PART_OF', note: null, event: { slug: 'belgorod-incursion-2023' } },
      { kind: 'FOLLOWS', note: 'the next night', event: { slug: 'kozinka-border-post-attack-2023' } },
    ]);
    // The other end reads the link the other way round, and the raid lists its new part.
    const other = await events.execute(`{
      kozinka: event(slug: "kozinka-border-post-attack-2023") { relatedEvents { kind event { slug } } }
      raid: event(slug: "belgorod-incursion-2023") { subEvents { slug } }
    }`);
    expect(other.data!.kozinka.relatedEvents).toContainEqual({
      kind: 'PRECEDES',
      event: { slug: 'overnight-shelling-of-kozinka' },
    });
    expect(other.data!.raid.subEvents).toContainEqual({ slug: 'overnight-shelling-of-kozinka' });
    const stored = await db.query('SELECT "createdBy", "externalId" FROM "Event" WHERE id = $1', [event.id]);
    expect(stored.rows).toEqual([{ createdBy: 'key_kyivdesk0001', externalId: null }]);
    const changes = await db.query('SELECT "entityType", operation, "by", fields FROM "Change" WHERE "entityId" = $1', [
      event.id,
    ]);
    expect(changes.rows).toEqual([
      {
        entityType: 'Event',
        operation: 'CREATE',
        by: 'key_kyivdesk0001',
        fields: expect.arrayContaining(['title', 'slug', 'kind', 'placeId', 'parentId', 'figures', 'relations']),
      },
    ]);
    expect(changes.rows[0].fields).not.toContain('participants');
  });

  it('numbers a slug made from a taken title', async () => {
    const first = await createEvent({ ...shelling, title: 'Twin shelling' });
    const second = await createEvent({ ...shelling, title: 'Twin shelling' });
    expect([first.slug, second.slug]).toEqual(['twin-shelling', 'twin-shelling-2']);
  });

  it('returns the same event for a repeat with the same externalId, and refuses one with other values', async () => {
    const input = { ...shelling, title: 'Retried shelling', externalId: 'desk-event-42' };
    const first = await createEvent(input);
    const again = await createEvent(input);
    expect(again.id).toBe(first.id);
    const before = await snapshot();
    const changed = await events.execute(CREATE_EVENT, { input: { ...input, kind: 'AIR_STRIKE' } }, KYIV_DESK);
    expect(changed.data!.createEvent).toEqual({
      event: null,
      errors: [{ field: ['input', 'externalId'], code: 'CONFLICT', message: expect.stringContaining('other values') }],
    });
    expect(await snapshot()).toBe(before);
    // Another key's externalId space is its own.
    const otherKey = await createEvent(input, OTHER_DESK);
    expect(otherKey.id).not.toBe(first.id);
  });

  const participant = { actor: GLADKOV, role: 'COMMENTATOR' };
  it.each([
    ['an empty title', { title: '  ' }, ['input', 'title'], 'INVALID'],
    ['an overlong title', { title: 'x'.repeat(301) }, ['input', 'title'], 'TOO_LONG'],
    ['an overlong summary', { summary: 'x'.repeat(5_001) }, ['input', 'summary'], 'TOO_LONG'],
    ['a bad slug', { slug: 'Not A Slug' }, ['input', 'slug'], 'INVALID'],
    ['a taken slug', { slug: 'belgorod-incursion-2023' }, ['input', 'slug'], 'TAKEN'],
    ['a DAY date that is not midnight', { startedAt: '2023-05-23T14:30:00Z' }, ['input', 'startedAt'], 'INVALID'],
    [
      'a MONTH date that is not the first',
      { startedAt: '2023-05-23T00:00:00Z', datePrecision: 'MONTH' },
      ['input', 'startedAt'],
      'INVALID',
    ],
    ['an end before the start', { endedAt: '2023-05-22T00:00:00Z' }, ['input', 'endedAt'], 'INVALID'],
    ['an end without a start', { startedAt: null, endedAt: '2023-05-24T00:00:00Z' }, ['input', 'endedAt'], 'INVALID'],
    ['a start in the future', { startedAt: '2999-01-01T00:00:00Z' }, ['input', 'startedAt'], 'INVALID'],
    ['an unknown place', { place: 'atlantis' }, ['input', 'place'], 'UNKNOWN_REFERENCE'],
    ['an unknown parent', { parent: '00000000-0000-4000-8000-000000000000' }, ['input', 'parent'], 'UNKNOWN_REFERENCE'],
    [
      'a link to an unknown event',
      { relations: [{ to: 'no-such-event', kind: 'FOLLOWS' }] },
      ['input', 'relations', '0', 'to'],
      'UNKNOWN_REFERENCE',
    ],
    [
      'a link of a kind read from the other end',
      { relations: [{ to: 'belgorod-incursion-2023', kind: 'PRECEDES' }] },
      ['input', 'relations', '0', 'kind'],
      'INVALID',
    ],
    [
      'a link listed twice',
      {
        relations: [
          { to: 'belgorod-incursion-2023', kind: 'FOLLOWS' },
          { to: RAID, kind: 'FOLLOWS' },
        ],
      },
      ['input', 'relations', '1', 'to'],
      'TAKEN',
    ],
    [
      'a negative figure',
      { figures: [{ metric: 'KILLED', value: -1, qualifier: 'EXACT', description: 'none' }] },
      ['input', 'figures', '0', 'value'],
      'INVALID',
    ],
    [
      'a figure resting on a malformed claim id',
      { figures: [{ metric: 'KILLED', value: 1, qualifier: 'EXACT', description: 'one', claim: 'raid-claim' }] },
      ['input', 'figures', '0', 'claim'],
      'INVALID',
    ],
    [
      'a participant named by something other than an id',
      { participants: [{ actor: 'vyacheslav-gladkov', role: 'COMMENTATOR' }] },
      ['input', 'participants', '0', 'actor'],
      'INVALID',
    ],
    [
      'one actor twice in one role',
      { participants: [participant, { ...participant, note: 'again' }] },
      ['input', 'participants', '1', 'actor'],
      'TAKEN',
    ],
    [
      'an overlong participant note',
      { participants: [{ ...participant, note: 'x'.repeat(2_001) }] },
      ['input', 'participants', '0', 'note'],
      'TOO_LONG',
    ],
    [
      'too many participants',
      { participants: Array.from({ length: 101 }, () => participant) },
      ['input', 'participants'],
      'INVALID',
    ],
  ])('refuses %s, naming the field, and writes nothing', async (_case, change, field, code) => {
    const before = await snapshot();
    const { data, errors } = await events.execute(CREATE_EVENT, { input: { ...shelling, ...change } }, KYIV_DESK);
    expect(errors).toBeUndefined();
    expect(data!.createEvent.event).toBeNull();
    expect(data!.createEvent.errors).toContainEqual({ field, code, message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it('refuses a value outside an enum before anything runs', async () => {
    const before = await snapshot();
    const { data, errors } = await events.execute(
      CREATE_EVENT,
      { input: { ...shelling, kind: 'EARTHQUAKE' } },
      KYIV_DESK,
    );
    expect(data ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await snapshot()).toBe(before);
  });

  it.each([
    [
      'a participant, whose actor the actors service must confirm',
      { participants: [{ actor: GLADKOV, role: 'COMMENTATOR' }] },
    ],
    [
      'a figure resting on a claim, which the statements service must confirm',
      { figures: [{ metric: 'INJURED', value: 1, qualifier: 'EXACT', description: 'one', claim: MILITIAS_CLAIM }] },
    ],
  ])('refuses an event with %s when that service cannot be asked, writing nothing', async (_case, change) => {
    const before = await snapshot();
    const { data, errors } = await events.execute(CREATE_EVENT, { input: { ...shelling, ...change } }, KYIV_DESK);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(errors?.[0]?.message).toMatch(/nothing was written/);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a key without the write scope, with FORBIDDEN', async () => {
    const before = await snapshot();
    const { errors } = await events.execute(CREATE_EVENT, { input: shelling }, READER);
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });
});

describe('changing an event', () => {
  let id: string;
  beforeAll(async () => {
    ({ id } = await createEvent({
      ...shelling,
      title: 'Changing shelling',
      place: 'kozinka',
      figures: [{ metric: 'INJURED', value: 1, qualifier: 'EXACT', description: 'one hurt' }],
      relations: [{ to: RAID, kind: 'FOLLOWS' }],
    }));
  });

  it('changes the fields given, replaces a list given, clears what null clears, and logs only what changed', async () => {
    const { data } = await events.execute(
      UPDATE_EVENT,
      {
        input: {
          id,
          summary: 'Updated after a second report.',
          endedAt: '2023-05-24T00:00:00Z',
          place: null,
          figures: [{ metric: 'INJURED', value: 3, qualifier: 'APPROXIMATE', description: 'about three hurt' }],
        },
      },
      KYIV_DESK,
    );
    expect(data!.updateEvent.errors).toEqual([]);
    expect(data!.updateEvent.event).toMatchObject({
      id,
      title: 'Changing shelling',
      summary: 'Updated after a second report.',
      endedAt: '2023-05-24T00:00:00.000Z',
      location: null,
      figures: [
        { metric: 'INJURED', value: 3, qualifier: 'APPROXIMATE', description: 'about three hurt', claim: null },
      ],
      // Not given, so kept.
      relatedEvents: [{ kind: 'FOLLOWS', note: null, event: { slug: 'belgorod-incursion-2023' } }],
    });
    const changes = await db.query(`SELECT fields FROM "Change" WHERE "entityId" = $1 AND operation = 'UPDATE'`, [id]);
    expect(changes.rows).toEqual([{ fields: ['summary', 'endedAt', 'placeId', 'figures'] }]);
    const again = await events.execute(UPDATE_EVENT, { input: { id, relations: [] } }, KYIV_DESK);
    expect(again.data!.updateEvent.event.relatedEvents).toEqual([]);
  });

  it('refuses a parent that would make a cycle, and an event as its own part', async () => {
    const part = await createEvent({ ...shelling, title: 'A part of the changing shelling', parent: id });
    const before = await snapshot();
    for (const parent of [part.slug, id]) {
      const { data } = await events.execute(UPDATE_EVENT, { input: { id, parent } }, KYIV_DESK);
      expect(data!.updateEvent.errors).toEqual([
        { field: ['input', 'parent'], code: 'INVALID', message: expect.any(String) },
      ]);
    }
    const link = await events.execute(
      UPDATE_EVENT,
      { input: { id, relations: [{ to: id, kind: 'RELATED_TO' }] } },
      KYIV_DESK,
    );
    expect(link.data!.updateEvent.errors[0]).toMatchObject({
      field: ['input', 'relations', '0', 'to'],
      code: 'INVALID',
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses a precision the dates kept do not fit, at datePrecision', async () => {
    const before = await snapshot();
    const { data } = await events.execute(UPDATE_EVENT, { input: { id, datePrecision: 'YEAR' } }, KYIV_DESK);
    expect(data!.updateEvent.errors).toContainEqual({
      field: ['input', 'datePrecision'],
      code: 'INVALID',
      message: expect.stringContaining('1 January'),
    });
    expect(await snapshot()).toBe(before);
  });

  it('refuses new participants when the actors service cannot be asked, changing nothing', async () => {
    const before = await snapshot();
    const { data, errors } = await events.execute(
      UPDATE_EVENT,
      { input: { id, title: 'Renamed', participants: [{ actor: GLADKOV, role: 'COMMENTATOR' }] } },
      KYIV_DESK,
    );
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });

  it("refuses another partner's change with FORBIDDEN and changes nothing; an admin key may", async () => {
    const before = await snapshot();
    const refused = await events.execute(UPDATE_EVENT, { input: { id, title: 'Hijacked' } }, OTHER_DESK);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const seeded = await events.execute(UPDATE_EVENT, { input: { id: RAID, title: 'X' } }, KYIV_DESK);
    expect(seeded.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
    const edited = await events.execute(UPDATE_EVENT, { input: { id, title: 'Changing shelling (edited)' } }, EDITOR);
    expect(edited.data!.updateEvent.event.title).toBe('Changing shelling (edited)');
  });

  it('answers an unknown id with NOT_FOUND on input.id', async () => {
    const { data } = await events.execute(
      UPDATE_EVENT,
      { input: { id: '00000000-0000-4000-8000-000000000000', title: 'X' } },
      KYIV_DESK,
    );
    expect(data!.updateEvent.errors).toEqual([
      { field: ['input', 'id'], code: 'NOT_FOUND', message: expect.any(String) },
    ]);
  });
});

describe('deleting an event', () => {
  it('is refused, deleting nothing, when the statements service (which may hold claims about it) cannot be asked', async () => {
    const { id } = await createEvent({ ...shelling, title: 'Lonely shelling' });
    const before = await snapshot();
    const { data, errors } = await events.execute(DELETE_EVENT, { input: { id } }, KYIV_DESK);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });

  it("refuses another partner's delete with FORBIDDEN before asking anyone", async () => {
    const before = await snapshot();
    const { errors } = await events.execute(DELETE_EVENT, { input: { id: RAID } }, OTHER_DESK);
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });
});

describe('places', () => {
  it('creates a place, naming its country after the code, and logs it', async () => {
    const { data } = await events.execute(CREATE_PLACE, { input: village }, KYIV_DESK);
    expect(data!.createPlace).toEqual({
      place: {
        id: expect.any(String),
        slug: 'hlushkovo',
        ...village,
        country: 'Russia',
      },
      errors: [],
    });
    const { id } = data!.createPlace.place;
    const stored = await db.query('SELECT "createdBy" FROM "Place" WHERE id = $1', [id]);
    expect(stored.rows).toEqual([{ createdBy: 'key_kyivdesk0001' }]);
    const changes = await db.query('SELECT "entityType", operation FROM "Change" WHERE "entityId" = $1', [id]);
    expect(changes.rows).toEqual([{ entityType: 'Place', operation: 'CREATE' }]);
  });

  it('returns the same place for a repeat with the same externalId, and refuses one with other values', async () => {
    const input = { ...village, name: 'Retried village', externalId: 'desk-place-1' };
    const first = await events.execute(CREATE_PLACE, { input }, KYIV_DESK);
    const again = await events.execute(CREATE_PLACE, { input }, KYIV_DESK);
    expect(again.data!.createPlace.place.id).toBe(first.data!.createPlace.place.id);
    const before = await snapshot();
    const changed = await events.execute(CREATE_PLACE, { input: { ...input, latitude: 10 } }, KYIV_DESK);
    expect(changed.data!.createPlace.errors).toEqual([
      { field: ['input', 'externalId'], code: 'CONFLICT', message: expect.any(String) },
    ]);
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['an empty name', { name: ' ' }, ['input', 'name'], 'INVALID'],
    ['an overlong name', { name: 'x'.repeat(301) }, ['input', 'name'], 'TOO_LONG'],
    ['a country name for a code', { countryCode: 'Russia' }, ['input', 'countryCode'], 'INVALID'],
    ['an unassigned country code', { countryCode: 'XX' }, ['input', 'countryCode'], 'INVALID'],
    ['a code of a country gone', { countryCode: 'SU' }, ['input', 'countryCode'], 'INVALID'],
    ['a latitude past the pole', { latitude: 91 }, ['input', 'latitude'], 'INVALID'],
    ['a longitude past the antimeridian', { longitude: -180.5 }, ['input', 'longitude'], 'INVALID'],
    ['a latitude without a longitude', { longitude: null }, ['input', 'longitude'], 'INVALID'],
    [
      'a point without coordinates',
      { latitude: null, longitude: null, geoPrecision: 'POINT' },
      ['input', 'geoPrecision'],
      'INVALID',
    ],
    ['a taken slug', { slug: 'kozinka' }, ['input', 'slug'], 'TAKEN'],
  ])('refuses %s, naming the field, and writes nothing', async (_case, change, field, code) => {
    const before = await snapshot();
    const { data, errors } = await events.execute(CREATE_PLACE, { input: { ...village, ...change } }, KYIV_DESK);
    expect(errors).toBeUndefined();
    expect(data!.createPlace.place).toBeNull();
    expect(data!.createPlace.errors).toContainEqual({ field, code, message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it('changes a place: a new code renames its country; another partner is refused', async () => {
    const { data: created } = await events.execute(
      CREATE_PLACE,
      { input: { ...village, name: 'Border crossing' } },
      KYIV_DESK,
    );
    const { id } = created!.createPlace.place;
    const { data } = await events.execute(
      UPDATE_PLACE,
      { input: { id, countryCode: 'UA', region: null, latitude: 51.1, longitude: 34.9 } },
      KYIV_DESK,
    );
    expect(data!.updatePlace.place).toMatchObject({
      countryCode: 'UA',
      country: 'Ukraine',
      region: null,
      latitude: 51.1,
    });
    const changes = await db.query(`SELECT fields FROM "Change" WHERE "entityId" = $1 AND operation = 'UPDATE'`, [id]);
    expect(changes.rows).toEqual([{ fields: ['region', 'countryCode', 'country', 'latitude', 'longitude'] }]);
    const before = await snapshot();
    const refused = await events.execute(UPDATE_PLACE, { input: { id, name: 'Hijacked' } }, OTHER_DESK);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const lonely = await events.execute(UPDATE_PLACE, { input: { id, longitude: null } }, KYIV_DESK);
    expect(lonely.data!.updatePlace.errors[0]).toMatchObject({ field: ['input', 'longitude'], code: 'INVALID' });
    expect(await snapshot()).toBe(before);
  });

  it('refuses to delete a place events are at, listing them; deletes one nothing is at', async () => {
    const { data: created } = await events.execute(
      CREATE_PLACE,
      { input: { ...village, name: 'Busy village' } },
      KYIV_DESK,
    );
    const place = created!.createPlace.place;
    const event = await createEvent({ ...shelling, title: 'Shelling of the busy village', place: place.slug });
    const before = await snapshot();
    const refused = await events.execute(DELETE_PLACE, { input: { id: place.id } }, KYIV_DESK);
    expect(refused.data!.deletePlace).toEqual({
      deletedId: null,
      referrers: [{ type: 'Event', id: event.id, service: 'events' }],
      errors: [{ field: ['input', 'id'], code: 'REFERENCED', message: expect.any(String) }],
    });
    expect(await snapshot()).toBe(before);
    const seeded = await events.execute(DELETE_PLACE, { input: { id: seedId.place('kozinka') } }, EDITOR);
    expect(seeded.data!.deletePlace.referrers.length).toBeGreaterThan(0);

    await events.execute(UPDATE_EVENT, { input: { id: event.id, place: null } }, KYIV_DESK);
    const deleted = await events.execute(DELETE_PLACE, { input: { id: place.id } }, KYIV_DESK);
    expect(deleted.data!.deletePlace).toEqual({ deletedId: place.id, referrers: [], errors: [] });
    expect((await db.query('SELECT id FROM "Place" WHERE id = $1', [place.id])).rows).toEqual([]);
    const changes = await db.query('SELECT operation FROM "Change" WHERE "entityId" = $1 ORDER BY seq', [place.id]);
    expect(changes.rows.map((row) => row.operation)).toEqual(['CREATE', 'DELETE']);
  });
});

describe("the statements service's delete check", () => {
  it('lists the participants and figures that rest on a claim, and nothing for an unknown one', async () => {
    const claims = [MILITIAS_CLAIM, seedId.claim('raid-casualties-twelve-injured')];
    const { data, errors } = await events.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Claim { referrersInEvents { type id service } } }
      }`,
      {
        representations: [...claims, '00000000-0000-4000-8000-000000000000'].map((id) => ({ __typename: 'Claim', id })),
      },
    );
    expect(errors).toBeUndefined();
    for (const [index, claimId] of claims.entries()) {
      const expected = await db.query(
        `SELECT 'Participant' AS type, id::text FROM "Participant" WHERE "claimId" = $1
         UNION ALL SELECT 'Figure', id::text FROM "Figure" WHERE "claimId" = $1`,
        [claimId],
      );
      expect(expected.rows.length).toBeGreaterThan(0);
      const referrers = data!._entities[index].referrersInEvents;
      expect(referrers).toEqual(expect.arrayContaining(expected.rows.map((row) => ({ ...row, service: 'events' }))));
      expect(referrers).toHaveLength(expected.rows.length);
    }
    // The seed's figure rests on the casualties claim: both kinds of referrer are covered.
    expect(data!._entities[1].referrersInEvents).toContainEqual(expect.objectContaining({ type: 'Figure' }));
    expect(data!._entities[2].referrersInEvents).toEqual([]);
  });
});
