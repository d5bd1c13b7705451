import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { codedError, ErrorCode } from '@newsfacts/platform/errors';
import type { PeerClient } from '@newsfacts/platform/peers';
import { seedId } from '@newsfacts/platform/seed-ids';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import type { ExecutionResult } from '../../../tests/helpers/subgraph-harness';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';
import { CREATE_EVENT, shelling } from '../../../tests/fixtures/event-writes';
import type { EventsPrisma } from './db';
import { eventsSubgraph } from './server';

// mergeEvents in the events subgraph, in-process on a fresh PostgreSQL database. The other
// services are played by a stand-in that confirms every actor and claim and records what the
// merge asks of the statements service, or that is down; the whole federation is in
// tests/e2e/event-merges.e2e.ts.

const KYIV_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_kyivdesk0001', scopes: ['READ', 'WRITE'] };
const EDITOR: ForwardedPrincipal = { kind: 'key', keyId: 'key_editor000001', scopes: ['READ', 'WRITE', 'ADMIN'] };

const RAID = seedId.event('belgorod-incursion-2023');
const KOZINKA_ATTACK = seedId.event('kozinka-border-post-attack-2023');
const MILITIAS_CLAIM = seedId.claim('raid-perpetrator-russian-volunteer-militias');

const MERGE_EVENTS = `mutation($input: MergeEventsInput!) {
  mergeEvents(input: $input) {
    event {
      id slug title startedAt endedAt datePrecision location { slug } parent { id }
      participants(first: 100) { role note actor { id } claim { id } }
      figures(first: 100) { metric value description }
      relatedEvents(first: 100) { kind event { id } }
    }
    errors { field code message }
  }
}`;

interface PeerCall {
  peer: string;
  query: string;
  variables: Record<string, unknown>;
  asWriter: boolean;
}

/** The other services: they know every actor and claim, and the statements service may be down. */
function standInPeers(calls: PeerCall[], statementsDown = false): PeerClient {
  return {
    async query<Data>(
      peer: string,
      query: string,
      variables: Record<string, unknown>,
      _asking: ForwardedPrincipal | null,
      options?: { asWriter?: boolean },
    ): Promise<Data> {
      calls.push({ peer, query, variables, asWriter: options?.asWriter ?? false });
      if (statementsDown && peer === 'statements') throw codedError(ErrorCode.SERVICE_UNAVAILABLE, 'statements down');
      if (query.includes('_entities')) {
        const representations = variables.representations as Array<{ id: string }>;
        return { _entities: representations.map(({ id }) => ({ id })) } as Data;
      }
      return { moved: 0 } as Data;
    },
  };
}

let events: SubgraphHarness;
let database: Database;
let prisma: EventsPrisma;
let db: pg.Client;
beforeAll(async () => {
  events = await startSubgraphHarness('events');
  database = await openDatabase({ kind: 'postgres', url: events.database.url });
  prisma = eventsSubgraph.createPrisma(database);
  db = new pg.Client({ connectionString: events.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await prisma?.$disconnect();
  await database?.close();
  await events?.close();
});

/** Runs an operation in the events subgraph with the stand-in peers. */
async function execute(
  query: string,
  variables: Record<string, unknown>,
  principal: ForwardedPrincipal,
  peers: PeerClient = standInPeers([]),
): Promise<ExecutionResult> {
  const response = await events.server.apollo.executeOperation(
    { query, variables },
    { contextValue: eventsSubgraph.createContext(prisma, peers, { requestId: 'test', principal }) },
  );
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult as ExecutionResult;
}

const merge = (from: string, into: string, principal = EDITOR, peers?: PeerClient) =>
  execute(MERGE_EVENTS, { input: { from, into } }, principal, peers);

const createEvent = async (input: Record<string, unknown>) => {
  const { data, errors } = await execute(CREATE_EVENT, { input: { ...shelling, ...input } }, KYIV_DESK);
  expect(errors).toBeUndefined();
  expect(data!.createEvent.errors).toEqual([]);
  return data!.createEvent.event as { id: string; slug: string };
};

/** Every row of every table, to show that a refused merge changed nothing. */
async function snapshot(): Promise<string> {
  const tables = ['Place', 'Event', 'EventRelation', 'Participant', 'Figure', 'Change', 'EventRedirect'];
  const rows = await Promise.all(
    tables.map(async (table) => (await db.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows),
  );
  return JSON.stringify(rows);
}

const changesOf = async (id: string) =>
  (await db.query('SELECT operation, fields, "survivorId", by FROM "Change" WHERE "entityId" = $1 ORDER BY seq', [id]))
    .rows;

describe('merging a duplicate of the raid into it', () => {
  let duplicate: { id: string; slug: string };
  let part: { id: string };
  let linker: { id: string };
  let raidBefore: { participants: number; figures: number; target: { actorId: string } };
  const newcomer = randomUUID();
  const calls: PeerCall[] = [];

  beforeAll(async () => {
    const target = (
      await db.query(`SELECT "actorId" FROM "Participant" WHERE "eventId" = $1 AND role = 'TARGET'`, [RAID])
    ).rows[0];
    const injured = (await db.query(`SELECT * FROM "Figure" WHERE "eventId" = $1 AND metric = 'INJURED'`, [RAID]))
      .rows[0];
    raidBefore = {
      participants: Number(
        (await db.query('SELECT count(*) FROM "Participant" WHERE "eventId" = $1', [RAID])).rows[0].count,
      ),
      figures: Number((await db.query('SELECT count(*) FROM "Figure" WHERE "eventId" = $1', [RAID])).rows[0].count),
      target,
    };
    duplicate = await createEvent({
      title: 'Raid into Belgorod region (second report)',
      kind: 'INCURSION',
      startedAt: '2023-05-22T00:00:00Z',
      endedAt: '2023-05-23T00:00:00Z',
      participants: [
        // The raid's target again, with the claim the raid's own record of it lacks.
        { actor: target.actorId, role: 'TARGET', note: 'the second report', claim: MILITIAS_CLAIM },
        { actor: newcomer, role: 'VICTIM', note: 'only in the second report' },
      ],
      figures: [
        {
          metric: injured.metric,
          value: injured.value,
          qualifier: injured.qualifier,
          description: injured.description,
          claim: injured.claimId,
        },
        { metric: 'KILLED', value: 1, qualifier: 'AT_LEAST', description: 'one dead, the second report says' },
      ],
      relations: [
        { to: 'bryansk-sabotage-accusation-2023', kind: 'FOLLOWS' },
        { to: RAID, kind: 'RELATED_TO' },
        { to: 'kremlin-drone-incident-2023', kind: 'RESPONSE_TO' },
      ],
    });
    part = await createEvent({ title: 'Shelling reported in the second report', parent: duplicate.id });
    linker = await createEvent({
      title: 'Shelling after the second report',
      relations: [{ to: duplicate.id, kind: 'FOLLOWS' }],
    });
  });

  it("folds it in: participants, figures and links join the raid's, its part becomes the raid's, the raid keeps its own fields and takes an end", async () => {
    const { data, errors } = await merge(duplicate.id, RAID, EDITOR, standInPeers(calls));
    expect(errors).toBeUndefined();
    expect(data!.mergeEvents.errors).toEqual([]);
    const raid = data!.mergeEvents.event;
    expect(raid).toMatchObject({
      id: RAID,
      slug: 'belgorod-incursion-2023',
      title: expect.stringMatching(/Belgorod/),
      startedAt: '2023-05-22T00:00:00.000Z',
      // The raid had no end; the duplicate's fits its precision.
      endedAt: '2023-05-23T00:00:00.000Z',
      datePrecision: 'DAY',
      location: { slug: expect.any(String) },
      parent: null,
    });
    // The target absorbed its twin, taking the claim it lacked and keeping its own note; the victim is new.
    expect(raid.participants).toHaveLength(raidBefore.participants + 1);
    expect(raid.participants).toContainEqual({
      role: 'TARGET',
      note: expect.not.stringMatching(/second report/),
      actor: { id: raidBefore.target.actorId },
      claim: { id: MILITIAS_CLAIM },
    });
    expect(raid.participants).toContainEqual({
      role: 'VICTIM',
      note: 'only in the second report',
      actor: { id: newcomer },
      claim: null,
    });
    // The copy of the raid's injured count went; the new count joined.
    expect(raid.figures).toHaveLength(raidBefore.figures + 1);
    expect(raid.figures).toContainEqual({
      metric: 'KILLED',
      value: 1,
      description: 'one dead, the second report says',
    });
    // FOLLOWS Bryansk was the raid's already; RELATED_TO the raid would be a link to itself.
    const links = raid.relatedEvents.map(
      (link: { kind: string; event: { id: string } }) => `${link.kind} ${link.event.id}`,
    );
    expect(links.sort()).toEqual(
      [
        `HAS_PART ${KOZINKA_ATTACK}`,
        `HAS_PART ${part.id}`,
        `FOLLOWS ${seedId.event('bryansk-sabotage-accusation-2023')}`,
        `FOLLOWS ${seedId.event('kremlin-drone-incident-2023')}`,
        `RESPONSE_TO ${seedId.event('kremlin-drone-incident-2023')}`,
        `PRECEDES ${linker.id}`,
      ].sort(),
    );
    // The statements service was asked, as the editor, before anything here changed.
    expect(calls.filter((call) => call.peer === 'statements')).toEqual([
      {
        peer: 'statements',
        query: expect.stringContaining('followEventMergeInStatements'),
        variables: { from: duplicate.id, into: RAID },
        asWriter: true,
      },
    ]);
  });

  it('leaves a redirect: the old id, slug and entity reference resolve to the raid', async () => {
    const { data } = await execute(
      `query($id: ID!, $slug: String!, $representations: [_Any!]!) {
        byId: event(id: $id) { id } bySlug: event(slug: $slug) { id }
        _entities(representations: $representations) { ... on Event { id } }
      }`,
      { id: duplicate.id, slug: duplicate.slug, representations: [{ __typename: 'Event', id: duplicate.id }] },
      KYIV_DESK,
    );
    expect(data).toEqual({ byId: { id: RAID }, bySlug: { id: RAID }, _entities: [{ id: RAID }] });
    const { rows } = await db.query('SELECT * FROM "Event" WHERE id = $1', [duplicate.id]);
    expect(rows).toEqual([]);
  });

  it("keeps the old slug taken, so that it leads to the raid forever: a new event's is numbered, one asked for refused", async () => {
    const renamed = await createEvent({ title: 'Raid into Belgorod region (second report)' });
    expect(renamed.slug).toBe(`${duplicate.slug}-2`);
    const { data } = await execute(
      CREATE_EVENT,
      { input: { ...shelling, title: 'Another report', slug: duplicate.slug } },
      KYIV_DESK,
    );
    expect(data!.createEvent.errors).toEqual([
      { field: ['input', 'slug'], code: 'TAKEN', message: expect.any(String) },
    ]);
  });

  it('logs the merge with its survivor, and each event it changed, with the editor', async () => {
    expect(await changesOf(duplicate.id)).toContainEqual({
      operation: 'MERGE',
      fields: [],
      survivorId: RAID,
      by: EDITOR.keyId,
    });
    expect((await changesOf(RAID)).at(-1)).toEqual({
      operation: 'UPDATE',
      fields: ['participants', 'figures', 'relations', 'endedAt'],
      survivorId: null,
      by: EDITOR.keyId,
    });
    expect((await changesOf(part.id)).at(-1)).toMatchObject({ operation: 'UPDATE', fields: ['parentId'] });
    expect((await changesOf(linker.id)).at(-1)).toMatchObject({ operation: 'UPDATE', fields: ['relations'] });
  });

  it('answers a retry with the raid, asking the statements service again and changing nothing here', async () => {
    const before = await snapshot();
    const retryCalls: PeerCall[] = [];
    const { data } = await merge(duplicate.id, RAID, EDITOR, standInPeers(retryCalls));
    expect(data!.mergeEvents).toMatchObject({ event: { id: RAID }, errors: [] });
    expect(retryCalls.map((call) => call.variables)).toEqual([{ from: duplicate.id, into: RAID }]);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a cycle, a merge into itself, a merged event into another, and a larger event into its part', async () => {
    const other = await createEvent({ title: 'An unrelated shelling' });
    const before = await snapshot();
    const calls: PeerCall[] = [];
    const peers = standInPeers(calls);
    const refusals = [
      // The duplicate now leads to the raid: merging the raid into it is merging it into itself.
      [RAID, duplicate.id, ['input', 'into'], 'INVALID', /cycle/],
      [RAID, RAID, ['input', 'into'], 'INVALID', /itself/],
      [duplicate.id, other.id, ['input', 'from'], 'CONFLICT', /already merged/],
      // Kozinka is part of the raid: the raid's parts would include the survivor itself.
      [RAID, KOZINKA_ATTACK, ['input', 'into'], 'INVALID', /part of/],
      [randomUUID(), RAID, ['input', 'from'], 'NOT_FOUND', /No event/],
    ] as const;
    for (const [from, into, field, code, message] of refusals) {
      const { data } = await merge(from, into, EDITOR, peers);
      expect(data!.mergeEvents).toEqual({
        event: null,
        errors: [{ field, code, message: expect.stringMatching(message) }],
      });
    }
    expect(calls).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});

describe('merges refused whole', () => {
  it('refuses a key without admin with FORBIDDEN, before asking anyone', async () => {
    const a = await createEvent({ title: 'Write-key merge A' });
    const b = await createEvent({ title: 'Write-key merge B' });
    const before = await snapshot();
    const calls: PeerCall[] = [];
    const { data, errors } = await merge(a.id, b.id, KYIV_DESK, standInPeers(calls));
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(calls).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('refuses with SERVICE_UNAVAILABLE, merging nothing, while the statements service cannot be reached', async () => {
    const a = await createEvent({ title: 'Unreachable merge A' });
    const b = await createEvent({ title: 'Unreachable merge B' });
    const before = await snapshot();
    const { data, errors } = await merge(a.id, b.id, EDITOR, standInPeers([], true));
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });
});

describe('merges within one larger event, and chains of merges', () => {
  it('a part merged into its larger event: its parts join the larger event, which takes its place and dates but not itself as parent', async () => {
    const whole = await createEvent({ title: 'Undated whole', startedAt: undefined });
    const middle = await createEvent({
      title: 'Dated part',
      parent: whole.id,
      place: 'kozinka',
      startedAt: '2023-05-22T00:00:00Z',
      endedAt: '2023-05-24T00:00:00Z',
    });
    const leaf = await createEvent({ title: 'Part of the dated part', parent: middle.id });
    const { data } = await merge(middle.id, whole.id);
    expect(data!.mergeEvents.errors).toEqual([]);
    expect(data!.mergeEvents.event).toMatchObject({
      id: whole.id,
      parent: null,
      location: { slug: 'kozinka' },
      startedAt: '2023-05-22T00:00:00.000Z',
      endedAt: '2023-05-24T00:00:00.000Z',
      relatedEvents: [{ kind: 'HAS_PART', event: { id: leaf.id } }],
    });
  });

  it('an event merged into one that is merged in turn leads to the last survivor', async () => {
    const [first, second, third] = [
      await createEvent({ title: 'Chain first' }),
      await createEvent({ title: 'Chain second' }),
      await createEvent({ title: 'Chain third' }),
    ];
    expect((await merge(first.id, second.id)).data!.mergeEvents.errors).toEqual([]);
    expect((await merge(second.id, third.id)).data!.mergeEvents.errors).toEqual([]);
    const { data } = await execute(
      `{ a: event(id: "${first.id}") { id } b: event(slug: "${first.slug}") { id } }`,
      {},
      KYIV_DESK,
    );
    expect(data).toEqual({ a: { id: third.id }, b: { id: third.id } });
    // Merging into the first's old id merges into its survivor.
    const fourth = await createEvent({ title: 'Chain fourth' });
    expect((await merge(fourth.id, first.id)).data!.mergeEvents.event.id).toBe(third.id);
    const { rows } = await db.query('SELECT DISTINCT "toId" FROM "EventRedirect" WHERE "fromId" = ANY($1::uuid[])', [
      [first.id, second.id, fourth.id],
    ]);
    expect(rows).toEqual([{ toId: third.id }]);
  });
});
