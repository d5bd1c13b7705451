import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { Headers, Response, type RequestInfo, type RequestInit } from 'node-fetch';
import { mergedBody, mergeSameSubgraphFetches, mergingFetcher, queryFetchOf, splitAnswer } from './fetch-merging';

const fetchOf = (serviceName: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Fetch',
  serviceName,
  operationKind: 'query',
  operation: `{ ${serviceName} }`,
  ...extra,
});
const flatten = (path: string, node: unknown) => ({ kind: 'Flatten', path: path.split('.'), node });

// The raid query's plan as Apollo's planner prints it, with the fetches' selections left out.
const raidPlan = {
  kind: 'Sequence',
  nodes: [
    fetchOf('events'),
    {
      kind: 'Parallel',
      nodes: [
        {
          kind: 'Sequence',
          nodes: [
            flatten('event', fetchOf('statements')),
            flatten('event.contestedClaims.@.statements.@.speaker', fetchOf('actors')),
          ],
        },
        flatten('event.participants.@.actor', fetchOf('actors')),
      ],
    },
  ],
};

describe('mergeSameSubgraphFetches', () => {
  it("moves the participants' actors fetch beside the speakers' one", () => {
    expect(mergeSameSubgraphFetches(raidPlan)).toEqual({
      kind: 'Sequence',
      nodes: [
        fetchOf('events'),
        {
          kind: 'Sequence',
          nodes: [
            flatten('event', fetchOf('statements')),
            {
              kind: 'Parallel',
              nodes: [
                flatten('event.contestedClaims.@.statements.@.speaker', fetchOf('actors')),
                flatten('event.participants.@.actor', fetchOf('actors')),
              ],
            },
          ],
        },
      ],
    });
  });

  it('leaves the plan it is given as it was', () => {
    const before = JSON.stringify(raidPlan);
    mergeSameSubgraphFetches(raidPlan);
    expect(JSON.stringify(raidPlan)).toBe(before);
  });

  it('moves nothing to another subgraph, and no fetch that a deferred part waits for', () => {
    const otherSubgraph = {
      kind: 'Parallel',
      nodes: [
        { kind: 'Sequence', nodes: [fetchOf('statements'), flatten('a', fetchOf('actors'))] },
        flatten('b', fetchOf('events')),
      ],
    };
    expect(mergeSameSubgraphFetches(otherSubgraph)).toEqual(otherSubgraph);
    const awaited = {
      kind: 'Parallel',
      nodes: [
        { kind: 'Sequence', nodes: [fetchOf('statements'), flatten('a', fetchOf('actors'))] },
        flatten('b', fetchOf('actors', { id: '3' })),
      ],
    };
    expect(mergeSameSubgraphFetches(awaited)).toEqual(awaited);
  });
});

const entityQuery = (fields: string, name = 'Raid__actors__2') =>
  `query ${name}($representations:[_Any!]!$first:Int){_entities(representations:$representations){...on Actor{${fields}}}}`;

describe('merged query fetches', () => {
  it("ask for each fetch's fields under keys, variables and fragments of its own", () => {
    const body = mergedBody([
      { query: entityQuery('name kind'), variables: { representations: [{ __typename: 'Actor', id: 'a' }], first: 2 } },
      {
        query: `query Raid__events__0($slug: String!) { event(slug: $slug) { ...Fields } } fragment Fields on Event { id title }`,
        variables: { slug: 'belgorod-incursion-2023' },
      },
    ]);
    const { query, variables, operationName } = JSON.parse(body);
    expect(operationName).toBe('Raid__actors__2__merged');
    expect(variables).toEqual({
      representations_0: [{ __typename: 'Actor', id: 'a' }],
      first_0: 2,
      slug_1: 'belgorod-incursion-2023',
    });
    expect(print(parse(query))).toBe(
      print(
        parse(`query Raid__actors__2__merged($representations_0: [_Any!]!, $first_0: Int, $slug_1: String!) {
          _0__entities: _entities(representations: $representations_0) { ... on Actor { name kind } }
          _1_event: event(slug: $slug_1) { ...Fields_1 }
        }
        fragment Fields_1 on Event { id title }`),
      ),
    );
  });

  it('come only from query fetches', () => {
    const representations = [{ __typename: 'Actor', id: 'a' }];
    expect(queryFetchOf(JSON.stringify({ query: entityQuery('name'), variables: { representations } }))).toBeDefined();
    expect(queryFetchOf(JSON.stringify({ query: '{ event(slug: "x") { id } }' }))).toBeDefined();
    expect(
      queryFetchOf(JSON.stringify({ query: 'mutation { _entities }', variables: { representations } })),
    ).toBeUndefined();
    expect(queryFetchOf(JSON.stringify({ query: '{ a }', extensions: { persistedQuery: {} } }))).toBeUndefined();
    expect(queryFetchOf(JSON.stringify({ query: 'query A { a } query B { b }' }))).toBeUndefined();
    expect(queryFetchOf(JSON.stringify({ query: '{ ... on Query { a } }' }))).toBeUndefined();
    expect(queryFetchOf('{"query": "_entities", ')).toBeUndefined();
  });

  it("split into each fetch's own answer, errors going with their part", () => {
    const queries = [entityQuery('name'), '{ event(slug: "x") { title } other: event(slug: "y") { title } }'];
    const parts = splitAnswer(
      {
        data: { _0__entities: [{ name: 'Gladkov' }], _1_event: null, _1_other: { title: 'Raid' } },
        errors: [{ message: 'not found', path: ['_1_event', 'title'], extensions: { code: 'NOT_FOUND' } }],
        extensions: { changes: [] },
      },
      queries,
    );
    expect(parts).toEqual([
      { data: { _entities: [{ name: 'Gladkov' }] }, extensions: { changes: [] } },
      {
        data: { event: null, other: { title: 'Raid' } },
        errors: [{ message: 'not found', path: ['event', 'title'], extensions: { code: 'NOT_FOUND' } }],
        extensions: { changes: [] },
      },
    ]);
  });

  it('cannot be split when the answer concerns the whole request', () => {
    const queries = [entityQuery('name'), '{ event(slug: "x") { title } }'];
    expect(splitAnswer({ data: null, errors: [{ message: 'down' }] }, queries)).toBeUndefined();
    expect(
      splitAnswer({ data: { _0__entities: [], _1_event: null }, errors: [{ message: 'too slow' }] }, queries),
    ).toBeUndefined();
  });
});

describe('mergingFetcher', () => {
  /** A subgraph stand-in that answers each `_N__entities` (or `_entities`) with one name per representation. */
  function subgraph() {
    const sent: Array<{ body: string; headers: Headers }> = [];
    const send = async (_url: RequestInfo, init: RequestInit = {}) => {
      const body = String(init.body);
      sent.push({ body, headers: new Headers(init.headers) });
      const { variables } = JSON.parse(body) as { variables: Record<string, Array<{ id: string }>> };
      const data = Object.fromEntries(
        Object.entries(variables)
          .filter(([name]) => name.startsWith('representations'))
          .map(([name, representations]) => [
            name === 'representations' ? '_entities' : `_${name.slice('representations_'.length)}__entities`,
            representations.map((representation) => ({ name: `actor ${representation.id}` })),
          ]),
      );
      return new Response(JSON.stringify({ data }), { status: 200, headers: { 'cache-control': 'max-age=60' } });
    };
    return { sent, send };
  }
  const entityFetch = (ids: string[], requestId: string, principal = 'anonymous', deadline?: number) =>
    [
      'http://actors/graphql',
      {
        method: 'POST',
        body: JSON.stringify({
          query: entityQuery('name'),
          variables: { representations: ids.map((id) => ({ __typename: 'Actor', id })) },
        }),
        headers: {
          'x-request-id': requestId,
          'x-newsfacts-principal': principal,
          ...(deadline ? { 'x-newsfacts-deadline': String(deadline) } : {}),
        },
      },
    ] as const;
  const names = async (response: Promise<Response>) =>
    ((await (await response).json()) as { data: { _entities: Array<{ name: string }> } }).data._entities.map(
      (entity) => entity.name,
    );

  it("sends one request's fetches in one turn as one, and different requests' apart unless told to", async () => {
    const { sent, send } = subgraph();
    const fetcher = mergingFetcher(send);
    const answers = [
      fetcher(...entityFetch(['a'], 'r1')),
      fetcher(...entityFetch(['b'], 'r1')),
      fetcher(...entityFetch(['c'], 'r2')),
    ];
    expect(await Promise.all(answers.map(names))).toEqual([['actor a'], ['actor b'], ['actor c']]);
    expect(sent).toHaveLength(2);
  });

  it("across requests: one fetch for the same caller's requests, each given only its own part", async () => {
    const { sent, send } = subgraph();
    let merged = 0;
    const fetcher = mergingFetcher(send, { acrossRequests: true, onMerged: (count) => (merged += count) });
    const answers = [
      fetcher(...entityFetch(['a'], 'r1', 'anonymous', 5_000)),
      fetcher(...entityFetch(['b', 'c'], 'r2', 'anonymous', 3_000)),
      fetcher(...entityFetch(['d'], 'r3', 'key-1')),
    ];
    expect(await Promise.all(answers.map(names))).toEqual([['actor a'], ['actor b', 'actor c'], ['actor d']]);
    expect(sent).toHaveLength(2);
    expect(merged).toBe(2);
    // The earliest deadline of the two, and the first one's request id.
    expect(sent[0]!.headers.get('x-newsfacts-deadline')).toBe('3000');
    expect(sent[0]!.headers.get('x-request-id')).toBe('r1');
    expect(sent[1]!.headers.get('x-newsfacts-principal')).toBe('key-1');
    // Each part keeps the subgraph's caching headers.
    expect((await answers[1]!).headers.get('cache-control')).toBe('max-age=60');
  });

  it('asks once for identical fetches of different requests, and caps the parts of one operation', async () => {
    const { sent, send } = subgraph();
    const fetcher = mergingFetcher(send, { acrossRequests: true, maxParts: 2 });
    const answers = [
      fetcher(...entityFetch(['a'], 'r1')),
      fetcher(...entityFetch(['a'], 'r2')),
      fetcher(...entityFetch(['b'], 'r3')),
      fetcher(...entityFetch(['c'], 'r4')),
    ];
    expect(await Promise.all(answers.map(names))).toEqual([['actor a'], ['actor a'], ['actor b'], ['actor c']]);
    expect(sent).toHaveLength(2);
    expect(Object.keys(JSON.parse(sent[0]!.body).variables)).toEqual(['representations_0', 'representations_1']);
    expect(JSON.parse(sent[1]!.body).variables).toEqual({ representations: [{ __typename: 'Actor', id: 'c' }] });
  });

  it('gives a failure to every fetch that was merged into it', async () => {
    const fetcher = mergingFetcher(() => Promise.reject(new Error('connection reset')), { acrossRequests: true });
    const outcomes = await Promise.allSettled([
      fetcher(...entityFetch(['a'], 'r1')),
      fetcher(...entityFetch(['b'], 'r2')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
  it('sends each fetch again on its own when the merged answer concerns the whole request', async () => {
    const { sent, send } = subgraph();
    let refused = 0;
    const fetcher = mergingFetcher(
      async (url, init) => {
        // The merged operation is refused as a whole, as a subgraph's limit would refuse it.
        if (String(init?.body).includes('representations_1') && refused++ === 0)
          return new Response(JSON.stringify({ errors: [{ message: 'request too large' }] }), { status: 413 });
        return send(url, init);
      },
      { acrossRequests: true },
    );
    const answers = [fetcher(...entityFetch(['a'], 'r1')), fetcher(...entityFetch(['b'], 'r2'))];
    expect(await Promise.all(answers.map(names))).toEqual([['actor a'], ['actor b']]);
    expect(refused).toBe(1);
    expect(sent.map((request) => JSON.parse(request.body).variables)).toEqual([
      { representations: [{ __typename: 'Actor', id: 'a' }] },
      { representations: [{ __typename: 'Actor', id: 'b' }] },
    ]);
  });
});
