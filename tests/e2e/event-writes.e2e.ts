import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import {
  CREATE_EVENT,
  CREATE_PLACE,
  DELETE_EVENT,
  DELETE_PLACE,
  shelling,
  UPDATE_EVENT,
  village,
} from '../fixtures/event-writes';

// Writing events through the real gateway, with partners' keys, while the actors and statements
// subgraphs confirm participants' actors and claims, and answer the delete check, over real HTTP.

const GLADKOV = seedId.actor('vyacheslav-gladkov');
const RAID = seedId.event('belgorod-incursion-2023');
const MILITIAS_CLAIM = seedId.claim('raid-perpetrator-russian-volunteer-militias');

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'lviv' | 'editor', string>;

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

const countTitled = async (title: string) =>
  (
    await as(keys.reader, 'query($search: String) { events(filter: { search: $search }) { totalCount } }', {
      search: title,
    })
  ).body.data!.events.totalCount;

beforeAll(async () => {
  federation = await startFederation({ env: { ANONYMOUS_ACCESS: 'off' } });
  const [reader, kyiv, lviv, editor] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Kyiv Desk', 'read,write'),
    createKey(federation.env, 'Lviv Desk', 'read,write'),
    createKey(federation.env, 'Editors', 'read,write,admin'),
  ]);
  keys = { reader: reader.key, kyiv: kyiv.key, lviv: lviv.key, editor: editor.key };
}, 180_000);
afterAll(async () => {
  await federation?.stop();
});

describe('events written through the gateway', () => {
  it('a read key is refused on every event and place mutation, before any subgraph is asked', async () => {
    for (const [query, input] of [
      [CREATE_EVENT, shelling],
      [UPDATE_EVENT, { id: RAID, title: 'X' }],
      [DELETE_EVENT, { id: RAID }],
      [CREATE_PLACE, village],
      [DELETE_PLACE, { id: seedId.place('kozinka') }],
    ] as const) {
      const response = await as(keys.reader, query, { input });
      expect(response.status).toBe(403);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it("creates an event whose participant is a seeded actor, and reads it back with the actor's name from the actors service", async () => {
    const created = await as(keys.kyiv, CREATE_EVENT, {
      input: {
        ...shelling,
        title: 'Governor reports overnight shelling',
        place: 'kozinka',
        parent: 'belgorod-incursion-2023',
        participants: [{ actor: GLADKOV, role: 'COMMENTATOR', note: 'reported it on Telegram' }],
        figures: [
          { metric: 'INJURED', value: 2, qualifier: 'AT_LEAST', description: 'two hurt', claim: MILITIAS_CLAIM },
        ],
      },
    });
    expect(created.status).toBe(200);
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data!.createEvent.errors).toEqual([]);
    const { slug } = created.body.data!.createEvent.event;
    const read = await as(
      keys.reader,
      `query($slug: String!) { event(slug: $slug) {
        title location { name } parent { slug }
        participants { role note actor { slug name } }
        figures { value claim { text } }
      } }`,
      { slug },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.event).toEqual({
      title: 'Governor reports overnight shelling',
      location: { name: 'Kozinka' },
      parent: { slug: 'belgorod-incursion-2023' },
      participants: [
        {
          role: 'COMMENTATOR',
          note: 'reported it on Telegram',
          actor: { slug: 'vyacheslav-gladkov', name: 'Vyacheslav Gladkov' },
        },
      ],
      figures: [{ value: 2, claim: { text: expect.any(String) } }],
    });
    const participations = await as(
      keys.reader,
      '{ actor(slug: "vyacheslav-gladkov") { participations(first: 100) { event { slug } } } }',
    );
    expect(participations.body.data!.actor.participations).toContainEqual({ event: { slug } });
  });

  it('refuses an actor or a claim the owning service does not know, at its field, writing nothing', async () => {
    const title = 'Shelling with an invented participant';
    const response = await as(keys.kyiv, CREATE_EVENT, {
      input: {
        ...shelling,
        title,
        participants: [
          { actor: GLADKOV, role: 'COMMENTATOR' },
          { actor: GLADKOV, role: 'VICTIM' },
          { actor: randomUUID(), role: 'ATTACKER', claim: randomUUID() },
        ],
      },
    });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.createEvent.event).toBeNull();
    expect(response.body.data!.createEvent.errors).toEqual([
      {
        field: ['input', 'participants', '2', 'actor'],
        code: 'UNKNOWN_REFERENCE',
        message: expect.stringMatching(/actors service/),
      },
      {
        field: ['input', 'participants', '2', 'claim'],
        code: 'UNKNOWN_REFERENCE',
        message: expect.stringMatching(/statements service/),
      },
    ]);
    expect(await countTitled(title)).toBe(0);
  });

  it("another partner's key cannot change or delete an event; an editor's key can change it", async () => {
    const { id } = (
      await as(keys.kyiv, CREATE_EVENT, { input: { ...shelling, title: 'Shelling of Novaya Tavolzhanka' } })
    ).body.data!.createEvent.event;
    const update = await as(keys.lviv, UPDATE_EVENT, { input: { id, title: 'Taken over' } });
    expect(update.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const removal = await as(keys.lviv, DELETE_EVENT, { input: { id } });
    expect(removal.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unchanged = await as(keys.reader, `{ event(id: "${id}") { title } }`);
    expect(unchanged.body.data!.event).toEqual({ title: 'Shelling of Novaya Tavolzhanka' });
    const edited = await as(keys.editor, UPDATE_EVENT, {
      input: { id, title: 'Shelling of Novaya Tavolzhanka (edited)' },
    });
    expect(edited.body.data!.updateEvent.event.title).toBe('Shelling of Novaya Tavolzhanka (edited)');
  });

  it('deleting the raid is refused, even for an editor, with its referrers here and in the statements service', async () => {
    const response = await as(keys.editor, DELETE_EVENT, { input: { id: RAID } });
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data!.deleteEvent;
    expect(result.deletedId).toBeNull();
    expect(result.errors).toEqual([{ field: ['input', 'id'], code: 'REFERENCED', message: expect.any(String) }]);
    expect(result.referrers).toContainEqual({
      type: 'Event',
      id: seedId.event('kozinka-border-post-attack-2023'),
      service: 'events',
    });
    expect(result.referrers).toContainEqual({ type: 'Claim', id: MILITIAS_CLAIM, service: 'statements' });
    const still = await as(keys.reader, `{ event(id: "${RAID}") { title participants { role } } }`);
    expect(still.body.data!.event.participants.length).toBeGreaterThan(0);
  });

  it('deletes an event nothing refers to, with its participants; it no longer resolves anywhere', async () => {
    const { id, slug } = (
      await as(keys.kyiv, CREATE_EVENT, {
        input: {
          ...shelling,
          title: 'Short-lived shelling report',
          participants: [{ actor: GLADKOV, role: 'COMMENTATOR' }],
          relations: [{ to: 'belgorod-incursion-2023', kind: 'FOLLOWS' }],
        },
      })
    ).body.data!.createEvent.event;
    const response = await as(keys.kyiv, DELETE_EVENT, { input: { id } });
    expect(response.body.data!.deleteEvent).toEqual({ deletedId: id, referrers: [], errors: [] });
    const gone = await as(
      keys.reader,
      `{ event(id: "${id}") { title }
         raid: event(id: "${RAID}") { relatedEvents(first: 100) { event { slug } } }
         actor(slug: "vyacheslav-gladkov") { participations(first: 100) { event { slug } } } }`,
    );
    expect(gone.body.data!.event).toBeNull();
    expect(gone.body.data!.raid.relatedEvents).not.toContainEqual({ event: { slug } });
    expect(gone.body.data!.actor.participations).not.toContainEqual({ event: { slug } });
  });
});
