/**
 * Per-parent lists take `first` (default 20, 1–100) and give each parent its own first rows, in
 * the list's order, however many parents a batch has and however busy each is. Each subgraph runs
 * in-process on a seeded database with a small synthetic graph added, so that some parents hold
 * thousands of rows; the expected rows come from plain SQL over the whole table (or, for contested
 * claims, from the rule worked out here), not from the loaders under test.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { generateGraph, syntheticId, type GraphSizes } from '../scripts/lib/synthetic-graph';
import { startSubgraphHarness, type SubgraphHarness } from './helpers/subgraph-harness';

const sizes: GraphSizes = { events: 300, actors: 600, claims: 800, statements: 8_000, seed: 3 };
const FIRST = 5;

const harnesses = {} as Record<FactSubgraphName, SubgraphHarness>;
beforeAll(async () => {
  for (const name of ['events', 'actors', 'statements'] as const) harnesses[name] = await startSubgraphHarness(name);
  await generateGraph({
    urls: Object.fromEntries(Object.entries(harnesses).map(([name, harness]) => [name, harness.database.url])),
    sizes,
  });
}, 120_000);
afterAll(() => Promise.all(Object.values(harnesses).map((harness) => harness.close())));

async function sql<Row extends Record<string, unknown>>(
  name: FactSubgraphName,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: harnesses[name].database.url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The ids `text` selects for one parent ($1), in its order. */
const expectedIds = async (name: FactSubgraphName, text: string, parent: string) =>
  (await sql<{ id: string }>(name, text, [parent])).map((row) => row.id);
const idsOf = (list: Array<{ id: string }>) => list.map((item) => item.id);

/** The busiest three of a kind, one quiet one, and one the database has never heard of. */
const parents = (kind: 'actor' | 'event') => [
  syntheticId(kind, 0),
  syntheticId(kind, 1),
  syntheticId(kind, 2),
  syntheticId(kind, kind === 'actor' ? sizes.actors - 2 : sizes.events - 1),
  '00000000-0000-4000-8000-000000000000',
];
const representations = (typename: string, ids: string[]) => ids.map((id) => ({ __typename: typename, id }));

describe('statements subgraph lists', () => {
  it('give each actor its own first statements and contested claims, earliest first', async () => {
    const actors = parents('actor');
    const { data, errors } = await harnesses.statements.execute(
      `query($representations: [_Any!]!, $first: Int) {
        _entities(representations: $representations) {
          ... on Actor { id statements(first: $first) { id } denied: statements(first: $first, stances: [DENIES, DISPUTES]) { id } all: statements { id } contestedClaims(first: $first) { id } }
        }
      }`,
      { representations: representations('Actor', actors), first: FIRST },
    );
    expect(errors).toBeUndefined();
    const contested = await contestedClaimIds();
    for (const [index, actor] of actors.entries()) {
      const entity = data!._entities[index];
      const said = await expectedIds(
        'statements',
        'SELECT id FROM "Statement" WHERE "speakerId" = $1 ORDER BY "saidAt" ASC NULLS LAST, id',
        actor,
      );
      expect(idsOf(entity.statements)).toEqual(said.slice(0, FIRST));
      expect(idsOf(entity.all)).toEqual(said.slice(0, 20));
      expect(idsOf(entity.denied)).toEqual(
        (
          await expectedIds(
            'statements',
            `SELECT id FROM "Statement" WHERE "speakerId" = $1 AND stance IN ('DENIES', 'DISPUTES') ORDER BY "saidAt" ASC NULLS LAST, id`,
            actor,
          )
        ).slice(0, FIRST),
      );
      // The claims of the actor's statements in the order of the first statement on each, contested ones only.
      const claimsInOrder = (
        await sql<{ claimId: string }>(
          'statements',
          'SELECT "claimId" FROM "Statement" WHERE "speakerId" = $1 ORDER BY "saidAt" ASC NULLS LAST, id',
          [actor],
        )
      ).map((row) => row.claimId);
      expect(idsOf(entity.contestedClaims)).toEqual(
        [...new Set(claimsInOrder)].filter((claim) => contested.has(claim)).slice(0, FIRST),
      );
    }
    // The busiest actors do have more than a page.
    expect(data!._entities[0].all).toHaveLength(20);
    expect(data!._entities[0].contestedClaims).toHaveLength(FIRST);
  });

  it('give each event its own first claims, contested claims and statements', async () => {
    const events = parents('event');
    const { data, errors } = await harnesses.statements.execute(
      `query($representations: [_Any!]!, $first: Int) {
        _entities(representations: $representations) {
          ... on Event {
            claims(first: $first) { id } perpetrators: claims(first: $first, aspects: [PERPETRATOR]) { id }
            contestedClaims(first: $first) { id } statements(first: $first) { id }
          }
        }
      }`,
      { representations: representations('Event', events), first: FIRST },
    );
    expect(errors).toBeUndefined();
    const contested = await contestedClaimIds();
    for (const [index, event] of events.entries()) {
      const entity = data!._entities[index];
      const claims = await expectedIds(
        'statements',
        'SELECT id FROM "Claim" WHERE "eventId" = $1 ORDER BY "createdAt", id',
        event,
      );
      expect(idsOf(entity.claims)).toEqual(claims.slice(0, FIRST));
      expect(idsOf(entity.contestedClaims)).toEqual(claims.filter((claim) => contested.has(claim)).slice(0, FIRST));
      expect(idsOf(entity.perpetrators)).toEqual(
        (
          await expectedIds(
            'statements',
            `SELECT id FROM "Claim" WHERE "eventId" = $1 AND aspect = 'PERPETRATOR' ORDER BY "createdAt", id`,
            event,
          )
        ).slice(0, FIRST),
      );
      // Every statement on any of the event's claims, earliest first.
      expect(idsOf(entity.statements)).toEqual(
        (
          await expectedIds(
            'statements',
            'SELECT s.id FROM "Statement" s JOIN "Claim" c ON c.id = s."claimId" WHERE c."eventId" = $1 ORDER BY s."saidAt" ASC NULLS LAST, s.id',
            event,
          )
        ).slice(0, FIRST),
      );
    }
    expect(data!._entities[0].contestedClaims).toHaveLength(FIRST);
  });

  it('give each claim and source its own first statements, and each claim its first competitors', async () => {
    const claims = [0, 1, 2, sizes.claims - 1].map((index) => syntheticId('claim', index));
    const sources = (
      await sql<{ id: string }>(
        'statements',
        'SELECT "sourceId" AS id FROM "Statement" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3',
      )
    ).map((row) => row.id);
    const { data, errors } = await harnesses.statements.execute(
      `query($claims: [_Any!]!, $sources: [_Any!]!) {
        claims: _entities(representations: $claims) { ... on Claim { id statements(first: ${FIRST}) { id } competingClaims(first: 2) { id } } }
        sources: _entities(representations: $sources) { ... on Source { id statements(first: ${FIRST}) { id } } }
      }`,
      { claims: representations('Claim', claims), sources: representations('Source', sources) },
    );
    expect(errors).toBeUndefined();
    for (const [index, claim] of claims.entries()) {
      const entity = data!.claims[index];
      expect(idsOf(entity.statements)).toEqual(
        (
          await expectedIds(
            'statements',
            'SELECT id FROM "Statement" WHERE "claimId" = $1 ORDER BY "saidAt" ASC NULLS LAST, id',
            claim,
          )
        ).slice(0, FIRST),
      );
      expect(idsOf(entity.competingClaims)).toEqual(
        (
          await expectedIds(
            'statements',
            `SELECT other.id FROM "Claim" c JOIN "Claim" other ON other."eventId" = c."eventId" AND other.question = c.question AND other.id <> c.id
              WHERE c.id = $1 ORDER BY other."createdAt", other.id`,
            claim,
          )
        ).slice(0, 2),
      );
    }
    for (const [index, source] of sources.entries()) {
      expect(idsOf(data!.sources[index].statements)).toEqual(
        (
          await expectedIds(
            'statements',
            'SELECT id FROM "Statement" WHERE "sourceId" = $1 ORDER BY "spanStart" ASC NULLS LAST, id',
            source,
          )
        ).slice(0, FIRST),
      );
    }
    expect(data!.claims[0].statements).toHaveLength(FIRST);
  });
});

/** Contested by the rule itself, over the whole database: opposing stances, or a competing answer. */
async function contestedClaimIds(): Promise<Set<string>> {
  const stances = await sql<{ claimId: string; stance: string }>(
    'statements',
    'SELECT DISTINCT "claimId", stance FROM "Statement"',
  );
  const byClaim = new Map<string, Set<string>>();
  for (const row of stances) byClaim.set(row.claimId, (byClaim.get(row.claimId) ?? new Set()).add(row.stance));
  const claims = await sql<{ id: string; eventId: string; question: string }>(
    'statements',
    'SELECT id, "eventId", question FROM "Claim"',
  );
  const answers = new Map<string, number>();
  for (const claim of claims)
    answers.set(`${claim.eventId}/${claim.question}`, (answers.get(`${claim.eventId}/${claim.question}`) ?? 0) + 1);
  return new Set(
    claims
      .filter((claim) => {
        const taken = byClaim.get(claim.id) ?? new Set();
        const opposing =
          (taken.has('ASSERTS') || taken.has('SUPPORTS')) && (taken.has('DENIES') || taken.has('DISPUTES'));
        return opposing || answers.get(`${claim.eventId}/${claim.question}`)! > 1;
      })
      .map((claim) => claim.id),
  );
}

describe('events subgraph lists', () => {
  it('give each event its own first parts, participants, figures and links', async () => {
    const events = parents('event');
    const { data, errors } = await harnesses.events.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Event {
            id parent { id }
            subEvents(first: ${FIRST}) { id } participants(first: ${FIRST}) { role actor { id } }
            commentators: participants(first: ${FIRST}, roles: [COMMENTATOR]) { actor { id } }
            figures(first: 2) { metric value } relatedEvents(first: ${FIRST}) { kind event { id } }
          }
        }
      }`,
      { representations: representations('Event', events) },
    );
    expect(errors).toBeUndefined();
    for (const [index, event] of events.entries()) {
      const entity = data!._entities[index];
      if (index === events.length - 1) {
        expect(entity).toBeNull(); // the unknown event
        continue;
      }
      expect(entity).not.toBeNull();
      const [row] = await sql<{ parentId: string | null }>('events', 'SELECT "parentId" FROM "Event" WHERE id = $1', [
        event,
      ]);
      expect(entity.parent).toEqual(row!.parentId ? { id: row!.parentId } : null);
      const parts = await expectedIds(
        'events',
        'SELECT id FROM "Event" WHERE "parentId" = $1 ORDER BY "startedAt" DESC NULLS LAST, id',
        event,
      );
      expect(idsOf(entity.subEvents)).toEqual(parts.slice(0, FIRST));
      const participants = await sql<{ actorId: string; role: string }>(
        'events',
        'SELECT "actorId", role FROM "Participant" WHERE "eventId" = $1 ORDER BY role, id',
        [event],
      );
      expect(entity.participants).toEqual(
        participants.slice(0, FIRST).map((row) => ({ role: row.role, actor: { id: row.actorId } })),
      );
      expect(entity.commentators).toEqual(
        participants
          .filter((row) => row.role === 'COMMENTATOR')
          .slice(0, FIRST)
          .map((row) => ({ actor: { id: row.actorId } })),
      );
      const figures = await sql<{ metric: string; value: number }>(
        'events',
        'SELECT metric, value FROM "Figure" WHERE "eventId" = $1 ORDER BY metric, id',
        [event],
      );
      expect(entity.figures).toEqual(figures.slice(0, 2));
      // The larger event, then the parts, then links from this one and to it, each in id order.
      const inverse: Record<string, string> = {
        FOLLOWS: 'PRECEDES',
        RELATED_TO: 'RELATED_TO',
        RESPONSE_TO: 'PROVOKED',
      };
      const outgoing = await sql<{ kind: string; id: string }>(
        'events',
        'SELECT kind, "toEventId" AS id FROM "EventRelation" WHERE "fromEventId" = $1 ORDER BY "EventRelation".id',
        [event],
      );
      const incoming = await sql<{ kind: string; id: string }>(
        'events',
        'SELECT kind, "fromEventId" AS id FROM "EventRelation" WHERE "toEventId" = $1 ORDER BY "EventRelation".id',
        [event],
      );
      const related = [
        ...(row!.parentId ? [{ kind: 'PART_OF', event: { id: row!.parentId } }] : []),
        ...parts.map((id) => ({ kind: 'HAS_PART', event: { id } })),
        ...outgoing.map((link) => ({ kind: link.kind, event: { id: link.id } })),
        ...incoming.map((link) => ({ kind: inverse[link.kind], event: { id: link.id } })),
      ];
      expect(entity.relatedEvents).toEqual(related.slice(0, FIRST));
    }
    expect(data!._entities[0].subEvents).toHaveLength(FIRST);
    expect(data!._entities[0].participants).toHaveLength(FIRST);
    expect(data!._entities[4]).toBeNull();
  });

  it('give each actor its own first participations, most recent event first', async () => {
    const actors = parents('actor');
    const { data, errors } = await harnesses.events.execute(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Actor { participations(first: ${FIRST}) { event { id } role } } } }`,
      { representations: representations('Actor', actors) },
    );
    expect(errors).toBeUndefined();
    for (const [index, actor] of actors.entries()) {
      const participations = await sql<{ eventId: string; role: string }>(
        'events',
        `SELECT p."eventId", p.role FROM "Participant" p JOIN "Event" e ON e.id = p."eventId" WHERE p."actorId" = $1 ORDER BY e."startedAt" DESC NULLS LAST, p.id`,
        [actor],
      );
      expect(data!._entities[index].participations).toEqual(
        participations.slice(0, FIRST).map((row) => ({ event: { id: row.eventId }, role: row.role })),
      );
    }
    expect(data!._entities[0].participations).toHaveLength(FIRST);
  });
});

describe('actors subgraph lists', () => {
  it('give each actor its own first names and positions, and each organisation its first members', async () => {
    const organizations = [3, 7, 9].map((index) => syntheticId('actor', index));
    const people = [0, 1, 2].map((index) => syntheticId('actor', index));
    const { data, errors } = await harnesses.actors.execute(
      `query($organizations: [_Any!]!, $people: [_Any!]!) {
        organizations: _entities(representations: $organizations) {
          ... on Actor { members(first: ${FIRST}) { member { id } since } current: members(first: ${FIRST}, currentOnly: true) { member { id } current } aliases(first: 1) }
        }
        people: _entities(representations: $people) { ... on Actor { affiliations(first: 1) { organization { id } } alternativeNames(first: 2) { name } } }
      }`,
      { organizations: representations('Actor', organizations), people: representations('Actor', people) },
    );
    expect(errors).toBeUndefined();
    const membersOf = (organization: string, currentOnly: boolean) =>
      sql<{ memberId: string; since: Date | null }>(
        'actors',
        `SELECT "memberId", since FROM "Affiliation" WHERE "organizationId" = $1
           ${currentOnly ? `AND ("until" IS NULL OR "until" > (now() AT TIME ZONE 'UTC')::date)` : ''}
         ORDER BY since DESC NULLS LAST, id LIMIT ${FIRST}`,
        [organization],
      );
    for (const [index, organization] of organizations.entries()) {
      const entity = data!.organizations[index];
      expect(entity.members.map((member: { member: { id: string } }) => member.member.id)).toEqual(
        (await membersOf(organization, false)).map((row) => row.memberId),
      );
      expect(entity.current).toEqual(
        (await membersOf(organization, true)).map((row) => ({ member: { id: row.memberId }, current: true })),
      );
      expect(entity.aliases).toEqual(
        (
          await sql<{ name: string }>('actors', 'SELECT name FROM "Alias" WHERE "actorId" = $1 ORDER BY name LIMIT 1', [
            organization,
          ])
        ).map((row) => row.name),
      );
    }
    expect(data!.organizations[0].members).toHaveLength(FIRST);
    for (const [index, person] of people.entries()) {
      const entity = data!.people[index];
      expect(entity.affiliations).toEqual(
        (
          await sql<{ organizationId: string }>(
            'actors',
            'SELECT "organizationId" FROM "Affiliation" WHERE "memberId" = $1 ORDER BY since DESC NULLS LAST, id LIMIT 1',
            [person],
          )
        ).map((row) => ({ organization: { id: row.organizationId } })),
      );
      expect(entity.alternativeNames).toEqual(
        (
          await sql<{ name: string }>('actors', 'SELECT name FROM "Alias" WHERE "actorId" = $1 ORDER BY name LIMIT 2', [
            person,
          ])
        ).map((row) => ({ name: row.name })),
      );
    }
  });
});

describe('first out of range', () => {
  it.each([
    ['statements', 'Actor', 'statements(first: $first) { id }'],
    ['statements', 'Event', 'contestedClaims(first: $first) { id }'],
    ['events', 'Event', 'participants(first: $first) { role }'],
    ['events', 'Actor', 'participations(first: $first) { role }'],
    ['actors', 'Actor', 'members(first: $first) { title }'],
  ] as const)('%s %s.%s: 0 and 101 are BAD_USER_INPUT, 1 and 100 are fine', async (name, typename, selection) => {
    const query = `query($representations: [_Any!]!, $first: Int) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
    const variables = (first: number) => ({
      representations: representations(typename, [syntheticId(typename === 'Actor' ? 'actor' : 'event', 0)]),
      first,
    });
    for (const first of [0, 101, -1]) {
      const { errors } = await harnesses[name].execute(query, variables(first));
      expect(errors?.[0]).toMatchObject({
        message: `first must be between 1 and 100; got ${first}.`,
        extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
      });
    }
    for (const first of [1, 100])
      expect((await harnesses[name].execute(query, variables(first))).errors).toBeUndefined();
  });
});
