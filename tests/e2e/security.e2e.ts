/**
 * The attacks a public GraphQL endpoint meets, sent through the real gateway to the real
 * subgraphs, with quotas counted in Redis. Each asserts the exact status and error code, and
 * that legitimate queries still work around them.
 */
import { FACT_SUBGRAPHS } from '@newsfacts/platform/service-config';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signature } from '@newsfacts/platform/signing';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { freePort, postGraphQL, startFederation, type Federation, type GraphQLResponse } from '../helpers/federation';
import { RAID_QUERY } from '../../gateway/web/src/examples/raid-query';
import { createKey, runKeysCli } from '../helpers/keys-cli';
import { eventually, sleep } from '../helpers/eventually';
import { sumOf } from '../../scripts/lib/prometheus';
import { repoRoot } from '@newsfacts/platform/config';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// This run's own counters in the shared Redis, removed afterwards.
const REDIS_KEY_PREFIX = `newsfacts-test-${process.pid}-${Date.now()}`;
const WINDOW_SECONDS = 6;
const RAID = '{ event(slug: "belgorod-incursion-2023") { title } }';
// A valid write that would change nothing (no actor has this id), for the checks that must stop it first.
const WRITE = 'mutation { deleteActor(input: { id: "00000000-0000-4000-8000-000000000000" }) { deletedId } }';

let federation: Federation;
let gateway: string;
let readKey: string;
let writeKey: string;
let exploreKey: string;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const send = (query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) =>
  postGraphQL(`${gateway}/graphql`, query, variables, headers);

function expectRefusal(response: Pick<GraphQLResponse, 'status' | 'body'>, status: number, code: string) {
  expect({ status: response.status, code: response.body.errors?.[0]?.extensions?.code }).toEqual({ status, code });
  expect(response.body.data ?? null).toBeNull();
  expect(JSON.stringify(response.body)).not.toMatch(/stacktrace|at \w+ \(|127\.0\.0\.1:\d+/);
}

beforeAll(async () => {
  federation = await startFederation({
    env: {
      REDIS_URL,
      REDIS_KEY_PREFIX,
      ANONYMOUS_ACCESS: 'off',
      QUOTA_WINDOW_SECONDS: String(WINDOW_SECONDS),
      AUTH_FAILURES_PER_MINUTE: '12',
      API_KEY_CACHE_TTL_MS: '300',
    },
  });
  gateway = federation.gatewayUrl;
  const [read, write, explore] = await Promise.all([
    createKey(federation.env, 'Read-only newsroom', 'read'),
    createKey(federation.env, 'Writing newsroom', 'read,write'),
    createKey(federation.env, 'Exploring newsroom', 'read,explore'),
  ]);
  [readKey, writeKey, exploreKey] = [read.key, write.key, explore.key];
}, 180_000);

afterAll(async () => {
  await federation?.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${REDIS_KEY_PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('API keys', () => {
  it('a read key reads, and gets its quota in RateLimit headers', async () => {
    const response = await send(RAID, bearer(readKey));
    expect(response.status).toBe(200);
    expect(response.body.data!.event.title).toMatch(/Belgorod/);
    expect(response.headers.get('ratelimit-policy')).toBe(
      `"operations";q=600;w=${WINDOW_SECONDS}, "cost";q=2000000;w=${WINDOW_SECONDS}`,
    );
    expect(response.headers.get('ratelimit')).toMatch(/^"operations";r=\d+;t=\d+, "cost";r=\d+;t=\d+$/);
  });

  it('the key also works as X-Api-Key', async () => {
    expect((await send(RAID, { 'x-api-key': readKey })).status).toBe(200);
  });

  it('no key, with anonymous access off: 401', async () => {
    const response = await send(RAID);
    expectRefusal(response, 401, 'UNAUTHENTICATED');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('a random string: 401, refused by its shape', async () => {
    expectRefusal(await send(RAID, bearer('hunter2')), 401, 'UNAUTHENTICATED');
  });

  it('a well-shaped key with a bad checksum: 401, without a database lookup', async () => {
    const tampered = `${readKey.slice(0, 10)}${readKey[10] === 'a' ? 'b' : 'a'}${readKey.slice(11)}`;
    const response = await send(RAID, bearer(tampered));
    expectRefusal(response, 401, 'UNAUTHENTICATED');
    expect(response.body.errors![0]!.message).toMatch(/checksum/);
  });

  it('a revoked key: 401 (once the short key cache has expired)', async () => {
    const { key, keyId } = await createKey(federation.env, 'Soon revoked', 'read');
    expect((await send(RAID, bearer(key))).status).toBe(200);
    expect((await runKeysCli(federation.env, 'revoke', keyId)).code).toBe(0);
    await eventually(async () => {
      const response = await send(RAID, bearer(key));
      expectRefusal(response, 401, 'UNAUTHENTICATED');
      expect(response.body.errors![0]!.message).toMatch(/revoked/);
    });
  });

  it('a rotated key works during its grace period and not after; its successor works', async () => {
    const { key: oldKey, keyId } = await createKey(federation.env, 'Rotating newsroom', 'read');
    const rotation = await runKeysCli(federation.env, 'rotate', keyId, '--grace', '8s');
    expect(rotation.code).toBe(0);
    const newKey = rotation.lines.at(-1)!;
    expect(newKey).not.toBe(oldKey);
    expect((await send(RAID, bearer(oldKey))).status).toBe(200);
    expect((await send(RAID, bearer(newKey))).status).toBe(200);
    await eventually(async () => {
      const late = await send(RAID, bearer(oldKey));
      expectRefusal(late, 401, 'UNAUTHENTICATED');
      expect(late.body.errors![0]!.message).toMatch(/grace period has ended/);
    }, 15_000);
    expect((await send(RAID, bearer(newKey))).status).toBe(200);
  });

  it('lists keys without their secrets', async () => {
    const { code, lines } = await runKeysCli(federation.env, 'list');
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/key_[0-9a-f]{12} {2}"Read-only newsroom" {2}read {2}active/);
    expect(lines.join('\n')).not.toContain(readKey);
  });
});

describe('scopes', () => {
  it('a read key running a mutation: 403', async () => {
    expectRefusal(await send(WRITE, bearer(readKey)), 403, 'FORBIDDEN');
  });

  it('a write key passes the scope check; the mutation then meets the schema', async () => {
    // With the scope granted, GraphQL itself answers a mutation the schema lacks.
    expectRefusal(
      await send('mutation { addClaim(text: "x") { id } }', bearer(writeKey)),
      400,
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('introspection without explore: 403; with explore: the schema', async () => {
    const query = '{ __schema { queryType { name } } }';
    expectRefusal(await send(query, bearer(readKey)), 403, 'FORBIDDEN');
    const allowed = await send(query, bearer(exploreKey));
    expect(allowed.status).toBe(200);
    expect(allowed.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('a misspelt field: a validation error that suggests nothing', async () => {
    const response = await send('{ event(slug: "belgorod-incursion-2023") { titel } }', bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).not.toMatch(/Did you mean|title/);
  });
});

describe('operation limits, before any subgraph is called', () => {
  /** actor → statements → claim → statements → … : `depth` levels below the actor. */
  const nested = (depth: number) => {
    const levels = Array.from({ length: depth }, (_, level) => (level % 2 ? 'claim' : 'statements'));
    let selection = levels.at(-1) === 'claim' ? 'text' : 'quote';
    for (const field of levels.reverse()) selection = `${field} { ${selection} }`;
    return `{ actor(slug: "vyacheslav-gladkov") { ${selection} } }`;
  };

  it('a query past the depth limit: 400', async () => {
    const response = await send(nested(12), bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/depth limit of 10/);
    expect((await send(nested(3), bearer(readKey))).status).toBe(200);
  });

  it('100 aliases of a real field: 400', async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: event(slug: "belgorod-incursion-2023") { title }`).join(' ')} }`;
    const response = await send(query, bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/Aliases limit of 15/);
  });

  it('100 aliases of __typename: 400', async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expectRefusal(await send(query, bearer(readKey)), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('a JSON array batch: 400', async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(readKey) },
      body: JSON.stringify([{ query: RAID }, { query: RAID }]),
    });
    expectRefusal({ status: response.status, body: await response.json() }, 400, 'BATCHING_NOT_SUPPORTED');
  });

  it('a directive flood: 400', async () => {
    const query = `{ event(slug: "belgorod-incursion-2023") { title ${'@include(if: true) '.repeat(50)} } }`;
    const response = await send(query, bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/Directives limit of 20/);
  });

  it('a document of too many tokens: 400', async () => {
    const response = await send(`{ ${'__typename '.repeat(3_000)} }`, bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_PARSE_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/Document contains more th\w+ 2000 tokens/);
  });

  it('a 100 KB document: 413', async () => {
    const response = await send(`{ __typename } # ${'x'.repeat(100 * 1024)}`, bearer(readKey));
    expectRefusal(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('circular fragments: 400', async () => {
    const query = 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }';
    const response = await send(query, bearer(readKey));
    expectRefusal(response, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('a cost bomb (first: 1000000, nested three deep): 400 before any subgraph is called', async () => {
    const query = '{ events(first: 1000000) { nodes { participants { actor { statements { claim { text } } } } } } }';
    const response = await send(query, bearer(readKey));
    expectRefusal(response, 400, 'QUERY_TOO_COSTLY');
    expect(response.body.errors![0]!.message).toMatch(/over the limit of 50000/);
  });

  it('a cost bomb through variables is counted the same', async () => {
    const query =
      'query($n: Int) { events(first: $n) { nodes { participants { actor { statements { text: quote } } } } } }';
    expectRefusal(await send(query, bearer(readKey), { n: 100_000 }), 400, 'QUERY_TOO_COSTLY');
  });

  it('a mutation over GET: 405', async () => {
    const response = await fetch(`${gateway}/graphql?query=${encodeURIComponent(WRITE)}`, {
      headers: { ...bearer(writeKey), 'apollo-require-preflight': 'true' },
    });
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expectRefusal({ status: response.status, body }, 405, 'BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/GET requests only support query operations/);
  });

  it('a form-encoded POST (a CSRF attempt): 400', async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(readKey) },
      body: `query=${encodeURIComponent(RAID)}`,
    });
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expectRefusal({ status: response.status, body }, 400, 'BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('the raid query itself is within every limit', async () => {
    const response = await send(RAID_QUERY, bearer(readKey), { slug: 'belgorod-incursion-2023' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });
});

describe('attempts to show the checks one operation and run another', () => {
  it('a GET whose query hides behind 1,000 other parameters: still checked (403 for introspection)', async () => {
    const padding = Array.from({ length: 1_000 }, (_, i) => `p${i}=`).join('&');
    const response = await fetch(
      `${gateway}/graphql?${padding}&query=${encodeURIComponent('{ __type(name: "Query") { fields { name } } }')}`,
      { headers: { ...bearer(readKey), 'apollo-require-preflight': 'true' } },
    );
    expectRefusal({ status: response.status, body: await response.json() }, 403, 'FORBIDDEN');
  });

  it('a persisted-query hash no manifest lists: 400 TRUSTED_DOCUMENT_NOT_FOUND', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } };
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(readKey) },
      body: JSON.stringify({ extensions }),
    });
    expectRefusal({ status: response.status, body: await response.json() }, 400, 'TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it("a query sent with its hash (Apollo's automatic registration): 400, nobody registers by sending", async () => {
    const sha256Hash = createHash('sha256').update(RAID).digest('hex');
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(readKey) },
      body: JSON.stringify({ query: RAID, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
    });
    expectRefusal({ status: response.status, body: await response.json() }, 400, 'BAD_REQUEST');
    const again = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(readKey) },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash } } }),
    });
    expectRefusal({ status: again.status, body: await again.json() }, 400, 'TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('an empty operationName: 400, nothing runs', async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(readKey) },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }', operationName: '' }),
    });
    const body = await response.json();
    expect(response.status).toBe(400);
    expect(body.data ?? null).toBeNull();
  });

  it('a cost bomb whose size hides in a variable default: 400 QUERY_TOO_COSTLY', async () => {
    const query =
      'query($n: Int = 100) { events(first: $n) { nodes { participants { actor { statements { claim { statements { speaker { name } } } } } } } } }';
    expectRefusal(await send(query, bearer(readKey)), 400, 'QUERY_TOO_COSTLY');
  });

  it('asset paths that do not exist or do not decode: a plain 404, no stack, no path', async () => {
    for (const url of ['/assets/nope.js', '/assets/%E0%A4%A']) {
      const response = await fetch(`${gateway}${url}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toMatch(/at \w|\/work|node_modules|dist/);
    }
  });
});

describe('strings no text column can hold', () => {
  // The plugin answers 400, as for any other request refused before it runs.
  const NUL = 'contains a NUL byte (\\u0000), which text cannot hold.';
  const ACTORS = 'query($s: String) { actors(search: $s) { nodes { name } } }';

  /**
   * Subgraph fetches the gateway made and SQL statements the subgraphs sent while `run` ran (not
   * the gateway's own statements: it looks API keys up).
   */
  async function work(run: () => Promise<void>): Promise<{ fetches: number; statements: number }> {
    const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const count = async () => ({
      fetches: sumOf(await metrics(gateway), 'newsfacts_subgraph_fetch_duration_seconds_count'),
      // The fact subgraphs: the imports service's workers poll their own queues in the background.
      statements: (await Promise.all(FACT_SUBGRAPHS.map((name) => metrics(federation.subgraphUrls[name]))))
        .map((text) => sumOf(text, 'newsfacts_sql_statements_total'))
        .reduce((a, b) => a + b, 0),
    });
    const before = await count();
    await run();
    const after = await count();
    return { fetches: after.fetches - before.fetches, statements: after.statements - before.statements };
  }

  async function expectRefused(query: string, variables: Record<string, unknown> | undefined, message: string) {
    const response = await send(query, bearer(readKey), variables);
    expectRefusal(response, 400, 'BAD_USER_INPUT');
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.message).toBe(message);
  }

  it('a NUL byte in an argument, inline or through a variable: 400 BAD_USER_INPUT naming it, nothing run', async () => {
    const done = await work(async () => {
      // The escape is in the GraphQL document's own text, not in the JSON around it.
      const inline = '{ actors(search: "Glad\\u0000kov") { nodes { name } } }';
      await expectRefused(inline, undefined, `Argument "search" of "actors" ${NUL}`);
      await expectRefused(ACTORS, { s: 'Glad\u0000kov' }, `Argument "search" of "actors" ${NUL}`);
      // Inside an input object, too.
      await expectRefused(
        'query($f: EventFilter) { events(filter: $f) { nodes { title } } }',
        { f: { search: 'raid\u0000' } },
        `Argument "filter" of "events" at filter.search ${NUL}`,
      );
    });
    // Refused at the gateway: no subgraph was asked, no SQL statement sent, nothing written.
    expect(done).toEqual({ fetches: 0, statements: 0 });
  });

  it('a lone surrogate through a variable: 400 BAD_USER_INPUT naming it, nothing run', async () => {
    // JSON's "\ud800" is a lone surrogate, which UTF-8 (and so PostgreSQL) cannot encode.
    const body = `{"query": ${JSON.stringify(ACTORS)}, "variables": {"s": "Glad\\ud800kov"}}`;
    const done = await work(async () => {
      const response = await fetch(`${gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(readKey) },
        body,
      });
      const result = {
        status: response.status,
        body: (await response.json()) as { errors?: Array<{ message: string }> },
      };
      expectRefusal(result, 400, 'BAD_USER_INPUT');
      expect(result.body.errors![0]!.message).toBe(
        'Argument "search" of "actors" contains a lone UTF-16 surrogate (\\ud800), which is not valid Unicode text.',
      );
    });
    expect(done).toEqual({ fetches: 0, statements: 0 });
  });

  it('the same search without the bad character still answers', async () => {
    const response = await send(ACTORS, bearer(readKey), { s: 'Gladkov' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.actors.nodes).toContainEqual({ name: expect.stringMatching(/Gladkov/) });
  });
});

describe('quotas', () => {
  it('a flood past the quota gets 429 with Retry-After and RateLimit headers, then recovers', async () => {
    const { key } = await createKey(federation.env, 'Flooding newsroom', 'read', '--ops-per-minute', '5');
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof send>> | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await send(RAID, bearer(key));
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expectRefusal(refused!, 429, 'RATE_LIMITED');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused!.headers.get('ratelimit')).toMatch(/^"operations";r=0;t=\d+$/);
    expect(refused!.headers.get('ratelimit-policy')).toBe(`"operations";q=5;w=${WINDOW_SECONDS}`);
    // Other keys are not affected.
    expect((await send(RAID, bearer(readKey))).status).toBe(200);
    await sleep(Number(refused!.headers.get('retry-after')) * 1000 + 200);
    expect((await send(RAID, bearer(key))).status).toBe(200);
  });

  it('aliases count in the cost quota: one aliased query cannot do the work of many', async () => {
    const { key } = await createKey(federation.env, 'Aliasing newsroom', 'read', '--cost-per-minute', '40');
    const tenEvents = `{ ${Array.from({ length: 10 }, (_, i) => `e${i}: events(first: 3) { nodes { title } }`).join(' ')} }`;
    // Each alias costs 4: one connection and its 3 nodes. Ten of them use the whole quota of 40.
    const first = await send(tenEvents, bearer(key));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toMatch(/"cost";r=0;t=\d+$/);
    expectRefusal(await send(tenEvents, bearer(key)), 429, 'RATE_LIMITED');
    // A single cheap query of another key still runs: the cost is counted per key.
    expect((await send('{ events(first: 1) { nodes { title } } }', bearer(readKey))).status).toBe(200);
  });

  it('shares its counters in Redis: a second gateway replica sees the quota the first used up', async () => {
    const { key } = await createKey(federation.env, 'Two-replica newsroom', 'read', '--ops-per-minute', '3');
    const port = await freePort();
    const replica = startService(
      'gateway-replica',
      'gateway/src/index.ts',
      { ...federation.env, GATEWAY_PORT: String(port) },
      (name, line) => federation.output.push(`[${name}] ${line}`),
    );
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/readyz`, replica);
      for (let attempt = 0; attempt < 3; attempt++) expect((await send(RAID, bearer(key))).status).toBe(200);
      expectRefusal(
        await postGraphQL(`http://127.0.0.1:${port}/graphql`, RAID, undefined, bearer(key)),
        429,
        'RATE_LIMITED',
      );
      const redis = new Redis(REDIS_URL);
      try {
        expect(await redis.keys(`${REDIS_KEY_PREFIX}:operations:*`)).not.toEqual([]);
      } finally {
        redis.disconnect();
      }
    } finally {
      await stopAll([replica]);
    }
  });

  it('repeated failed authentications from one address: 12 answered 401, then 429', async () => {
    await sleep(WINDOW_SECONDS * 1000); // a fresh window: earlier tests also failed to authenticate
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 15; attempt++)
      statuses.push((await send(RAID, bearer(`nfk_${'x'.repeat(32)}_abcdef`))).status);
    expect(statuses).toEqual([...Array(12).fill(401), 429, 429, 429]);
    // Only failures are limited: a valid key from the same address still gets in.
    expect((await send(RAID, bearer(readKey))).status).toBe(200);
    await sleep(WINDOW_SECONDS * 1000 + 200);
  });
});

describe('subgraphs trust only the gateway', () => {
  const direct = (name: 'events' | 'actors' | 'statements', body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${federation.subgraphUrls[name]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it.each([
    ['a query', 'events', { query: RAID }],
    ['_service', 'actors', { query: '{ _service { sdl } }' }],
    [
      '_entities',
      'statements',
      { query: '{ _entities(representations: [{ __typename: "Event", id: "x" }]) { __typename } }' },
    ],
  ] as const)('%s sent straight to a subgraph without a signature: 401', async (_what, name, body) => {
    const response = await direct(name, body);
    expectRefusal({ status: response.status, body: await response.json() }, 401, 'UNAUTHENTICATED');
  });

  it('a forged principal, a wrong secret or an old signature: 401', async () => {
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const principal = encodePrincipal({ kind: 'key', keyId: 'key_forged', scopes: ['READ', 'WRITE', 'ADMIN'] });
    const secret = federation.env.SUBGRAPH_SIGNING_SECRET!;
    const attempts = [
      {
        [PRINCIPAL_HEADER]: principal,
        [SIGNATURE_HEADER]: signature('not-the-secret-but-long-enough-0123456789', 'actors', principal, body),
      },
      {
        [PRINCIPAL_HEADER]: principal,
        [SIGNATURE_HEADER]: signature(secret, 'actors', principal, body, Date.now() - 10 * 60_000),
      },
      {
        [PRINCIPAL_HEADER]: principal,
        [SIGNATURE_HEADER]: signature(secret, 'actors', encodePrincipal({ kind: 'anonymous', scopes: [] }), body),
      },
      // Signed properly, but for another subgraph.
      { [PRINCIPAL_HEADER]: principal, [SIGNATURE_HEADER]: signature(secret, 'events', principal, body) },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${federation.subgraphUrls.actors}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(response.status).toBe(401);
    }
    // The same request signed properly is answered: the check refuses forgeries, not everything.
    const signed = await fetch(`${federation.subgraphUrls.actors}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: principal,
        [SIGNATURE_HEADER]: signature(secret, 'actors', principal, body),
      },
      body,
    });
    expect(signed.status).toBe(200);
  });

  it('a GET straight to a subgraph: 401', async () => {
    const response = await fetch(
      `${federation.subgraphUrls.events}/graphql?query=${encodeURIComponent('{ __typename }')}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect(response.status).toBe(401);
  });
});

describe('errors leave nothing internal behind', () => {
  it('a subgraph that fails inside: masked, with a request id the logs also carry', async () => {
    const events = new pg.Client({ connectionString: federation.env.EVENTS_DATABASE_URL });
    await events.connect();
    await events.query('ALTER TABLE "Figure" RENAME COLUMN "description" TO "descriptionMoved"');
    try {
      const response = await send(
        '{ event(slug: "belgorod-incursion-2023") { title figures { description } } }',
        bearer(readKey),
      );
      expect(response.status).toBe(200);
      const [error] = response.body.errors!;
      expect(error!.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: response.headers.get('x-request-id'),
      });
      expect(JSON.stringify(response.body)).not.toMatch(
        /descriptionMoved|does not exist|"Figure"|prisma|stacktrace|SELECT/i,
      );
      await eventually(async () => {
        expect(federation.output.some((line) => line.includes(response.headers.get('x-request-id')!))).toBe(true);
      }, 5_000);
    } finally {
      await events.query('ALTER TABLE "Figure" RENAME COLUMN "descriptionMoved" TO "description"');
      await events.end();
    }
    expect(
      (await send('{ event(slug: "belgorod-incursion-2023") { figures { description } } }', bearer(readKey))).body
        .errors,
    ).toBeUndefined();
  });
});

describe('frontend apps: CORS, browser keys and trusted documents required', () => {
  const DESK = 'https://desk.example-news.org';
  const LIVE = 'https://live.example-news.org'; // allowed by the wildcard, not on the browser key's list
  const ELSEWHERE = 'https://elsewhere.example';
  // The explorer's manifest as codegen wrote it; ids are checked against an independent SHA-256.
  const explorerManifest = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'gateway/web/src/gql/persisted-documents.json'), 'utf8'),
  ) as Record<string, string>;
  const explorerId = (operation: string) => {
    const [id, body] = Object.entries(explorerManifest).find(([, text]) => text.startsWith(`query ${operation}(`))!;
    expect(id).toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
    return id;
  };
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  let frontend: ServiceProcess;
  let url: string;
  let adminKey: string;
  let deskKey: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    frontend = startService(
      'gateway-frontend',
      'gateway/src/index.ts',
      {
        ...federation.env,
        GATEWAY_PORT: String(port),
        ANONYMOUS_ACCESS: 'read',
        REQUIRE_TRUSTED_DOCUMENTS: 'true',
        CORS_ORIGINS: `${DESK}, https://*.example-news.org`,
        CORS_MAX_AGE_SECONDS: '900',
        MAX_MANIFEST_BYTES: '8192',
      },
      (name, line) => federation.output.push(`[${name}] ${line}`),
    );
    const [admin, desk] = await Promise.all([
      createKey(federation.env, 'Manifest admin', 'read,admin'),
      createKey(federation.env, 'Desk live blog', 'read', '--origins', DESK),
    ]);
    [adminKey, deskKey] = [admin.key, desk.key];
    await waitUntilReady(`${url}/readyz`, frontend);
  }, 60_000);
  afterAll(() => stopAll([frontend]));

  /** A POST to the frontend gateway with any body, as a page or a server would send it. */
  async function post(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as GraphQLResponse['body'],
    };
  }
  async function get(search: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${url}/graphql?${search}`, {
      headers: { 'apollo-require-preflight': '1', ...headers },
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse['body'] };
  }
  const search = { documentId: '', variables: JSON.stringify({ text: 'Belgorod' }) };
  const corsHeaderNames = (headers: Headers) =>
    [...headers.keys()].filter((name) => name.startsWith('access-control-'));

  describe('CORS', () => {
    it('a preflight from an allowed origin: methods, headers, caching and Vary', async () => {
      const response = await fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: LIVE,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(LIVE);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
      expect(response.headers.get('access-control-allow-headers')!.split(',')).toEqual([
        'authorization',
        'content-type',
        'x-api-key',
        'idempotency-key',
        'apollo-require-preflight',
      ]);
      expect(response.headers.get('access-control-max-age')).toBe('900');
      expect(response.headers.get('vary')).toMatch(/\bOrigin\b/);
    });

    it('an allowed origin can read the answer, its request id, and a 413 from the body parser', async () => {
      const answer = await post(
        { documentId: explorerId('Search'), variables: { text: 'Belgorod' } },
        { origin: DESK },
      );
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(DESK);
      expect(answer.headers.get('access-control-expose-headers')).toContain('x-request-id');
      const tooLarge = await post(
        { documentId: explorerId('Search'), padding: 'x'.repeat(100 * 1024) },
        { origin: DESK },
      );
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('access-control-allow-origin')).toBe(DESK);
    });

    it('a disallowed origin gets no CORS headers, and its preflight 403', async () => {
      const preflight = await fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: ELSEWHERE, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(corsHeaderNames(preflight.headers)).toEqual([]);
      const answer = await post({ documentId: explorerId('Search'), variables: { text: 'x' } }, { origin: ELSEWHERE });
      expect(corsHeaderNames(answer.headers)).toEqual([]);
      expect(answer.headers.get('vary')).toMatch(/\bOrigin\b/);
    });

    it('CSRF protection still holds for an allowed origin: no simple request runs', async () => {
      const form = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { origin: DESK, 'content-type': 'application/x-www-form-urlencoded', ...bearer(readKey) },
        body: `query=${encodeURIComponent(RAID)}`,
      });
      const formBody = (await form.json()) as GraphQLResponse['body'];
      expectRefusal({ status: form.status, body: formBody }, 400, 'BAD_REQUEST');
      expect(formBody.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
      // A GET by id without a header that forces a preflight: refused the same way.
      const bare = await fetch(
        `${url}/graphql?documentId=${encodeURIComponent(explorerId('Search'))}&variables=${encodeURIComponent(search.variables)}`,
        { headers: { origin: DESK } },
      );
      const bareBody = (await bare.json()) as GraphQLResponse['body'];
      expectRefusal({ status: bare.status, body: bareBody }, 400, 'BAD_REQUEST');
      expect(bareBody.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
    });
  });

  describe('browser keys', () => {
    const byId = () => ({ documentId: explorerId('Search'), variables: { text: 'Gladkov' } });

    it('reads from its own origin', async () => {
      const response = await post(byId(), { origin: DESK, ...bearer(deskKey) });
      expect(response.status).toBe(200);
      expect(response.body.data!.actors.nodes).toContainEqual(expect.objectContaining({ name: 'Vyacheslav Gladkov' }));
    });

    it('from another origin, even one CORS allows: 403 ORIGIN_NOT_ALLOWED naming both', async () => {
      const response = await post(byId(), { origin: LIVE, ...bearer(deskKey) });
      expectRefusal(response, 403, 'ORIGIN_NOT_ALLOWED');
      expect(response.body.errors![0]!.message).toBe(
        `This browser key works only from ${DESK}; this request came from ${LIVE}.`,
      );
    });

    it('with no Origin (a server, curl): 403 ORIGIN_NOT_ALLOWED saying to use a partner key', async () => {
      const response = await post(byId(), { 'x-api-key': deskKey });
      expectRefusal(response, 403, 'ORIGIN_NOT_ALLOWED');
      expect(response.body.errors![0]!.message).toMatch(/no Origin header.*partner key/);
    });

    it('held to trusted documents like anonymous callers, while a partner key sends its own', async () => {
      expectRefusal(
        await post({ query: RAID }, { origin: DESK, ...bearer(deskKey) }),
        403,
        'TRUSTED_DOCUMENT_REQUIRED',
      );
      const partner = await post({ query: RAID }, bearer(readKey));
      expect(partner.status).toBe(200);
      expect(partner.body.data!.event.title).toMatch(/Belgorod/);
    });

    it('given more than read by hand in the database, it still only reads', async () => {
      const { key, keyId } = await createKey(federation.env, 'Widened by hand', 'read', '--origins', DESK);
      const keys = new pg.Client({ connectionString: federation.env.GATEWAY_DATABASE_URL });
      await keys.connect();
      try {
        await keys.query(`UPDATE "ApiKey" SET scopes = '{READ,WRITE,EXPLORE,ADMIN}' WHERE "keyId" = $1`, [keyId]);
      } finally {
        await keys.end();
      }
      const headers = { origin: DESK, ...bearer(key) };
      expect((await send(RAID, headers)).status).toBe(200);
      expectRefusal(await send(WRITE, headers), 403, 'FORBIDDEN');
      expectRefusal(await send('{ __schema { queryType { name } } }', headers), 403, 'FORBIDDEN');
    });

    it('its quota applies as usual', async () => {
      const { key } = await createKey(federation.env, 'Busy page', 'read', '--origins', DESK, '--ops-per-minute', '2');
      const statuses = [];
      for (let attempt = 0; attempt < 3; attempt++)
        statuses.push((await post(byId(), { origin: DESK, ...bearer(key) })).status);
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('the CLI lists its origins, and refuses a malformed origin or more than read, creating nothing', async () => {
      const listed = (await runKeysCli(federation.env, 'list')).lines.join('\n');
      expect(listed).toMatch(new RegExp(`"Desk live blog" {2}read {2}active .* {2}browser key for ${DESK}`));
      const widened = await runKeysCli(
        federation.env,
        'create',
        '--name',
        'Bad page',
        '--scopes',
        'read,write',
        '--origins',
        DESK,
      );
      expect(widened.code).toBe(2);
      expect(widened.lines.join('\n')).toContain('a browser key (--origins) can only read: use --scopes read');
      const malformed = await runKeysCli(
        federation.env,
        'create',
        '--name',
        'Bad page',
        '--scopes',
        'read',
        '--origins',
        `${DESK}/live`,
      );
      expect(malformed.code).toBe(2);
      expect(malformed.lines.join('\n')).toContain(`--origins: ${DESK}/live: an origin is scheme://host[:port] only`);
      const wildcard = await runKeysCli(
        federation.env,
        'create',
        '--name',
        'Bad page',
        '--scopes',
        'read',
        '--origins',
        'https://*.co.uk',
      );
      expect(wildcard.code).toBe(2);
      expect((await runKeysCli(federation.env, 'list')).lines.join('\n')).not.toContain('Bad page');
    });
  });

  describe('trusted documents, with the bypass cases of the checks above', () => {
    it("anonymous: the explorer's documents run by id; a document of its own is refused", async () => {
      const byId = await post({ documentId: explorerId('Raid'), variables: { slug: 'belgorod-incursion-2023' } });
      expect(byId.status).toBe(200);
      expect(byId.body.data!.event.title).toMatch(/Belgorod/);
      const refused = await post({ query: RAID });
      expectRefusal(refused, 403, 'TRUSTED_DOCUMENT_REQUIRED');
      expect(refused.body.errors![0]!.message).toMatch(/send the document's id as documentId/);
    });

    it('an id no manifest lists: 400 TRUSTED_DOCUMENT_NOT_FOUND naming it', async () => {
      const id = `sha256:${sha256('{ __typename }')}`;
      const response = await post({ documentId: id });
      expectRefusal(response, 400, 'TRUSTED_DOCUMENT_NOT_FOUND');
      expect(response.body.errors![0]!.message).toContain(id);
    });

    it('GET parameters: an id runs; a query, an id with a query, or an id twice does not', async () => {
      const byId = await get(
        `documentId=${encodeURIComponent(explorerId('Search'))}&variables=${encodeURIComponent(search.variables)}`,
      );
      expect(byId.status).toBe(200);
      expect(byId.body.data!.events.nodes).toContainEqual(
        expect.objectContaining({ title: expect.stringMatching(/Belgorod/) }),
      );
      expectRefusal(await get(`query=${encodeURIComponent(RAID)}`), 403, 'TRUSTED_DOCUMENT_REQUIRED');
      const padding = Array.from({ length: 1_000 }, (_, i) => `p${i}=`).join('&');
      expectRefusal(await get(`${padding}&query=${encodeURIComponent(RAID)}`), 403, 'TRUSTED_DOCUMENT_REQUIRED');
      const both = `documentId=${encodeURIComponent(explorerId('Search'))}&query=${encodeURIComponent('{ __schema { types { name } } }')}`;
      expectRefusal(await get(both), 400, 'BAD_REQUEST');
      const twice = `documentId=${encodeURIComponent(explorerId('Search'))}&documentId=${encodeURIComponent(explorerId('Raid'))}`;
      expectRefusal(await get(twice), 400, 'BAD_REQUEST');
    });

    it('empty operation names: nothing runs, whether the document came by id or in full', async () => {
      const byId = await post({ documentId: explorerId('Search'), variables: { text: 'x' }, operationName: '' });
      expect(byId.status).toBe(400);
      expect(byId.body.data ?? null).toBeNull();
      expectRefusal(await post({ query: RAID, operationName: '' }), 403, 'TRUSTED_DOCUMENT_REQUIRED');
    });

    it("Apollo's persisted-query hash runs the same document; a batch of ids is still refused", async () => {
      const sha256Hash = explorerId('Search').slice('sha256:'.length);
      const response = await post({
        extensions: { persistedQuery: { version: 1, sha256Hash } },
        variables: { text: 'Belgorod' },
      });
      expect(response.status).toBe(200);
      expect(response.body.data!.events.nodes).toContainEqual(
        expect.objectContaining({ title: expect.stringMatching(/Belgorod/) }),
      );
      const batch = await post([{ documentId: explorerId('Search') }, { documentId: explorerId('Raid') }]);
      expectRefusal(batch, 400, 'BATCHING_NOT_SUPPORTED');
    });
  });

  describe('manifests uploaded by an admin key', () => {
    const CHEAP = 'query Headline($slug: String!) { event(slug: $slug) { title } }';
    const COSTLY = '{ events(first: 1000000) { nodes { participants { actor { statements { claim { text } } } } } } }';
    const SCHEMA = '{ __schema { queryType { name } } }';
    const manifest = (...bodies: string[]) =>
      Object.fromEntries(bodies.map((body) => [`sha256:${sha256(body)}`, body]));
    const upload = async (client: string, body: unknown, headers: Record<string, string> = bearer(adminKey)) => {
      const response = await fetch(`${url}/trusted-documents/${client}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown> & GraphQLResponse['body'],
      };
    };

    it('registers a client’s documents, which then run by id with every check still applied', async () => {
      const uploaded = await upload('kyiv-live-blog', manifest(CHEAP, COSTLY, SCHEMA));
      expect(uploaded).toEqual({ status: 200, body: { client: 'kyiv-live-blog', added: 3, alreadyRegistered: 0 } });
      const cheap = await post({
        documentId: `sha256:${sha256(CHEAP)}`,
        variables: { slug: 'belgorod-incursion-2023' },
      });
      expect(cheap.status).toBe(200);
      expect(cheap.body.data!.event.title).toMatch(/Belgorod/);
      // Registered is not exempt: the cost limit and the scopes apply to documents by id too.
      expectRefusal(await post({ documentId: `sha256:${sha256(COSTLY)}` }), 400, 'QUERY_TOO_COSTLY');
      expectRefusal(
        await post({ documentId: `sha256:${sha256(SCHEMA)}` }, { origin: DESK, ...bearer(deskKey) }),
        403,
        'FORBIDDEN',
      );
      // Uploading again adds nothing and keeps what is there.
      expect((await upload('kyiv-live-blog', manifest(CHEAP))).body).toEqual({
        client: 'kyiv-live-blog',
        added: 0,
        alreadyRegistered: 1,
      });
      const listed = await fetch(`${url}/trusted-documents/kyiv-live-blog`, { headers: bearer(adminKey) });
      expect(((await listed.json()) as { documents: Array<{ id: string }> }).documents.map((d) => d.id).sort()).toEqual(
        Object.keys(manifest(CHEAP, COSTLY, SCHEMA)).sort(),
      );
    });

    it('a manifest with one document whose hash is not its id: 400 INVALID_MANIFEST, and nothing stored', async () => {
      const fresh = 'query Fresh { events(first: 1) { nodes { title } } }';
      const tampered = { ...manifest(fresh), [`sha256:${sha256(CHEAP)}`]: CHEAP.replace('title', 'slug') };
      const response = await upload('kyiv-live-blog', tampered);
      expectRefusal(response, 400, 'INVALID_MANIFEST');
      expect(response.body.errors![0]!.extensions!.problems).toEqual([
        `sha256:${sha256(CHEAP)}: the SHA-256 of its document is sha256:${sha256(CHEAP.replace('title', 'slug'))}, not its id`,
      ]);
      expectRefusal(await post({ documentId: `sha256:${sha256(fresh)}` }), 400, 'TRUSTED_DOCUMENT_NOT_FOUND');
    });

    it('refuses an oversized manifest (413), a key without admin (403), no key (401), a first-party client (409)', async () => {
      const big = manifest(
        ...Array.from({ length: 200 }, (_, i) => `query Q${i} { events(first: 1) { nodes { title } } }`),
      );
      expectRefusal(await upload('kyiv-live-blog', big), 413, 'PAYLOAD_TOO_LARGE');
      expectRefusal(await upload('kyiv-live-blog', manifest(CHEAP), bearer(readKey)), 403, 'FORBIDDEN');
      expectRefusal(await upload('kyiv-live-blog', manifest(CHEAP), {}), 401, 'UNAUTHENTICATED');
      expectRefusal(await upload('explorer', manifest(CHEAP)), 409, 'CONFLICT');
      expectRefusal(await upload('Kyiv Live Blog', manifest(CHEAP)), 400, 'BAD_USER_INPUT');
      expectRefusal(await upload('kyiv-live-blog', '{"sha256:'), 400, 'INVALID_MANIFEST');
    });
  });
});

describe('anonymous access in production', () => {
  let production: ServiceProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    production = startService(
      'gateway-production',
      'gateway/src/index.ts',
      {
        ...federation.env,
        NODE_ENV: 'production',
        GATEWAY_PORT: String(port),
        ANONYMOUS_ACCESS: 'read',
        ANONYMOUS_OPERATIONS_PER_MINUTE: '3',
        REDIS_URL: '',
      },
      (name, line) => federation.output.push(`[${name}] ${line}`),
    );
    await waitUntilReady(`${url}/readyz`, production);
  });
  afterAll(() => stopAll([production]));

  it('reads without a key, may not introspect, and is held to the low anonymous rate', async () => {
    expect((await postGraphQL(`${url}/graphql`, RAID)).status).toBe(200);
    expectRefusal(await postGraphQL(`${url}/graphql`, '{ __type(name: "Event") { name } }'), 403, 'FORBIDDEN');
    expectRefusal(await postGraphQL(`${url}/graphql`, WRITE), 403, 'FORBIDDEN');
    expectRefusal(await postGraphQL(`${url}/graphql`, RAID), 429, 'RATE_LIMITED');
  });
});

// Last: it stops a subgraph.
describe('a subgraph that is down', () => {
  it('gives the other subgraphs’ data and a masked SERVICE_UNAVAILABLE, naming no internal address', async () => {
    await stopAll([federation.processes.statements]);
    const claimId = '00000000-0000-4000-8000-000000000000';
    const response = await send(
      `{ event(slug: "belgorod-incursion-2023") { title } claim(id: "${claimId}") { text } }`,
      bearer(readKey),
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ event: { title: expect.stringMatching(/Belgorod/) }, claim: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toEqual({
      message: 'Part of this answer is unavailable right now; try again shortly.',
      extensions: { code: 'SERVICE_UNAVAILABLE', requestId: response.headers.get('x-request-id') },
    });
    expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|statements|:\d{4,5}/);
  });
});
