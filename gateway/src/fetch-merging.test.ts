import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { entityFetchOf, mergedBody, mergeSameSubgraphFetches, splitAnswer } from './fetch-merging';

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

describe('merged entity fetches', () => {
  it('ask for each fetch under its own alias and variable, sharing the rest', () => {
    const body = mergedBody([
      { query: entityQuery('name kind'), variables: { representations: [{ __typename: 'Actor', id: 'a' }], first: 2 } },
      {
        query: entityQuery('name statements(first:$first){quote}', 'Raid__actors__3'),
        variables: { representations: [{ __typename: 'Actor', id: 'b' }], first: 2 },
      },
    ]);
    const { query, variables, operationName } = JSON.parse(body!);
    expect(operationName).toBe('Raid__actors__2__merged');
    expect(variables).toEqual({
      _entities_0: [{ __typename: 'Actor', id: 'a' }],
      _entities_1: [{ __typename: 'Actor', id: 'b' }],
      first: 2,
    });
    expect(print(parse(query))).toBe(
      print(
        parse(`query Raid__actors__2__merged($_entities_0: [_Any!]!, $first: Int, $_entities_1: [_Any!]!) {
          _entities_0: _entities(representations: $_entities_0) { ... on Actor { name kind } }
          _entities_1: _entities(representations: $_entities_1) { ... on Actor { name statements(first: $first) { quote } } }
        }`),
      ),
    );
  });

  it('are not merged when a shared variable differs', () => {
    const representations = [{ __typename: 'Actor', id: 'a' }];
    expect(
      mergedBody([
        { query: entityQuery('name'), variables: { representations, first: 1 } },
        { query: entityQuery('kind'), variables: { representations, first: 2 } },
      ]),
    ).toBeUndefined();
  });

  it('come only from entity fetches', () => {
    const representations = [{ __typename: 'Actor', id: 'a' }];
    expect(entityFetchOf(JSON.stringify({ query: entityQuery('name'), variables: { representations } }))).toBeDefined();
    expect(entityFetchOf(JSON.stringify({ query: '{ event(slug: "x") { id } }', variables: {} }))).toBeUndefined();
    expect(
      entityFetchOf(JSON.stringify({ query: 'mutation { _entities }', variables: { representations } })),
    ).toBeUndefined();
    expect(entityFetchOf('{"query": "_entities", ')).toBeUndefined();
  });

  it("split into each fetch's own answer, errors going with their part", () => {
    const parts = splitAnswer(
      {
        data: { _entities_0: [{ name: 'Gladkov' }], _entities_1: [null] },
        errors: [
          { message: 'not found', path: ['_entities_1', 0] },
          { message: 'slow', extensions: { code: 'TIMEOUT' } },
        ],
      },
      2,
    );
    expect(parts[0]).toEqual({
      data: { _entities: [{ name: 'Gladkov' }] },
      errors: [{ message: 'slow', extensions: { code: 'TIMEOUT' } }],
    });
    expect(parts[1]).toEqual({
      data: { _entities: [null] },
      errors: [
        { message: 'not found', path: ['_entities', 0] },
        { message: 'slow', extensions: { code: 'TIMEOUT' } },
      ],
    });
    expect(splitAnswer({ data: null, errors: [{ message: 'down' }] }, 2)).toEqual([
      { data: null, errors: [{ message: 'down' }] },
      { data: null, errors: [{ message: 'down' }] },
    ]);
  });
});
