// Search across everything through the real gateway: the three cases a reader meets on day one
// (the report's own misspelling "Byransk", another transliteration "Gladkow", words that are not
// next to each other), the exact phrase ranked first, types, paging and bad queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

const SEARCH = `query Search($query: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    nodes {
      type score snippet
      entity {
        __typename
        ... on Event { slug title }
        ... on Actor { slug name }
        ... on Claim { text }
        ... on Statement { quote speaker { name } }
        ... on Source { title }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Hit {
  type: string;
  score: number;
  snippet: string;
  entity: { __typename: string; slug?: string; name?: string; title?: string; text?: string };
}

let federation: Federation;
let writeKey: string;

const search = async (variables: Record<string, unknown>) => {
  const { body } = await federation.query(SEARCH, variables);
  return body as {
    data?: { search: { nodes: Hit[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    errors?: Array<{ extensions?: { code?: string } }>;
  };
};

beforeAll(async () => {
  federation = await startFederation();
  writeKey = (await createKey(federation.env, 'Search Desk', 'read,write')).key;
}, 180_000);

afterAll(async () => {
  await federation?.stop();
});

describe('search', () => {
  it('"Byransk", the report\'s own misspelling, finds the Bryansk event', async () => {
    const { data, errors } = await search({ query: 'Byransk' });
    expect(errors).toBeUndefined();
    const events = data!.search.nodes.filter((hit) => hit.type === 'EVENT');
    expect(events[0]?.entity).toMatchObject({ __typename: 'Event', slug: 'bryansk-sabotage-accusation-2023' });
  });

  it('"Gladkow", one more transliteration, finds Gladkov first', async () => {
    const { data } = await search({ query: 'Gladkow', types: ['ACTOR'] });
    expect(data!.search.nodes[0]?.entity).toMatchObject({ __typename: 'Actor', slug: 'vyacheslav-gladkov' });
  });

  it('"Hladkov", the Ukrainian spelling, finds Gladkov by his alias', async () => {
    const { data } = await search({ query: 'Hladkov', types: ['ACTOR'] });
    expect(data!.search.nodes[0]?.entity).toMatchObject({ __typename: 'Actor', slug: 'vyacheslav-gladkov' });
  });

  it('"patriots of Russia" finds Malyar\'s statement first', async () => {
    const { data } = await search({ query: 'patriots of Russia' });
    expect(data!.search.nodes[0]).toMatchObject({
      type: 'STATEMENT',
      entity: { quote: 'These are patriots of Russia as far as we understand', speaker: { name: 'Hanna Malyar' } },
    });
    expect(data!.search.nodes[0]!.snippet).toMatch(/«patriots» of «Russia»/);
  });

  it('"Kremlin drone" finds the drone incident though the words are apart, with both highlighted', async () => {
    const { data } = await search({ query: 'Kremlin drone', types: ['EVENT'] });
    const [first] = data!.search.nodes;
    expect(first?.entity).toMatchObject({
      slug: 'kremlin-drone-incident-2023',
      title: 'Drone incident over the Kremlin',
    });
    expect(first?.snippet).toMatch(/«Drone»/);
    expect(first?.snippet).toMatch(/«Kremlin»/);
  });

  it('searches every type at once, each hit resolved by the service that owns it', async () => {
    const { data } = await search({ query: 'Ukrainian armed formations', first: 50 });
    const types = new Set(data!.search.nodes.map((hit) => hit.type));
    expect(types).toContain('STATEMENT');
    expect(types).toContain('EVENT');
    const quote = data!.search.nodes.find((hit) => hit.type === 'STATEMENT')!;
    expect(quote.entity).toMatchObject({ __typename: 'Statement', quote: 'Ukrainian armed formations' });
    const scores = data!.search.nodes.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('ranks the exact phrase above the same words apart', async () => {
    const create = (name: string) =>
      postGraphQL(
        `${federation.gatewayUrl}/graphql`,
        `mutation($input: CreateActorInput!) { createActor(input: $input) { errors { code } } }`,
        { input: { name, kind: 'ORGANIZATION', description: 'Made up for a search test.' } },
        { authorization: `Bearer ${writeKey}` },
      );
    await create('Station Guard of the Power Grid');
    await create('Power Station Guard');
    const { data } = await search({ query: 'power station', types: ['ACTOR'] });
    expect(data!.search.nodes.slice(0, 2).map((hit) => hit.entity.name)).toEqual([
      'Power Station Guard',
      'Station Guard of the Power Grid',
    ]);
  });

  it('keeps to the types asked for, and pages on without repeating a hit', async () => {
    const all = await search({ query: 'Belgorod', first: 50 });
    const firstPage = await search({ query: 'Belgorod', first: 3 });
    expect(firstPage.data!.search.pageInfo.hasNextPage).toBe(true);
    const secondPage = await search({ query: 'Belgorod', first: 3, after: firstPage.data!.search.pageInfo.endCursor });
    const paged = [...firstPage.data!.search.nodes, ...secondPage.data!.search.nodes];
    expect(paged).toEqual(all.data!.search.nodes.slice(0, 6));
    const claims = await search({ query: 'Ukrainian', types: ['CLAIM'], first: 50 });
    expect(new Set(claims.data!.search.nodes.map((hit) => hit.type))).toEqual(new Set(['CLAIM']));
  });

  it('refuses an empty query, an overlong one, and a cursor it did not give', async () => {
    for (const variables of [
      { query: '   ' },
      { query: 'x'.repeat(201) },
      { query: 'raid', after: 'bm9wZQ' },
      { query: 'raid', first: 51 },
    ]) {
      const { errors } = await search(variables);
      expect(errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });
});
