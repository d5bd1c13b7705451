import { parse, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changeNoticesIn, noticeChange, type ChangeNotice } from './change-notices';
import { listen, type RunningServer } from './http';
import { createLogger } from './logger';
import { createPeerClient } from './peers';
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

describe('change notices in the answer to a mutation', () => {
  // A write in `statements` that another service follows up on `actors`' behalf, as a merge's
  // references do: the gateway asked `actors` only, and must hear of both services' changes.
  const moved: ChangeNotice = { entityType: 'Statement', entityId: 's1', operation: 'UPDATE', fields: ['speakerId'] };
  const merged: ChangeNotice = {
    entityType: 'Actor',
    entityId: 'a1',
    operation: 'MERGE',
    fields: [],
    survivorId: 'a2',
  };
  const writer: ForwardedPrincipal = { kind: 'key', keyId: 'key_admin', scopes: ['READ', 'WRITE', 'ADMIN'] };
  const servers: SubgraphServer[] = [];
  const listening: RunningServer[] = [];
  const urls: Record<string, string> = {};
  const start = async (name: 'actors' | 'statements', typeDefs: string, resolvers: object) => {
    const subgraph = await createSubgraphServer<RequestIdentity>({
      typeDefs: parse(typeDefs),
      resolvers: resolvers as never,
      logger: createLogger('test', 'silent'),
      context: (identity) => identity,
      readiness: async () => {},
      signingSecret: secret,
      name,
    });
    servers.push(subgraph);
    const at = await listen(subgraph.app, 0, '127.0.0.1');
    listening.push(at);
    urls[name] = `${at.url}/graphql`;
    return at.url;
  };
  let actorsUrl: string;

  beforeAll(async () => {
    await start('statements', `type Query { count: Int } type Mutation { moveSpeakers: Int }`, {
      Query: { count: () => 1 },
      Mutation: { moveSpeakers: () => (noticeChange(moved), 1) },
    });
    const peers = createPeerClient({
      urls: urls as never,
      signingSecret: secret,
      logger: createLogger('test', 'silent'),
    });
    actorsUrl = await start('actors', `type Query { count: Int } type Mutation { mergeActors: Int }`, {
      Query: { count: () => 1 },
      Mutation: {
        mergeActors: async (_parent: unknown, _args: unknown, identity: RequestIdentity) => {
          noticeChange(merged);
          await peers.query('statements', 'mutation { moveSpeakers }', {}, identity.principal, { asWriter: true });
          return 1;
        },
      },
    });
  });
  afterAll(async () => {
    for (const at of listening) await at.close();
    for (const subgraph of servers) await subgraph.stop();
  });

  const ask = async (query: string) => {
    const body = JSON.stringify({ query });
    const response = await fetch(`${actorsUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(secret, 'actors', writer, body) },
      body,
    });
    return (await response.json()) as { data?: unknown; extensions?: Record<string, unknown> };
  };

  it("list this service's changes and those of the services it wrote in on the request's behalf", async () => {
    const answer = await ask('mutation { mergeActors }');
    expect(answer.data).toEqual({ mergeActors: 1 });
    expect(changeNoticesIn(answer.extensions)).toEqual([merged, moved]);
  });

  it('are not in the answer to a query', async () => {
    expect(changeNoticesIn((await ask('{ count }')).extensions)).toBeUndefined();
  });
});
