import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';

let events: SubgraphHarness;
beforeAll(async () => {
  events = await startSubgraphHarness('events');
});
afterAll(() => events?.close());

const RAID = seedId.event('belgorod-incursion-2023');

describe('events subgraph on PostgreSQL', () => {
  it('finds the raid by slug with its place, time and sub-event', async () => {
    const { data, errors } = await events.execute(`{
      event(slug: "belgorod-incursion-2023") {
        id title kind startedAt endedAt datePrecision
        location { name region country countryCode geoPrecision latitude longitude }
        subEvents { slug kind parent { slug } }
        figures { metric value qualifier }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.event).toMatchObject({
      id: RAID,
      kind: 'INCURSION',
      startedAt: '2023-05-22T00:00:00.000Z',
      endedAt: null,
      datePrecision: 'DAY',
      location: { name: 'Belgorod region', country: 'Russia', countryCode: 'RU' },
      subEvents: [
        {
          slug: 'kozinka-border-post-attack-2023',
          kind: 'ATTACK_ON_BORDER_POST',
          parent: { slug: 'belgorod-incursion-2023' },
        },
      ],
    });
    expect(data!.event.figures).toContainEqual({ metric: 'INJURED', value: 12, qualifier: 'EXACT' });
  });

  it('finds the same event by id', async () => {
    const { data } = await events.execute('query($id: ID!) { event(id: $id) { slug } }', { id: RAID });
    expect(data!.event).toEqual({ slug: 'belgorod-incursion-2023' });
  });

  it('shows links from both ends: the raid follows Bryansk, Bryansk precedes the raid', async () => {
    const { data } = await events.execute(`{
      raid: event(slug: "belgorod-incursion-2023") { relatedEvents { kind event { slug } } }
      bryansk: event(slug: "bryansk-sabotage-accusation-2023") { relatedEvents { kind event { slug } } }
      kozinka: event(slug: "kozinka-border-post-attack-2023") { relatedEvents { kind event { slug } } }
    }`);
    expect(data!.raid.relatedEvents).toEqual(
      expect.arrayContaining([
        { kind: 'FOLLOWS', event: { slug: 'bryansk-sabotage-accusation-2023' } },
        { kind: 'FOLLOWS', event: { slug: 'kremlin-drone-incident-2023' } },
        { kind: 'HAS_PART', event: { slug: 'kozinka-border-post-attack-2023' } },
      ]),
    );
    expect(data!.raid.relatedEvents).toHaveLength(3);
    expect(data!.bryansk.relatedEvents).toEqual([{ kind: 'PRECEDES', event: { slug: 'belgorod-incursion-2023' } }]);
    expect(data!.kozinka.relatedEvents).toEqual([{ kind: 'PART_OF', event: { slug: 'belgorod-incursion-2023' } }]);
  });

  it('lists participants as actor references, filtered by role', async () => {
    const { data } = await events.execute(`{
      event(slug: "belgorod-incursion-2023") { participants(roles: [ATTACKER]) { role actor { id } claim { id } } }
    }`);
    expect(data!.event.participants).toEqual(
      expect.arrayContaining([
        {
          role: 'ATTACKER',
          actor: { id: seedId.actor('freedom-of-russia-legion') },
          claim: { id: seedId.claim('raid-perpetrator-russian-volunteer-militias') },
        },
        {
          role: 'ATTACKER',
          actor: { id: seedId.actor('russian-volunteer-corps') },
          claim: { id: seedId.claim('raid-perpetrator-russian-volunteer-militias') },
        },
      ]),
    );
    expect(data!.event.participants).toHaveLength(2);
  });

  it('resolves Event and Actor entities through _entities', async () => {
    const { data, errors } = await events.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Event { slug title }
          ... on Actor { id participations { role event { slug } } }
        }
      }`,
      {
        representations: [
          { __typename: 'Event', id: RAID },
          { __typename: 'Event', id: '00000000-0000-4000-8000-000000000000' },
          { __typename: 'Event', id: 'not-a-uuid' },
          { __typename: 'Actor', id: seedId.actor('vladimir-putin') },
        ],
      },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities[0]).toMatchObject({ slug: 'belgorod-incursion-2023' });
    expect(data!._entities[1]).toBeNull();
    expect(data!._entities[2]).toBeNull();
    expect(data!._entities[3].participations).toContainEqual({
      role: 'BRIEFED',
      event: { slug: 'belgorod-incursion-2023' },
    });
  });

  it('lists events most recent first and pages through them with cursors', async () => {
    const first = await events.execute(
      '{ events(first: 2) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.data!.events.totalCount).toBe(4);
    // Both started on 22 May; ties are broken by id, so only the pair is fixed.
    expect(first.data!.events.nodes.map((node: { slug: string }) => node.slug).sort()).toEqual([
      'belgorod-incursion-2023',
      'kozinka-border-post-attack-2023',
    ]);
    expect(first.data!.events.pageInfo.hasNextPage).toBe(true);
    const second = await events.execute(
      'query($after: String) { events(first: 10, after: $after) { nodes { slug } pageInfo { hasNextPage } } }',
      {
        after: first.data!.events.pageInfo.endCursor,
      },
    );
    expect(second.data!.events.nodes.map((node: { slug: string }) => node.slug)).toEqual([
      'kremlin-drone-incident-2023',
      'bryansk-sabotage-accusation-2023',
    ]);
    expect(second.data!.events.pageInfo.hasNextPage).toBe(false);
  });

  it('filters events by text, kind, country, date and nesting', async () => {
    const { data } = await events.execute(`{
      search: events(filter: { search: "belgorod" }) { nodes { slug } }
      drones: events(filter: { kinds: [DRONE_STRIKE] }) { nodes { slug } }
      march: events(filter: { startedBefore: "2023-04-01T00:00:00Z" }) { nodes { slug } }
      topLevel: events(filter: { topLevelOnly: true, countryCode: "ru" }) { totalCount }
    }`);
    expect(data!.search.nodes.map((node: { slug: string }) => node.slug)).toContain('belgorod-incursion-2023');
    expect(data!.drones.nodes).toEqual([{ slug: 'kremlin-drone-incident-2023' }]);
    expect(data!.march.nodes).toEqual([{ slug: 'bryansk-sabotage-accusation-2023' }]);
    expect(data!.topLevel.totalCount).toBe(3);
  });

  it('answers an unknown slug or id with null, not an error', async () => {
    const { data, errors } = await events.execute(`{
      a: event(slug: "no-such-event") { id }
      b: event(id: "00000000-0000-4000-8000-000000000000") { id }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ a: null, b: null });
  });

  it.each([
    ['both id and slug', `{ event(id: "${RAID}", slug: "x") { id } }`, 'exactly one of id or slug'],
    ['neither id nor slug', '{ event { id } }', 'exactly one of id or slug'],
    ['a malformed id', '{ event(id: "42") { id } }', 'id must be a UUID'],
    ['first: 0', '{ events(first: 0) { totalCount } }', 'first must be between 1 and 100'],
    ['first: 1000', '{ events(first: 1000) { totalCount } }', 'first must be between 1 and 100'],
    ['a forged cursor', '{ events(after: "bm9wZQ") { totalCount } }', 'after must be an endCursor'],
    ['a bad country code', '{ events(filter: { countryCode: "Russia" }) { totalCount } }', 'two-letter ISO 3166-1'],
    [
      'an oversized search',
      `{ events(filter: { search: "${'x'.repeat(201)}" }) { totalCount } }`,
      'at most 200 characters',
    ],
    [
      'a bad date',
      'query($filter: EventFilter) { events(filter: $filter) { totalCount } }',
      'ISO 8601',
      { filter: { startedAfter: 'last Tuesday' } },
    ],
  ])('refuses %s with BAD_USER_INPUT', async (_case, query, message, variables?: Record<string, unknown>) => {
    const { data, errors } = await events.execute(query, variables);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toContain(message);
    expect(errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(data?.event ?? data?.events ?? null).toBeNull();
  });
});

describe('text search is literal', () => {
  it('treats % and _ as characters, not wildcards', async () => {
    const { data } = await events.execute(
      '{ percent: events(filter: { search: "%" }) { totalCount } underscore: events(filter: { search: "_" }) { totalCount } }',
    );
    expect(data).toEqual({ percent: { totalCount: 0 }, underscore: { totalCount: 0 } });
  });
});
