import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDataset } from '../../../tests/helpers/seed-fixture';

const seed = seedDataset();
import { seedId } from '@newsfacts/platform/seed-ids';
import {
  startSubgraphHarness,
  type ExecutionResult,
  type SubgraphHarness,
} from '../../../tests/helpers/subgraph-harness';

let actors: SubgraphHarness;
beforeAll(async () => {
  actors = await startSubgraphHarness('actors');
});
afterAll(() => actors?.close());

const GLADKOV = seedId.actor('vyacheslav-gladkov');
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const slugs = (nodes: Array<{ slug: string }>) => nodes.map((node) => node.slug);
const sorted = <T>(values: T[]) => [...values].sort();

describe('actors subgraph on PostgreSQL', () => {
  it('finds Gladkov by slug with his names, country and position', async () => {
    const { data, errors } = await actors.execute(`{
      actor(slug: "vyacheslav-gladkov") {
        id slug name kind description countryCode country organizationType wikidataId
        aliases
        alternativeNames { name kind language }
        affiliations { title since until current organization { slug name kind } member { slug } }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.actor).toMatchObject({
      id: GLADKOV,
      slug: 'vyacheslav-gladkov',
      name: 'Vyacheslav Gladkov',
      kind: 'PERSON',
      description: 'Russian official, governor of Belgorod region.',
      countryCode: 'RU',
      country: 'Russia',
      organizationType: null,
      wikidataId: null,
    });
    // The Ukrainian transliteration a reader may have met in Kyiv-based reports.
    expect(data!.actor.aliases).toContain('Vyacheslav Hladkov');
    expect(sorted(data!.actor.aliases)).toEqual(
      sorted(['Vyacheslav Hladkov', 'Viacheslav Gladkov', 'Вячеслав Гладков']),
    );
    expect(data!.actor.alternativeNames).toHaveLength(3);
    expect(data!.actor.alternativeNames).toEqual(
      expect.arrayContaining([
        { name: 'Vyacheslav Hladkov', kind: 'TRANSLITERATION', language: 'uk' },
        { name: 'Viacheslav Gladkov', kind: 'TRANSLITERATION', language: 'ru' },
        { name: 'Вячеслав Гладков', kind: 'ALTERNATIVE_NAME', language: 'ru' },
      ]),
    );
    expect(data!.actor.affiliations).toEqual([
      {
        title: 'Governor',
        since: null,
        until: null,
        current: true,
        organization: {
          slug: 'belgorod-regional-government',
          name: 'Belgorod regional government',
          kind: 'ORGANIZATION',
        },
        member: { slug: 'vyacheslav-gladkov' },
      },
    ]);
  });

  it('finds the same actor by id', async () => {
    const { data, errors } = await actors.execute('query($id: ID!) { actor(id: $id) { slug name } }', { id: GLADKOV });
    expect(errors).toBeUndefined();
    expect(data!.actor).toEqual({ slug: 'vyacheslav-gladkov', name: 'Vyacheslav Gladkov' });
  });

  it('describes organisations: type, country, other names and no country for the exile legion', async () => {
    const { data, errors } = await actors.execute(`{
      legion: actor(slug: "freedom-of-russia-legion") { name kind organizationType countryCode country aliases alternativeNames { name kind } }
      isw: actor(slug: "institute-for-the-study-of-war") { organizationType countryCode country alternativeNames { name kind language } }
      ukMod: actor(slug: "uk-ministry-of-defence") { countryCode country }
      ukraine: actor(slug: "ukraine") { organizationType country wikidataId alternativeNames { name kind } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.legion).toMatchObject({
      name: 'Freedom of Russia Legion',
      kind: 'ORGANIZATION',
      organizationType: 'ARMED_GROUP',
      countryCode: null,
      country: null,
    });
    expect(data!.legion.aliases).toContain('Liberty of Russia Legion');
    expect(data!.legion.alternativeNames).toContainEqual({
      name: 'Liberty of Russia Legion',
      kind: 'ALTERNATIVE_NAME',
    });
    expect(data!.isw).toEqual({
      organizationType: 'RESEARCH_INSTITUTE',
      countryCode: 'US',
      country: 'United States',
      alternativeNames: [{ name: 'ISW', kind: 'ABBREVIATION', language: 'en' }],
    });
    expect(data!.ukMod).toEqual({ countryCode: 'GB', country: 'United Kingdom' });
    expect(data!.ukraine).toMatchObject({ organizationType: 'STATE', country: 'Ukraine', wikidataId: 'Q212' });
    expect(data!.ukraine.alternativeNames).toEqual(
      expect.arrayContaining([
        { name: 'Kyiv', kind: 'METONYM' },
        { name: 'Kiev', kind: 'METONYM' },
      ]),
    );
  });

  it('lists the members of an organisation', async () => {
    const { data, errors } = await actors.execute(`{
      ukraine: actor(slug: "ukraine") { members { title since until current member { slug name } organization { slug } } }
      kremlin: actor(slug: "kremlin") { members { title member { slug } } }
      gladkov: actor(slug: "vyacheslav-gladkov") { members { title } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.ukraine.members).toEqual([
      {
        title: 'President',
        since: '2019-05-20',
        until: null,
        current: true,
        member: { slug: 'volodymyr-zelenskyy', name: 'Volodymyr Zelenskyy' },
        organization: { slug: 'ukraine' },
      },
    ]);
    expect(data!.kremlin.members).toEqual([{ title: 'Spokesman', member: { slug: 'dmitry-peskov' } }]);
    expect(data!.gladkov.members).toEqual([]);
  });

  it('leaves past positions out when asked for current ones only', async () => {
    // The seed has no past positions, so add one: Putin was Prime Minister from 2008 to 2012.
    const client = new pg.Client({ connectionString: actors.database.url });
    await client.connect();
    const pastId = seedId.affiliation('vladimir-putin', 'russia', 'Prime Minister');
    try {
      await client.query(
        `INSERT INTO "Affiliation" ("id", "memberId", "organizationId", "title", "since", "until") VALUES ($1, $2, $3, $4, $5, $6)`,
        [pastId, seedId.actor('vladimir-putin'), seedId.actor('russia'), 'Prime Minister', '2008-05-08', '2012-05-07'],
      );
      const { data, errors } = await actors.execute(`{
        putin: actor(slug: "vladimir-putin") {
          all: affiliations { title since until current }
          now: affiliations(currentOnly: true) { title current }
        }
        russia: actor(slug: "russia") {
          all: members { title member { slug } }
          now: members(currentOnly: true) { title member { slug } }
        }
      }`);
      expect(errors).toBeUndefined();
      expect(data!.putin.all).toHaveLength(2);
      expect(data!.putin.all).toEqual(
        expect.arrayContaining([
          { title: 'President', since: null, until: null, current: true },
          { title: 'Prime Minister', since: '2008-05-08', until: '2012-05-07', current: false },
        ]),
      );
      expect(data!.putin.now).toEqual([{ title: 'President', current: true }]);
      expect(data!.russia.all).toHaveLength(2);
      expect(data!.russia.now).toEqual([{ title: 'President', member: { slug: 'vladimir-putin' } }]);
    } finally {
      await client.query('DELETE FROM "Affiliation" WHERE "id" = $1', [pastId]);
      await client.end();
    }
  });

  it('finds Gladkov by his Ukrainian transliteration, in any case', async () => {
    const { data, errors } = await actors.execute(`{
      lower: actors(search: "hladkov") { totalCount nodes { slug } }
      upper: actors(search: "HLADKOV") { nodes { slug } }
      padded: actors(search: "  Hladkov ") { nodes { slug } }
      cyrillic: actors(search: "гладков") { nodes { slug } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.lower).toEqual({ totalCount: 1, nodes: [{ slug: 'vyacheslav-gladkov' }] });
    expect(data!.upper.nodes).toEqual([{ slug: 'vyacheslav-gladkov' }]);
    expect(data!.padded.nodes).toEqual([{ slug: 'vyacheslav-gladkov' }]);
    expect(data!.cyrillic.nodes).toEqual([{ slug: 'vyacheslav-gladkov' }]);
  });

  it('finds the legion by "Liberty of Russia" and by part of its name', async () => {
    const { data, errors } = await actors.execute(`{
      liberty: actors(search: "Liberty of Russia") { totalCount nodes { slug name } }
      legion: actors(search: "legion") { nodes { slug } }
      nothing: actors(search: "Wagner") { totalCount nodes { slug } pageInfo { hasNextPage endCursor } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.liberty).toEqual({
      totalCount: 1,
      nodes: [{ slug: 'freedom-of-russia-legion', name: 'Freedom of Russia Legion' }],
    });
    expect(data!.legion.nodes).toEqual([{ slug: 'freedom-of-russia-legion' }]);
    expect(data!.nothing).toEqual({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('takes the search text literally: % and _ are not wildcards', async () => {
    const { data, errors } = await actors.execute(`{
      percent: actors(search: "%") { totalCount }
      underscore: actors(search: "_") { totalCount }
      pattern: actors(search: "R_C") { nodes { slug } }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.percent.totalCount).toBe(0);
    expect(data!.underscore.totalCount).toBe(0);
    // "R_C" as a LIKE pattern would match the Russian Volunteer Corps' "RVC"; no name contains it.
    expect(data!.pattern.nodes).toEqual([]);

    const backslash = await actors.execute('query($search: String) { actors(search: $search) { totalCount } }', {
      search: '\\',
    });
    expect(backslash.errors).toBeUndefined();
    expect(backslash.data!.actors.totalCount).toBe(0);
    const quoted = await actors.execute('query($search: String) { actors(search: $search) { nodes { slug } } }', {
      search: 'legion "freedom of',
    });
    expect(quoted.errors).toBeUndefined();
    expect(quoted.data!.actors.nodes).toEqual([{ slug: 'freedom-of-russia-legion' }]);
  });

  it('filters by kind, organisation type and country', async () => {
    const { data, errors } = await actors.execute(`{
      people: actors(kind: PERSON) { totalCount nodes { name } }
      armed: actors(organizationType: ARMED_GROUP) { nodes { slug } }
      ukrainian: actors(countryCode: "ua", first: 100) { totalCount nodes { slug countryCode } }
      russianPeople: actors(kind: PERSON, countryCode: "RU") { nodes { slug } }
      states: actors(kind: ORGANIZATION, organizationType: STATE) { nodes { slug } }
    }`);
    expect(errors).toBeUndefined();
    // Alphabetical by name.
    expect(data!.people).toEqual({
      totalCount: 6,
      nodes: [
        'Andriy Yusov',
        'Dmitry Peskov',
        'Hanna Malyar',
        'Vladimir Putin',
        'Volodymyr Zelenskyy',
        'Vyacheslav Gladkov',
      ].map((name) => ({ name })),
    });
    expect(data!.armed.nodes).toEqual([{ slug: 'freedom-of-russia-legion' }, { slug: 'russian-volunteer-corps' }]);
    const expectedUkrainian = seed.actors.filter((actor) => actor.countryCode === 'UA').map((actor) => actor.slug);
    expect(data!.ukrainian.totalCount).toBe(expectedUkrainian.length);
    expect(sorted(slugs(data!.ukrainian.nodes))).toEqual(sorted(expectedUkrainian));
    expect(data!.ukrainian.nodes.every((node: { countryCode: string }) => node.countryCode === 'UA')).toBe(true);
    expect(sorted(slugs(data!.russianPeople.nodes))).toEqual(
      sorted(['vyacheslav-gladkov', 'vladimir-putin', 'dmitry-peskov']),
    );
    expect(data!.states.nodes).toEqual([{ slug: 'russia' }, { slug: 'ukraine' }]);
  });

  it('pages through every actor with cursors, none twice, none missed', async () => {
    const everything = await actors.execute(
      '{ actors(first: 100) { totalCount nodes { slug } pageInfo { hasNextPage } } }',
    );
    expect(everything.errors).toBeUndefined();
    const all = slugs(everything.data!.actors.nodes);
    expect(everything.data!.actors.totalCount).toBe(seed.actors.length);
    expect(sorted(all)).toEqual(sorted(seed.actors.map((actor) => actor.slug)));
    expect(everything.data!.actors.pageInfo.hasNextPage).toBe(false);

    const query = `query($after: String) {
      actors(first: 7, after: $after) {
        totalCount edges { cursor node { slug } } nodes { slug } pageInfo { hasNextPage endCursor }
      }
    }`;
    const pages: Array<{
      totalCount: number;
      edges: Array<{ cursor: string; node: { slug: string } }>;
      nodes: Array<{ slug: string }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    }> = [];
    let after: string | null = null;
    do {
      const { data, errors }: ExecutionResult = await actors.execute(query, { after });
      expect(errors).toBeUndefined();
      pages.push(data!.actors);
      after = data!.actors.pageInfo.hasNextPage ? data!.actors.pageInfo.endCursor : null;
    } while (after && pages.length < 10);

    expect(pages.map((page) => page.nodes.length)).toEqual([7, 7, 6]);
    expect(pages.map((page) => page.pageInfo.hasNextPage)).toEqual([true, true, false]);
    for (const page of pages) {
      expect(page.totalCount).toBe(20);
      expect(page.edges.map((edge) => edge.node)).toEqual(page.nodes);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    }
    expect(pages.flatMap((page) => slugs(page.nodes))).toEqual(all);
  });

  it('pages through a search and keeps its total', async () => {
    const first = await actors.execute(
      '{ actors(search: "russia", first: 2) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.errors).toBeUndefined();
    const expected = seed.actors
      .filter((actor) =>
        [actor.name, ...actor.aliases.map((alias) => alias.name)].some((name) => name.toLowerCase().includes('russia')),
      )
      .map((actor) => actor.slug);
    expect(first.data!.actors.totalCount).toBe(expected.length);
    expect(first.data!.actors.pageInfo.hasNextPage).toBe(true);
    const rest = await actors.execute(
      'query($after: String) { actors(search: "russia", first: 100, after: $after) { totalCount nodes { slug } pageInfo { hasNextPage } } }',
      { after: first.data!.actors.pageInfo.endCursor },
    );
    expect(rest.errors).toBeUndefined();
    expect(rest.data!.actors.totalCount).toBe(expected.length);
    expect(rest.data!.actors.pageInfo.hasNextPage).toBe(false);
    expect(sorted([...slugs(first.data!.actors.nodes), ...slugs(rest.data!.actors.nodes)])).toEqual(sorted(expected));
  });

  it('resolves Actor entities through _entities, null for unknown or malformed ids', async () => {
    const { data, errors } = await actors.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Actor { id slug name affiliations { title organization { name } } } }
      }`,
      {
        representations: [
          { __typename: 'Actor', id: GLADKOV },
          { __typename: 'Actor', id: UNKNOWN },
          { __typename: 'Actor', id: 'not-a-uuid' },
          { __typename: 'Actor', id: seedId.actor('hanna-malyar') },
        ],
      },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual([
      {
        id: GLADKOV,
        slug: 'vyacheslav-gladkov',
        name: 'Vyacheslav Gladkov',
        affiliations: [{ title: 'Governor', organization: { name: 'Belgorod regional government' } }],
      },
      null,
      null,
      {
        id: seedId.actor('hanna-malyar'),
        slug: 'hanna-malyar',
        name: 'Hanna Malyar',
        affiliations: [{ title: 'Deputy Defence Minister', organization: { name: 'Ministry of Defence of Ukraine' } }],
      },
    ]);
  });

  it('answers an unknown slug or id with null, not an error', async () => {
    const { data, errors } = await actors.execute(`{
      a: actor(slug: "no-such-actor") { id }
      b: actor(id: "${UNKNOWN}") { id }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ a: null, b: null });
  });

  it.each([
    ['both id and slug', `{ actor(id: "${GLADKOV}", slug: "vyacheslav-gladkov") { id } }`, 'exactly one of id or slug'],
    ['neither id nor slug', '{ actor { id } }', 'exactly one of id or slug'],
    ['a malformed id', '{ actor(id: "gladkov") { id } }', 'id must be a UUID'],
    ['first: 0', '{ actors(first: 0) { totalCount } }', 'first must be between 1 and 100'],
    ['first: 101', '{ actors(first: 101) { totalCount } }', 'first must be between 1 and 100'],
    ['a forged cursor', '{ actors(after: "bm9wZQ") { totalCount } }', 'after must be an endCursor'],
    ['a bad country code', '{ actors(countryCode: "Russia") { totalCount } }', 'two-letter ISO 3166-1'],
    ['an oversized search', `{ actors(search: "${'x'.repeat(201)}") { totalCount } }`, 'at most 200 characters'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, query, message) => {
    const { data, errors } = await actors.execute(query);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toContain(message);
    expect(errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(data?.actor ?? data?.actors ?? null).toBeNull();
  });
});
