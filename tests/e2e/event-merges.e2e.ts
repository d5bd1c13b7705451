import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import { CREATE_ACTOR } from '../fixtures/actor-writes';
import { CREATE_EVENT, shelling } from '../fixtures/event-writes';
import { CREATE_CLAIM } from '../fixtures/statement-writes';

// Merging events through the real gateway: the events service folds one event into another
// while the statements service, over a signed peer request, moves the claims about it first.

const MERGE_EVENTS = `mutation($input: MergeEventsInput!) {
  mergeEvents(input: $input) { event { id slug } errors { field code message } }
}`;

/** What a reader sees of an event by id or slug: which event answers, its participants and its claims. */
const READ_EVENT = `query($id: ID, $slug: String) {
  event(id: $id, slug: $slug) {
    id title
    participants(first: 100) { role actor { id } }
    claims(first: 100) { id text event { id } }
  }
}`;

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'editor', string>;
const restarted: ServiceProcess[] = [];

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

const read = async (variables: { id?: string; slug?: string }) => {
  const response = await as(keys.reader, READ_EVENT, variables);
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.event;
};

const createActor = async (name: string) => {
  const response = await as(keys.kyiv, CREATE_ACTOR, {
    input: { name, kind: 'PERSON', description: 'Invented for the merge tests.', countryCode: 'UA' },
  });
  expect(response.body.data!.createActor.errors).toEqual([]);
  return response.body.data!.createActor.actor.id as string;
};

const createEvent = async (input: Record<string, unknown>) => {
  const response = await as(keys.kyiv, CREATE_EVENT, { input: { ...shelling, ...input } });
  expect(response.body.data!.createEvent.errors).toEqual([]);
  return response.body.data!.createEvent.event as { id: string; slug: string };
};

const createClaim = async (eventId: string, text: string) => {
  const response = await as(keys.kyiv, CREATE_CLAIM, {
    input: { eventId, aspect: 'DAMAGE', question: `What did "${text}" report?`, text },
  });
  expect(response.body.data!.createClaim.errors).toEqual([]);
  return response.body.data!.createClaim.claim as { id: string; text: string; event: { id: string } };
};

const merge = (from: string, into: string, key = keys.editor) => as(key, MERGE_EVENTS, { input: { from, into } });

beforeAll(async () => {
  federation = await startFederation({ env: { ANONYMOUS_ACCESS: 'off' } });
  const [reader, kyiv, editor] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Kyiv Desk', 'read,write'),
    createKey(federation.env, 'Editors', 'read,write,admin'),
  ]);
  keys = { reader: reader.key, kyiv: kyiv.key, editor: editor.key };
}, 180_000);
afterAll(async () => {
  await stopAll(restarted);
  await federation?.stop();
});

describe('merging events across the federation', () => {
  it("folds a duplicate into the survivor: participants and the statements service's claims follow, its id and slug lead there", async () => {
    const [governor, spokesman] = [
      await createActor('Oleh Syniehubov (merge test)'),
      await createActor('Ihor Terekhov (merge test)'),
    ];
    const survivorInput = {
      title: 'Shelling of Vovchansk',
      participants: [{ actor: governor, role: 'COMMENTATOR', note: 'reported it first' }],
    };
    const survivor = await createEvent(survivorInput);
    const duplicate = await createEvent({
      title: 'Shelling of Vovchansk (duplicate record)',
      participants: [
        // A twin of the survivor's: absorbed.
        { actor: governor, role: 'COMMENTATOR' },
        { actor: spokesman, role: 'COMMENTATOR', note: 'only in the duplicate record' },
      ],
    });
    const kept = await createClaim(survivor.id, 'Shells hit the market in Vovchansk.');
    const moved = await createClaim(duplicate.id, 'Shells hit a school in Vovchansk, the duplicate record says.');

    const merged = await merge(duplicate.id, survivor.id);
    expect(merged.body.errors).toBeUndefined();
    expect(merged.body.data!.mergeEvents).toEqual({ event: { id: survivor.id, slug: survivor.slug }, errors: [] });

    for (const key of [{ id: duplicate.id }, { slug: duplicate.slug }, { id: survivor.id }]) {
      const answer = await read(key);
      expect(answer).toMatchObject({ id: survivor.id, title: survivorInput.title });
      // The governor's twin was absorbed; the spokesman joined.
      expect(answer.participants).toHaveLength(2);
      expect(answer.participants).toEqual(
        expect.arrayContaining([
          { role: 'COMMENTATOR', actor: { id: governor } },
          { role: 'COMMENTATOR', actor: { id: spokesman } },
        ]),
      );
      // The claims come from the statements service, which moved the duplicate's to the survivor.
      expect(answer.claims).toEqual([
        { id: kept.id, text: kept.text, event: { id: survivor.id } },
        { id: moved.id, text: moved.text, event: { id: survivor.id } },
      ]);
    }
    // A claim made later about the old id is about the survivor: the statements service asks the events service.
    expect((await createClaim(duplicate.id, 'A late claim about the duplicate.')).event).toEqual({ id: survivor.id });

    // A retry answers with the survivor; merging the survivor into its old duplicate is a cycle.
    expect((await merge(duplicate.id, survivor.id)).body.data!.mergeEvents).toEqual(merged.body.data!.mergeEvents);
    const cycle = await merge(survivor.id, duplicate.id);
    expect(cycle.body.data!.mergeEvents).toEqual({
      event: null,
      errors: [{ field: ['input', 'into'], code: 'INVALID', message: expect.stringMatching(/cycle/) }],
    });
    expect((await read({ id: survivor.id })).claims).toHaveLength(3);
  });

  it('refuses a write key without admin with FORBIDDEN, changing nothing anywhere', async () => {
    const a = await createEvent({ title: 'Shelling of Hrafovka' });
    const b = await createEvent({ title: 'Shelling of Hrafovka (again)' });
    const claim = await createClaim(a.id, 'Two houses burned in Hrafovka.');
    const refused = await merge(a.id, b.id, keys.kyiv);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await read({ id: a.id })).toMatchObject({ id: a.id, claims: [{ id: claim.id, event: { id: a.id } }] });
    expect(await read({ id: b.id })).toMatchObject({ id: b.id, claims: [] });
  });

  // Last: it stops the statements service, and starts it again.
  it('refuses with SERVICE_UNAVAILABLE, merging nothing, while the statements service is down; merges once it is back', async () => {
    const a = await createEvent({ title: 'Drone strike on Shebekino' });
    const b = await createEvent({ title: 'Drone strike on Shebekino (second record)' });
    const claim = await createClaim(a.id, 'A drone hit an administrative building in Shebekino.');

    await stopAll([federation.processes.statements]);
    const refused = await merge(a.id, b.id);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    const events = await as(keys.reader, `{ a: event(id: "${a.id}") { id } b: event(id: "${b.id}") { id } }`);
    expect(events.body.data).toEqual({ a: { id: a.id }, b: { id: b.id } });

    const statements = startService('statements', 'services/statements/src/index.ts', federation.env, (source, line) =>
      federation.output.push(`[${source}] ${line}`),
    );
    restarted.push(statements);
    await waitUntilReady(`${federation.subgraphUrls.statements}/readyz`, statements);
    // Nothing moved meanwhile: the claim is still about `a`.
    expect(await read({ id: a.id })).toMatchObject({ id: a.id, claims: [{ id: claim.id, event: { id: a.id } }] });
    const retried = await merge(a.id, b.id);
    expect(retried.body.data!.mergeEvents).toMatchObject({ event: { id: b.id }, errors: [] });
    expect(await read({ id: a.id })).toMatchObject({ id: b.id, claims: [{ id: claim.id, event: { id: b.id } }] });
  }, 60_000);
});
