import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import { CREATE_ACTOR, DELETE_ACTOR, UPDATE_ACTOR } from '../fixtures/actor-writes';

// Writing actors through the real gateway, with partners' keys, while the events and statements
// subgraphs answer the delete check over real HTTP.

const desk = {
  name: 'Kharkiv Bureau',
  kind: 'ORGANIZATION',
  description: 'A newsroom bureau, invented for these tests.',
  countryCode: 'UA',
  organizationType: 'MEDIA',
};

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'lviv' | 'editor', string>;

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

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
afterAll(() => federation?.stop());

describe('actors written through the gateway', () => {
  it('a read key is refused on every actor mutation, before any subgraph is asked', async () => {
    for (const [query, input] of [
      [CREATE_ACTOR, desk],
      [UPDATE_ACTOR, { id: seedId.actor('vyacheslav-gladkov'), name: 'X' }],
      [DELETE_ACTOR, { id: seedId.actor('vyacheslav-gladkov') }],
    ] as const) {
      const response = await as(keys.reader, query, { input });
      expect(response.status).toBe(403);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('a write key creates an actor that reads back through the graph, and the write counts against its quota', async () => {
    const first = await as(keys.kyiv, '{ actors(search: "Kharkiv") { totalCount } }');
    const created = await as(keys.kyiv, CREATE_ACTOR, { input: desk });
    expect(created.status).toBe(200);
    expect(created.body.data!.createActor.errors).toEqual([]);
    const { slug } = created.body.data!.createActor.actor;
    const read = await as(keys.reader, `{ actor(slug: "${slug}") { name kind country statements { id } } }`);
    expect(read.body.data!.actor).toEqual({
      name: 'Kharkiv Bureau',
      kind: 'ORGANIZATION',
      country: 'Ukraine',
      statements: [],
    });
    const remaining = (response: typeof first) => Number(/r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1]);
    expect(remaining(created)).toBeLessThan(remaining(first));
  });

  it("another partner's key cannot change or delete it; an editor's key can change it", async () => {
    const { id } = (await as(keys.kyiv, CREATE_ACTOR, { input: { ...desk, name: 'Odesa Bureau' } })).body.data!
      .createActor.actor;
    const update = await as(keys.lviv, UPDATE_ACTOR, { input: { id, name: 'Taken over' } });
    expect(update.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const removal = await as(keys.lviv, DELETE_ACTOR, { input: { id } });
    expect(removal.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unchanged = await as(keys.reader, `{ actor(id: "${id}") { name } }`);
    expect(unchanged.body.data!.actor).toEqual({ name: 'Odesa Bureau' });
    const edited = await as(keys.editor, UPDATE_ACTOR, { input: { id, name: 'Odesa Bureau (South)' } });
    expect(edited.body.data!.updateActor.actor.name).toBe('Odesa Bureau (South)');
  });

  it('deleting an actor others refer to is refused with its referrers from every service', async () => {
    const gladkov = seedId.actor('vyacheslav-gladkov');
    const response = await as(keys.editor, DELETE_ACTOR, { input: { id: gladkov } });
    const result = response.body.data!.deleteActor;
    expect(result.deletedId).toBeNull();
    expect(result.errors).toEqual([
      { field: ['input', 'id'], code: 'REFERENCED', message: expect.stringMatching(/merge/) },
    ]);
    const services = new Set(result.referrers.map((referrer: { service: string }) => referrer.service));
    expect(services).toEqual(new Set(['events', 'statements']));
    const still = await as(keys.reader, `{ actor(id: "${gladkov}") { name } }`);
    expect(still.body.data!.actor).toEqual({ name: 'Vyacheslav Gladkov' });
  });

  it('deletes an actor nothing refers to; it no longer resolves', async () => {
    const { id } = (await as(keys.kyiv, CREATE_ACTOR, { input: { ...desk, name: 'Short-lived Bureau' } })).body.data!
      .createActor.actor;
    const response = await as(keys.kyiv, DELETE_ACTOR, { input: { id } });
    expect(response.body.data!.deleteActor).toEqual({ deletedId: id, referrers: [], errors: [] });
    const gone = await as(keys.reader, `{ actor(id: "${id}") { name } }`);
    expect(gone.body.data!.actor).toBeNull();
  });

  it('a retried create with the same externalId returns the first actor, not a second one', async () => {
    const input = { ...desk, name: 'Retried Bureau', externalId: 'bureau-7' };
    const [a, b] = await Promise.all([as(keys.kyiv, CREATE_ACTOR, { input }), as(keys.kyiv, CREATE_ACTOR, { input })]);
    expect(a.body.data!.createActor.actor.id).toBe(b.body.data!.createActor.actor.id);
    const found = await as(keys.reader, '{ actors(search: "Retried Bureau") { totalCount } }');
    expect(found.body.data!.actors.totalCount).toBe(1);
  });
});
