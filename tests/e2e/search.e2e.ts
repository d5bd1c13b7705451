// Search across everything through the real gateway: the three cases a reader meets on day one
// (the report's own misspelling "Byransk", another transliteration "Gladkow", words that are not
// next to each other), the exact phrase ranked first, types, paging and bad queries.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '@newsfacts/platform/change-feed';
import { FACT_SUBGRAPHS } from '@newsfacts/platform/service-config';
import { startService } from '../../scripts/lib/processes';
import { sumOf } from '../../scripts/lib/prometheus';
import { eventually } from '../helpers/eventually';
import { postGraphQL, startFederation, type AnyData, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

const SEARCH = `query Search($query: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(query: $query, types: $types, first: $first, after: $after) {
    nodes {
      type score snippet
      entity {
        __typename
        ... on Event { id slug title }
        ... on Actor { id slug name }
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
let editorKey: string;

const search = async (variables: Record<string, unknown>) => {
  const { body } = await federation.query(SEARCH, variables);
  return body as {
    data?: { search: { nodes: Hit[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    errors?: Array<{ extensions?: { code?: string } }>;
  };
};

/** A mutation through the gateway with the editor's key; its payload's `errors` must be empty. */
async function write(mutation: string, input: Record<string, unknown>): Promise<AnyData> {
  const { body } = await postGraphQL(
    `${federation.gatewayUrl}/graphql`,
    mutation,
    { input },
    { authorization: `Bearer ${editorKey}` },
  );
  expect(body.errors).toBeUndefined();
  const payload = Object.values(body.data!)[0] as AnyData;
  expect(payload.errors ?? []).toEqual([]);
  return payload;
}

/** Runs `use` on the imports service's database, where the search index lives. */
async function onImportsDatabase(use: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const imports = new pg.Client({ connectionString: federation.env.IMPORTS_DATABASE_URL });
  await imports.connect();
  try {
    await use(imports);
  } finally {
    await imports.end();
  }
}

const CREATE_ACTOR = `mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } errors { code } } }`;
const ids = async (query: string, types: string[]) =>
  ((await search({ query, types, first: 50 })).data?.search.nodes ?? []).map(
    (hit) => (hit.entity as { id?: string })?.id,
  );

beforeAll(async () => {
  // Polled four times as often as by default: the signal is answered from memory, so this costs
  // the fact services nothing more, which the last test checks.
  federation = await startFederation({ env: { SEARCH_POLL_MS: '60' } });
  writeKey = (await createKey(federation.env, 'Search Desk', 'read,write')).key;
  // Retitling the seed's event and merging actors are an editor's changes.
  editorKey = (await createKey(federation.env, 'Search Editor', 'read,write,admin')).key;
  // The index follows the seed's import through the change feeds.
  await eventually(async () => {
    const { data } = await search({ query: 'These are patriots of Russia', types: ['STATEMENT'] });
    expect(data!.search.nodes).not.toHaveLength(0);
  }, 30_000);
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
    await eventually(async () => {
      const { data } = await search({ query: 'power station', types: ['ACTOR'] });
      expect(data!.search.nodes.slice(0, 2).map((hit) => hit.entity.name)).toEqual([
        'Power Station Guard',
        'Station Guard of the Power Grid',
      ]);
    });
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

describe('the search index follows the change feeds', () => {
  it('an actor created and an event retitled through the gateway become findable', async () => {
    const created = await write(CREATE_ACTOR, {
      name: 'Oleksandr Quetzalbrook',
      kind: 'PERSON',
      description: 'Made up for a search test.',
    });
    const actorId = created.actor.id as string;
    await eventually(async () => expect(await ids('Quetzalbrok', ['ACTOR'])).toContain(actorId));

    const { body } = await federation.query(`{ event(slug: "kremlin-drone-incident-2023") { id } }`);
    const eventId = body.data!.event.id as string;
    await write(`mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } errors { code } } }`, {
      id: eventId,
      title: 'Drone incident over the Kremlin, the Senate Palace struck',
    });
    await eventually(async () => expect(await ids('Senate Palace', ['EVENT'])).toEqual([eventId]));
  });

  it('a deleted actor and one merged into another leave the index', async () => {
    const make = async (name: string) =>
      (await write(CREATE_ACTOR, { name, kind: 'ORGANIZATION', description: 'Made up for a search test.' })).actor
        .id as string;
    const [doomed, loser, survivor] = [
      await make('Vexmoor Coastal Brigade'),
      await make('Vexmoor Coastal Battalion'),
      await make('Vexmoor Coastal Regiment'),
    ];
    await eventually(async () =>
      expect(new Set(await ids('Vexmoor Coastal', ['ACTOR']))).toEqual(new Set([doomed, loser, survivor])),
    );

    await write(`mutation($input: DeleteActorInput!) { deleteActor(input: $input) { deletedId errors { code } } }`, {
      id: doomed,
    });
    await write(`mutation($input: MergeActorsInput!) { mergeActors(input: $input) { actor { id } errors { code } } }`, {
      from: loser,
      into: survivor,
    });
    await eventually(async () => expect(await ids('Vexmoor Coastal', ['ACTOR'])).toEqual([survivor]));
  });

  it('keeping the index fresh costs the fact services no SQL while nothing changes', async () => {
    const scrape = () =>
      Promise.all(FACT_SUBGRAPHS.map(async (name) => (await fetch(`${federation.subgraphUrls[name]}/metrics`)).text()));
    const total = (texts: string[], count: (text: string) => number) =>
      texts.reduce((sum, text) => sum + count(text), 0);
    const signals = (texts: string[]) =>
      total(texts, (text) =>
        sumOf(text, 'newsfacts_http_request_duration_seconds_count', { route: '/change-log/signal' }),
      );
    const statements = (texts: string[]) => total(texts, (text) => sumOf(text, 'newsfacts_sql_statements_total'));
    // A window in which each service answered its signal ten times, with no SQL. Tried again
    // while the index still applies the writes of the tests before (a merge moves references in
    // every service); without the signal answered from memory, no window is ever free of SQL.
    await eventually(async () => {
      const before = await scrape();
      await eventually(async () => expect(signals(await scrape()) - signals(before)).toBeGreaterThanOrEqual(30));
      expect(statements(await scrape()) - statements(before)).toBe(0);
    }, 30_000);
  });
  it('a cursor past the change log’s retention makes the index rebuild, logged', async () => {
    const rebuilds = async () =>
      sumOf(
        await (await fetch(`${federation.subgraphUrls.imports}/metrics`)).text(),
        'newsfacts_search_index_rebuilds_total',
        {
          cause: 'cursor_expired',
        },
      );
    expect(await rebuilds()).toBe(0);
    const expired = encodeCursor({ txid: '1', seq: '1', at: Date.now() - 31 * 86_400_000 });
    await onImportsDatabase((imports) =>
      imports.query(`UPDATE "SearchFeedCursor" SET cursor = $1 WHERE feed = 'actors'`, [expired]),
    );
    // The next write moves the actors' signal, and the feed refuses the cursor.
    const created = await write(CREATE_ACTOR, { name: 'Ostap Wendelmoor', kind: 'PERSON', description: 'Made up.' });
    await eventually(async () => expect(await ids('Wendelmoor', ['ACTOR'])).toEqual([created.actor.id]), 30_000);
    // Found as soon as the rebuild has written the actors; counted once it is done.
    await eventually(async () => expect(await rebuilds()).toBe(1), 30_000);
    expect(federation.output.join('\n')).toMatch(/fell past the change log’s retention; rebuilding it/);
  });

  it('npm run search:rebuild builds an emptied index anew; writes made meanwhile are in it after', async () => {
    const make = async (name: string) =>
      (await write(CREATE_ACTOR, { name, kind: 'ORGANIZATION', description: 'Made up for a search test.' })).actor
        .id as string;
    const doomed = await make('Harnwick Relief Column');
    await onImportsDatabase((imports) => imports.query('DELETE FROM "SearchDocument"'));
    expect((await search({ query: 'Byransk' })).data!.search.nodes).toEqual([]);

    const lines: string[] = [];
    const cli = startService('search:rebuild', 'scripts/search-rebuild.ts', federation.env, (_name, line) =>
      lines.push(line),
    );
    // Written and deleted as the command starts: before, during or after the rebuild (on the
    // seed alone it is quick, so not surely during), each ends up applied.
    const created = [await make('Harnwick Signal Company'), await make('Harnwick Bridging Unit')];
    await write(`mutation($input: DeleteActorInput!) { deleteActor(input: $input) { deletedId errors { code } } }`, {
      id: doomed,
    });
    expect(await cli.exited, lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/search index rebuilt: \d+ documents/);
    // The rebuild answers once it is done: no waiting.
    const { data } = await search({ query: 'Byransk', types: ['EVENT'] });
    expect(data!.search.nodes[0]?.entity).toMatchObject({ slug: 'bryansk-sabotage-accusation-2023' });
    await eventually(async () => expect(new Set(await ids('Harnwick', ['ACTOR']))).toEqual(new Set(created)));
  });
});
