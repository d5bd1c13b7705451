import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import { CREATE_ACTOR, DELETE_ACTOR, MERGE_ACTORS, UPDATE_ACTOR } from '../fixtures/actor-writes';

// Writing actors through the real gateway, with partners' keys, while the events and statements
// subgraphs answer the delete check over real HTTP.

const desk = {
  name: 'Kharkiv Bureau',
  kind: 'ORGANIZATION',
  description: 'A newsroom bureau, invented for these tests.',
  countryCode: 'UA',
  organizationType: 'MEDIA',
};

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// This run's own keys in the shared Redis, removed afterwards.
const REDIS_KEY_PREFIX = `newsfacts-writes-${process.pid}-${Date.now()}`;

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'lviv' | 'editor', string>;
let kyivKeyId: string;

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

beforeAll(async () => {
  federation = await startFederation({ env: { ANONYMOUS_ACCESS: 'off', REDIS_URL, REDIS_KEY_PREFIX } });
  const [reader, kyiv, lviv, editor] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Kyiv Desk', 'read,write'),
    createKey(federation.env, 'Lviv Desk', 'read,write'),
    createKey(federation.env, 'Editors', 'read,write,admin'),
  ]);
  keys = { reader: reader.key, kyiv: kyiv.key, lviv: lviv.key, editor: editor.key };
  kyivKeyId = kyiv.keyId;
}, 180_000);
afterAll(async () => {
  await federation?.stop();
  const redis = new Redis(REDIS_URL);
  const stale = await redis.keys(`${REDIS_KEY_PREFIX}:*`);
  if (stale.length) await redis.del(...stale);
  redis.disconnect();
});

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

describe('Idempotency-Key on writes', () => {
  const send = (idempotencyKey: string, body: string) =>
    fetch(`${federation.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.kyiv}`,
        'idempotency-key': idempotencyKey,
      },
      body,
    });
  const createBody = (name: string) => JSON.stringify({ query: CREATE_ACTOR, variables: { input: { ...desk, name } } });
  const countNamed = async (name: string) =>
    (await as(keys.reader, `{ actors(search: "${name}") { totalCount } }`)).body.data!.actors.totalCount;

  it('replays the stored answer to a retry with the same key and body, creating nothing more', async () => {
    const key = randomUUID();
    const first = await send(key, createBody('Replayed Bureau'));
    const firstBody = await first.json();
    const retry = await send(key, createBody('Replayed Bureau'));
    expect(retry.status).toBe(first.status);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await retry.json()).toEqual(firstBody);
    expect(await countNamed('Replayed Bureau')).toBe(1);
  });

  it('answers 422 to the same key with another body, running nothing', async () => {
    const key = randomUUID();
    await send(key, createBody('Original Bureau'));
    const reused = await send(key, createBody('Different Bureau'));
    expect(reused.status).toBe(422);
    expect((await reused.json()).errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countNamed('Different Bureau')).toBe(0);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    // The first request is held "running" in the shared store, as a replica busy with it would hold it.
    const key = randomUUID();
    const body = createBody('Concurrent Bureau');
    const redis = new Redis(REDIS_URL);
    const fingerprint = createHash('sha256').update(body).digest('hex');
    await redis.set(
      `${REDIS_KEY_PREFIX}:idempotency:key:${kyivKeyId}:${key}`,
      JSON.stringify({ state: 'running', fingerprint }),
      'PX',
      30_000,
    );
    redis.disconnect();
    const second = await send(key, body);
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()).errors[0].extensions.code).toBe('CONFLICT');
    expect(await countNamed('Concurrent Bureau')).toBe(0);
  });

  it('refuses a malformed key', async () => {
    const response = await send('has spaces in it', createBody('Malformed Bureau'));
    expect(response.status).toBe(400);
    expect(await countNamed('Malformed Bureau')).toBe(0);
  });
});

describe('merging actors across the federation', () => {
  it('folds a duplicate into the survivor: its names, statements and participations follow, its id and slug lead there', async () => {
    const gladkov = seedId.actor('vyacheslav-gladkov');
    const before = await as(
      keys.reader,
      `{ actor(id: "${gladkov}") { statements(first: 100) { id } participations(first: 100) { role } } }`,
    );
    const survivor = (
      await as(keys.kyiv, CREATE_ACTOR, {
        input: {
          name: 'Viacheslav Hladkov',
          kind: 'PERSON',
          description: 'Governor (a second record).',
          countryCode: 'RU',
        },
      })
    ).body.data!.createActor.actor;
    const merge = () => as(keys.editor, MERGE_ACTORS, { input: { from: gladkov, into: survivor.id } });
    const merged = await merge();
    expect(merged.body.data!.mergeActors.errors).toEqual([]);
    expect(merged.body.data!.mergeActors.actor.aliases).toEqual(
      expect.arrayContaining(['Vyacheslav Gladkov', 'Vyacheslav Hladkov']),
    );
    const after = await as(
      keys.reader,
      `{ old: actor(slug: "vyacheslav-gladkov") { id statements(first: 100) { id } participations(first: 100) { role } } }`,
    );
    expect(after.body.data!.old.id).toBe(survivor.id);
    const ids = (list: Array<{ id: string }>) => list.map((item) => item.id).sort();
    expect(ids(after.body.data!.old.statements)).toEqual(ids(before.body.data!.actor.statements));
    expect(after.body.data!.old.participations).toHaveLength(before.body.data!.actor.participations.length);
    // A retry answers with the survivor; merging the survivor back into the merged actor is a cycle.
    expect((await merge()).body.data!.mergeActors.actor.id).toBe(survivor.id);
    const cycle = await as(keys.editor, MERGE_ACTORS, { input: { from: survivor.id, into: gladkov } });
    expect(cycle.body.data!.mergeActors.errors[0]).toMatchObject({ field: ['input', 'into'], code: 'INVALID' });
  });
});
