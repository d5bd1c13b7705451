// Cached answers served ahead of GraphQL (gateway/src/cached-answers.ts), through the real
// gateway and subgraphs: two gateway replicas with the response cache on, sharing Redis. A
// repeated query is answered early, with the bytes and headers the response cache's own hit
// has; a mutation through the other replica ends that at once; scopes, quotas and the coded
// refusals of bad input hold for early answers as for any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll, type ServiceProcess } from '../../scripts/lib/processes';
import { sumOf } from '../../scripts/lib/prometheus';
import { eventually } from '../helpers/eventually';
import { postGraphQL, startFederation, startGatewayProcess, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

const RAID = { slug: 'belgorod-incursion-2023' };
const PLACE = `query Place($slug: String!) { place(slug: $slug) { name region } }`;

let federation: Federation;
const gateways: ServiceProcess[] = [];
let replicaA: string;
let replicaB: string;
let readKey: string;
let writeKey: string;

async function startGateway(name: string, env: NodeJS.ProcessEnv) {
  const { gateway, url } = await startGatewayProcess(federation, name, env);
  gateways.push(gateway);
  return url;
}

const metric = async (url: string, name: string, labels: Record<string, string> = {}) =>
  sumOf(await (await fetch(`${url}/metrics`)).text(), name, labels);
const earlyHits = (gateway: string) => metric(gateway, 'newsfacts_response_cache_early_hits_total');
/** POSTs that reached the events subgraph: what a cached answer must not cause. */
const eventsFetches = () =>
  metric(federation.subgraphUrls.events, 'newsfacts_http_request_duration_seconds_count', {
    route: '/graphql',
    method: 'POST',
  });

const post = (gateway: string, query: string, variables: Record<string, unknown> = {}, key?: string) =>
  postGraphQL(`${gateway}/graphql`, query, variables, key ? { authorization: `Bearer ${key}` } : {});
const get = (
  gateway: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  fetch(`${gateway}/graphql?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`, {
    headers: { 'apollo-require-preflight': 'true', ...headers },
  });

/** Asks until an answer comes early (a write's own change-log entry may move a version once more first). */
const answeredEarly = (gateway: string, ask: () => Promise<unknown>) =>
  eventually(async () => {
    const before = await earlyHits(gateway);
    await ask();
    expect(await earlyHits(gateway)).toBe(before + 1);
  }, 10_000);

beforeAll(async () => {
  federation = await startFederation();
  const cached = {
    RESPONSE_CACHE_TTL_SECONDS: '60',
    RESPONSE_CACHE_POLL_MS: '200',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `nf_test_early_${process.pid}_${Date.now()}`,
    // Every anonymous request here comes from one address.
    ANONYMOUS_OPERATIONS_PER_MINUTE: '100000',
  };
  const [a, b, reader, writer] = await Promise.all([
    startGateway('gateway-a', cached),
    startGateway('gateway-b', cached),
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Writer', 'read,write'),
  ]);
  [replicaA, replicaB, readKey, writeKey] = [a, b, reader.key, writer.key];
}, 180_000);

afterAll(async () => {
  await stopAll(gateways);
  await federation?.stop();
});

describe('a repeated query', () => {
  it('is answered early, with the bytes and headers of the response cache’s own hit, counted, and no subgraph asked', async () => {
    const query = `query Raid($slug: String!) { event(slug: $slug) { title participants { role actor { name } } } }`;
    const made = await post(replicaA, query, RAID);
    expect(made.headers.get('x-cache')).toBe('MISS');

    // The other replica finds it in Redis the usual way first, then early.
    const fetchesBefore = await eventsFetches();
    const [earlyBefore, hitsBefore] = [
      await earlyHits(replicaB),
      await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' }),
    ];
    const usual = await fetch(`${replicaB}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: RAID }),
    });
    const early = await fetch(`${replicaB}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: RAID }),
    });
    expect(await earlyHits(replicaB)).toBe(earlyBefore + 1);
    expect(await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' })).toBe(hitsBefore + 2);
    expect(await eventsFetches()).toBe(fetchesBefore);

    expect(usual.status).toBe(200);
    expect(early.status).toBe(200);
    const usualText = await usual.text();
    expect(await early.text()).toBe(usualText);
    expect(JSON.parse(usualText)).toEqual(made.body);
    for (const header of ['x-cache', 'cache-control', 'content-type', 'content-length', 'vary', 'ratelimit-policy'])
      expect([header, early.headers.get(header)]).toEqual([header, usual.headers.get(header)]);
    expect(early.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    // One operation more counted against the caller's quotas.
    const remaining = (response: Response, quota: string) =>
      Number(new RegExp(`"${quota}";r=(\\d+)`).exec(response.headers.get('ratelimit')!)![1]);
    expect(remaining(early, 'operations')).toBe(remaining(usual, 'operations') - 1);
    expect(remaining(usual, 'cost') - remaining(early, 'cost')).toBeGreaterThan(1);
  });

  it('over GET keeps its HTTP caching: the same ETag, public for anonymous readers, private for a key, 304 when asked with it', async () => {
    const query = `query Event($slug: String!) { event(slug: $slug) { title kind } }`;
    const first = await get(replicaA, query, RAID);
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"[\w-]{27}"$/);
    await answeredEarly(replicaA, async () => {
      const again = await get(replicaA, query, RAID);
      expect(again.status).toBe(200);
      expect(again.headers.get('etag')).toBe(tag);
      expect(again.headers.get('cache-control')).toBe('public, max-age=15');
      expect(again.headers.get('vary')).toBe('Origin, Authorization');
      expect(await again.text()).toBe(JSON.stringify(await first.clone().json()) + '\n');
    });
    await answeredEarly(replicaA, async () => {
      const revalidated = await get(replicaA, query, RAID, { 'if-none-match': `W/${tag}` });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe('');
    });
    await get(replicaA, query, RAID, { authorization: `Bearer ${readKey}` });
    await answeredEarly(replicaA, async () => {
      const keyed = await get(replicaA, query, RAID, { authorization: `Bearer ${readKey}` });
      expect(keyed.headers.get('cache-control')).toBe('private, max-age=15');
      expect(keyed.headers.get('etag')).toBe(tag);
    });
  });
});

describe('requests that go the usual way', () => {
  it('with an Origin (CORS), an Idempotency-Key or another Accept: answered by GraphQL, from the response cache', async () => {
    const query = `query Kind($slug: String!) { event(slug: $slug) { kind } }`;
    const body = JSON.stringify({ query, variables: RAID });
    const send = (headers: Record<string, string>) =>
      fetch(`${replicaA}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    await send({});
    await answeredEarly(replicaA, () => send({}));
    const earlyBefore = await earlyHits(replicaA);
    const fromPage = await send({ origin: 'https://elsewhere.example' });
    const retried = await send({ 'idempotency-key': `kind-${Date.now()}` });
    const negotiated = await send({ accept: 'application/graphql-response+json' });
    expect(await earlyHits(replicaA)).toBe(earlyBefore);
    for (const answer of [fromPage, retried, negotiated]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-cache')).toBe('HIT');
    }
    expect(fromPage.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(negotiated.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
  });
});

describe('invalidation', () => {
  it('once a mutation through the other replica has answered, the early answer is no longer given', async () => {
    const write = (query: string, variables: Record<string, unknown>) => post(replicaA, query, variables, writeKey);
    const created = await write(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id slug } errors { code } } }`,
      { input: { name: 'Kozinka', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    const place = created.body.data!.createPlace.place as { id: string; slug: string };
    await answeredEarly(replicaB, async () =>
      expect((await post(replicaB, PLACE, { slug: place.slug })).body.data!.place.region).toBe('Belgorod Oblast'),
    );

    const updated = await write(
      `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`,
      { input: { id: place.id, region: 'Graivoronsky District' } },
    );
    expect(updated.body.data!.updatePlace.errors).toEqual([]);
    const earlyBefore = await earlyHits(replicaB);
    const after = await post(replicaB, PLACE, { slug: place.slug });
    expect(after.body.data!.place.region).toBe('Graivoronsky District');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(await earlyHits(replicaB)).toBe(earlyBefore);
  });
});

describe('callers', () => {
  it('an answer remembered for one set of scopes is never given early to a key with others', async () => {
    const { key: exploreKey } = await createKey(federation.env, 'Explorer', 'read,explore');
    const query = `query Place($slug: String!) { event(slug: $slug) { location { name } } }`;
    await post(replicaA, query, RAID, exploreKey);
    await answeredEarly(replicaA, async () =>
      expect((await post(replicaA, query, RAID, exploreKey)).body.data!.event.location.name).toBeTruthy(),
    );
    // Another key with other scopes, the same request: GraphQL answers it, not the early handler.
    // (Introspection, which only the explore scope may run, has no cache hint and is never kept.)
    const before = await earlyHits(replicaA);
    const other = await post(replicaA, query, RAID, readKey);
    expect(other.status).toBe(200);
    expect(await earlyHits(replicaA)).toBe(before);
    const introspection = `{ __schema { queryType { name } } }`;
    expect((await post(replicaA, introspection, {}, exploreKey)).status).toBe(200);
    const refused = await post(replicaA, introspection, {}, readKey);
    expect(refused.status).toBe(403);
    expect(refused.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('a key past its operation quota gets 429 on cached answers too', async () => {
    const { key } = await createKey(federation.env, 'Small', 'read', '--ops-per-minute', '4');
    const query = `query Title($slug: String!) { event(slug: $slug) { title } }`;
    const earlyBefore = await earlyHits(replicaB);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await post(replicaB, query, RAID, key));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.map((answer) => answer.headers.get('x-cache'))).toEqual(['MISS', 'HIT', 'HIT', 'HIT', null, null]);
    expect(await earlyHits(replicaB)).toBe(earlyBefore + 3);
    expect(answers[4]!.body.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(Number(answers[4]!.headers.get('retry-after'))).toBeGreaterThan(0);
    // The quota is shared through Redis: the other replica refuses it as well.
    expect((await post(replicaA, query, RAID, key)).status).toBe(429);
  });

  it('a key past its cost quota gets 429 on cached answers too, charged the remembered cost each time', async () => {
    const { key } = await createKey(federation.env, 'Frugal', 'read', '--cost-per-minute', '100');
    const query = `query Roles($slug: String!) { event(slug: $slug) { title participants { role } } }`;
    const first = await post(replicaB, query, RAID, key);
    expect(first.status).toBe(200);
    const cost = 100 - Number(/"cost";r=(\d+)/.exec(first.headers.get('ratelimit')!)![1]);
    expect(cost).toBeGreaterThan(1);
    const fits = Math.floor(100 / cost);
    const earlyBefore = await earlyHits(replicaB);
    const statuses = [];
    for (let i = 1; i <= fits; i++) statuses.push((await post(replicaB, query, RAID, key)).status);
    const refused = await post(replicaB, query, RAID, key);
    expect(statuses).toEqual([...Array(fits - 1).fill(200), 429]);
    expect(await earlyHits(replicaB)).toBe(earlyBefore + fits - 1);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Too much work: the quota is 100 cost a minute/),
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    });
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('bad input', () => {
  const send = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${replicaA}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const coded = async (response: Response) => [
    response.status,
    ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
  ];

  it('gets its coded error, whatever was cached', async () => {
    const query = `query Event($slug: String!) { event(slug: $slug) { title } }`;
    await post(replicaA, query, RAID);
    await answeredEarly(replicaA, () => post(replicaA, query, RAID));

    expect(await coded(await send('{"query":'))).toEqual([400, 'BAD_REQUEST']);
    expect(await coded(await send('"just a string"'))).toEqual([400, 'BAD_REQUEST']);
    expect(await coded(await send(JSON.stringify([{ query, variables: RAID }])))).toEqual([
      400,
      'BATCHING_NOT_SUPPORTED',
    ]);
    expect(
      await coded(await send(JSON.stringify({ query, variables: RAID }), { authorization: 'Bearer nfk_nope' })),
    ).toEqual([401, 'UNAUTHENTICATED']);
    expect(await coded(await send(JSON.stringify({ query, variables: { slug: 1 } })))).toEqual([400, 'BAD_USER_INPUT']);
    const deep = `{ event(slug: "x") { participants { actor { statements { claim { event { participants { actor { statements { claim { event { title } } } } } } } } } } } }`;
    expect(await coded(await send(JSON.stringify({ query: deep })))).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect(await coded(await send(JSON.stringify({ query: query + ' '.repeat(70_000), variables: RAID })))).toEqual([
      413,
      'PAYLOAD_TOO_LARGE',
    ]);
    // A byte-order mark is read past, as the usual body parser does.
    const withMark = await send(`\uFEFF${JSON.stringify({ query, variables: RAID })}`);
    expect(withMark.status).toBe(200);
  });
});
