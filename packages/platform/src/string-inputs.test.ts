import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refuseUnstorableStrings, unstorableStringReason } from './string-inputs';

describe('unstorableStringReason', () => {
  it('refuses NUL and lone surrogates of either half, and accepts pairs and other text', () => {
    expect(unstorableStringReason('Glad\u0000kov')).toMatch(/NUL byte \(\\u0000\)/);
    expect(unstorableStringReason('a\ud800')).toMatch(/lone UTF-16 surrogate \(\\ud800\)/);
    expect(unstorableStringReason('\udc00a')).toMatch(/lone UTF-16 surrogate \(\\udc00\)/);
    // Halves in the wrong order are two lone surrogates, not a pair.
    expect(unstorableStringReason('\udc00\ud800')).toMatch(/lone UTF-16 surrogate \(\\udc00\)/);
    for (const fine of ['', 'Gladkov', 'Гладков', '😀 \ud83d\ude00', 'tab\there', '\u0001']) {
      expect(unstorableStringReason(fine), fine).toBeNull();
    }
  });
});

describe('the refuseUnstorableStrings plugin', () => {
  const typeDefs = `#graphql
    scalar JSON
    directive @tag(name: String) on FIELD
    input Filter { name: String names: [String] nested: Filter }
    type Query {
      actors(search: String, filter: Filter, tags: [String!], first: Int): [String!]!
      echo(json: JSON): String
    }
    type Mutation { setNote(text: String!): String }
  `;
  const writes: string[] = [];
  let server: ApolloServer;

  beforeAll(async () => {
    server = new ApolloServer({
      typeDefs,
      resolvers: {
        Query: { actors: () => ['Gladkov'], echo: () => 'echo' },
        Mutation: {
          setNote: (_parent: unknown, { text }: { text: string }) => {
            writes.push(text);
            return text;
          },
        },
      },
      plugins: [refuseUnstorableStrings],
    });
    await server.start();
  });
  afterAll(() => server?.stop());
  beforeEach(() => {
    writes.length = 0;
  });

  async function run(query: string, variables?: Record<string, unknown>) {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status ?? 200, ...response.body.singleResult };
  }

  async function expectRefused(query: string, variables: Record<string, unknown> | undefined, message: string) {
    const result = await run(query, variables);
    expect({ status: result.status, code: result.errors?.[0]?.extensions?.code, data: result.data ?? null }).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      data: null,
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toBe(message);
  }

  const NUL = 'contains a NUL byte (\\u0000), which text cannot hold.';
  const LONE = (unit: string) => `contains a lone UTF-16 surrogate (\\u${unit}), which is not valid Unicode text.`;

  it('refuses a NUL byte in an inline literal, naming the argument and the field', async () => {
    await expectRefused('{ actors(search: "Glad\\u0000kov") }', undefined, `Argument "search" of "actors" ${NUL}`);
  });

  it('refuses a NUL byte through a variable', async () => {
    const query = 'query($s: String) { actors(search: $s) }';
    await expectRefused(query, { s: 'Glad\u0000kov' }, `Argument "search" of "actors" ${NUL}`);
  });

  it('refuses a lone surrogate through a variable (JSON can carry one; a GraphQL literal cannot)', async () => {
    await expectRefused(
      'query($s: String) { actors(search: $s) }',
      { s: 'Glad\ud800kov' },
      `Argument "search" of "actors" ${LONE('d800')}`,
    );
  });

  it('looks inside nested input objects and lists, inline and through variables', async () => {
    await expectRefused(
      'query($f: Filter) { actors(filter: $f) }',
      { f: { name: 'ok', nested: { names: ['ok', 'bad\u0000'] } } },
      `Argument "filter" of "actors" at filter.nested.names[1] ${NUL}`,
    );
    await expectRefused(
      '{ actors(filter: { nested: { name: "\\u0000" } }) }',
      undefined,
      `Argument "filter" of "actors" at filter.nested.name ${NUL}`,
    );
    await expectRefused(
      'query($t: String!) { actors(tags: ["fine", $t]) }',
      { t: '\udfff' },
      `Argument "tags" of "actors" at tags[1] ${LONE('dfff')}`,
    );
    // A variable inside an input-object literal.
    await expectRefused(
      'query($n: String) { actors(filter: { name: $n }) }',
      { n: '\u0000' },
      `Argument "filter" of "actors" at filter.name ${NUL}`,
    );
  });

  it('looks inside custom scalars (JSON), keys included', async () => {
    const query = 'query($j: JSON) { echo(json: $j) }';
    await expectRefused(query, { j: { a: ['x', 'y\u0000'] } }, `Argument "json" of "echo" at json.a[1] ${NUL}`);
    await expectRefused(query, { j: { 'k\u0000': 1 } }, `Argument "json" of "echo" at json (a key) ${NUL}`);
  });

  it('checks fields in fragments and directive arguments', async () => {
    await expectRefused(
      '{ ...F } fragment F on Query { ... on Query { actors(search: "\\u0000") } }',
      undefined,
      `Argument "search" of "actors" ${NUL}`,
    );
    await expectRefused('{ actors @tag(name: "\\u0000") }', undefined, `Argument "name" of "@tag" ${NUL}`);
  });

  it('refuses before anything runs: a mutation with a NUL byte writes nothing', async () => {
    const mutation = 'mutation($t: String!) { setNote(text: $t) }';
    await expectRefused(mutation, { t: 'note\u0000' }, `Argument "text" of "setNote" ${NUL}`);
    expect(writes).toEqual([]);
    expect((await run('mutation { setNote(text: "a note") }')).data).toEqual({ setNote: 'a note' });
    expect(writes).toEqual(['a note']);
  });

  it('lets ordinary text, surrogate pairs and other operations’ fragments through', async () => {
    const result = await run('query($s: String, $f: Filter) { actors(search: $s, filter: $f, first: 3) }', {
      s: 'Гладков 😀',
      f: { names: ['Gladkov', null], nested: { name: 'Hladkov' } },
    });
    expect({ status: result.status, errors: result.errors, data: result.data }).toEqual({
      status: 200,
      errors: undefined,
      data: { actors: ['Gladkov'] },
    });
    // Only the operation that runs is checked; B and its fragment never run.
    const named = await server.executeOperation({
      query: 'query A { actors } query B { ...F } fragment F on Query { actors(search: "\\u0000") }',
      operationName: 'A',
    });
    expect(named.body.kind === 'single' && named.body.singleResult.errors).toBeUndefined();
  });

  it('leaves variables of the wrong type to GraphQL’s own error', async () => {
    const result = await run('query($s: String) { actors(search: $s) }', { s: 5 });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/^Variable "\$s" got invalid value 5/);
  });
});
