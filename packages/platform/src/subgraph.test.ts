import { parse, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from './http';
import { createLogger } from './logger';
import { signRequest, type ForwardedPrincipal } from './signing';
import { createSubgraphServer, type RequestIdentity, type SubgraphServer } from './subgraph';

// A subgraph with a mutation, to show that any mutation a subgraph adds needs the write
// scope on the principal the gateway signed, whatever the gateway checked before.
const typeDefs = parse(`
  type Query { note: String }
  type Mutation { setNote(text: String!): String }
`);
const secret = 'the-secret-the-gateway-and-subgraphs-share';
let note: string;
let server: SubgraphServer;
let running: RunningServer;

beforeAll(async () => {
  server = await createSubgraphServer<RequestIdentity>({
    typeDefs,
    resolvers: {
      Query: { note: () => note },
      Mutation: { setNote: (_parent: unknown, { text }: { text: string }) => (note = text) },
    } as never,
    logger: createLogger('test', 'silent'),
    context: (identity) => identity,
    readiness: async () => {},
    signingSecret: secret,
    name: 'notes',
  });
  running = await listen(server.app, 0, '127.0.0.1');
});
afterAll(async () => {
  await running?.close();
  await server?.stop();
});

async function call(query: string, principal: ForwardedPrincipal) {
  const body = JSON.stringify({ query });
  const response = await fetch(`${running.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signRequest(secret, 'notes', principal, body) },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: GraphQLFormattedError[] },
  };
}

describe('mutations in a subgraph', () => {
  beforeEach(() => {
    note = 'first';
  });

  it('are refused for a principal without the write scope, and change nothing', async () => {
    const response = await call('mutation { setNote(text: "forged") }', {
      kind: 'key',
      keyId: 'key_read',
      scopes: ['READ'],
    });
    expect(response.status).toBe(403);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(note).toBe('first');
  });

  it('run for a principal with the write scope', async () => {
    const response = await call('mutation { setNote(text: "second") }', {
      kind: 'key',
      keyId: 'key_write',
      scopes: ['READ', 'WRITE'],
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ setNote: 'second' });
    expect(note).toBe('second');
  });

  it('leave queries to read-only principals', async () => {
    expect((await call('{ note }', { kind: 'anonymous', scopes: ['READ'] })).body.data).toEqual({ note: 'first' });
  });
});
