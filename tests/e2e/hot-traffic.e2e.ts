// Breaking-news traffic through the real gateway and subgraphs: identical subgraph fetches in
// flight at once share one request; queries over GET carry Cache-Control and an ETag that a CDN
// can revalidate with If-None-Match; and the response cache, shared by two replicas through
// Redis, keeps answers as long as the subgraphs' hints allow and drops exactly those that hold
// what a write changed, so that it never serves an answer from before a write. A proxy in front of the events subgraph holds each
// request for a while, so that requests sent together are surely in flight together, and counts
// what reaches it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { sumOf } from '../../scripts/lib/prometheus';
import { seedId } from '@newsfacts/platform/seed-ids';
import { signRequest } from '@newsfacts/platform/signing';
import { CREATE_EVENT, UPDATE_EVENT, shelling } from '../fixtures/event-writes';
import { inventedReport } from '../fixtures/packages';
import { startDelayingProxy, type DelayingProxy } from '../helpers/delaying-proxy';
import { eventually, sleep } from '../helpers/eventually';
import { freePort, postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

const EVENT = `query Event($slug: String!) { event(slug: $slug) { title kind } }`;
const RAID = { slug: 'belgorod-incursion-2023' };
const HOLD_MS = 1_500;

let federation: Federation;
let proxy: DelayingProxy;
const gateways: ServiceProcess[] = [];
let readKey: string;
let writeKey: string;
let writerKeyId: string;

/** A gateway process whose events fetches go through the proxy. */
async function startGateway(name: string, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const gateway = startService(
    name,
    'gateway/src/index.ts',
    { ...federation.env, GATEWAY_PORT: String(port), EVENTS_URL: `${proxy.url}/graphql`, ...env },
    (source, line) => federation.output.push(`[${source}] ${line}`),
  );
  gateways.push(gateway);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/readyz`, gateway);
  // Warm: the first query of a process plans it and opens connections.
  proxy.delayMs = 0;
  await eventually(async () => expect((await postGraphQL(`${url}/graphql`, EVENT, RAID)).body.errors).toBeUndefined());
  proxy.delayMs = HOLD_MS;
  return url;
}

/** Sends the requests together; answers how many reached the events subgraph and what each got. */
async function together<T>(requests: Array<() => Promise<T>>): Promise<{ fetches: number; answers: T[] }> {
  const before = proxy.received;
  const answers = await Promise.all(requests.map((request) => request()));
  return { fetches: proxy.received - before, answers };
}

const shared = async (gateway: string) =>
  sumOf(await (await fetch(`${gateway}/metrics`)).text(), 'newsfacts_subgraph_fetches_shared_total', {
    subgraph: 'events',
  });

beforeAll(async () => {
  proxy = await startDelayingProxy();
  federation = await startFederation();
  proxy.target = federation.subgraphUrls.events;
  const [reader, writer] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Writer', 'read,write'),
  ]);
  [readKey, writeKey, writerKeyId] = [reader.key, writer.key, writer.keyId];
}, 180_000);

afterAll(async () => {
  await stopAll(gateways);
  await federation?.stop();
  await proxy?.close();
});

describe('identical subgraph fetches in flight together', () => {
  let gateway: string;
  beforeAll(async () => {
    // Sharing alone: fetches that differ are not merged into one request either (fetch-merging.e2e.ts).
    gateway = await startGateway('gateway-sharing', { MERGE_FETCHES_ACROSS_REQUESTS: 'false' });
  }, 90_000);

  it('share one request: twelve readers of the raid cost the events subgraph one fetch, and all get the same answer', async () => {
    const sharedBefore = await shared(gateway);
    const { fetches, answers } = await together(
      Array.from({ length: 12 }, () => () => postGraphQL(`${gateway}/graphql`, EVENT, RAID)),
    );
    expect(fetches).toBe(1);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body.data!.event.title).toMatch(/Belgorod/);
    expect((await shared(gateway)) - sharedBefore).toBe(11);
  });

  it("give every request that shared a fetch the subgraph's Cache-Control, so that each keeps its hints", async () => {
    const get = () =>
      fetch(`${gateway}/graphql?${new URLSearchParams({ query: EVENT, variables: JSON.stringify(RAID) })}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
    const { fetches, answers } = await together(Array.from({ length: 4 }, () => get));
    expect(fetches).toBe(1);
    // Without the subgraph's header a request's policy would be maxAge 0: no-store.
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('public, max-age=15');
  });

  it('are not shared across different variables, or between callers with different rights', async () => {
    const other = { slug: 'kremlin-drone-incident-2023' };
    const byVariables = await together([
      () => postGraphQL(`${gateway}/graphql`, EVENT, RAID),
      () => postGraphQL(`${gateway}/graphql`, EVENT, other),
    ]);
    expect(byVariables.fetches).toBe(2);
    expect(byVariables.answers.map((answer) => answer.body.data!.event.title)).toEqual([
      expect.stringMatching(/Belgorod/),
      expect.stringMatching(/Kremlin/),
    ]);
    const byCaller = await together([
      () => postGraphQL(`${gateway}/graphql`, EVENT, RAID),
      () => postGraphQL(`${gateway}/graphql`, EVENT, RAID, { authorization: `Bearer ${readKey}` }),
      () => postGraphQL(`${gateway}/graphql`, EVENT, RAID, { authorization: `Bearer ${writeKey}` }),
    ]);
    expect(byCaller.fetches).toBe(3);
    for (const answer of byCaller.answers) expect(answer.body.errors).toBeUndefined();
  });

  it('never share a mutation, even one sent twice at once by one key', async () => {
    const create = `mutation Place($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code } } }`;
    const input = {
      externalId: 'in-flight-twice',
      name: 'Kozinka checkpoint',
      countryCode: 'RU',
      geoPrecision: 'POINT',
      latitude: 50.6,
      longitude: 36.4,
    };
    const { fetches, answers } = await together(
      [1, 2].map(
        () => () => postGraphQL(`${gateway}/graphql`, create, { input }, { authorization: `Bearer ${writeKey}` }),
      ),
    );
    expect(fetches).toBe(2);
    // Both went to the events service, whose externalId makes them one place.
    const ids = answers.map((answer) => answer.body.data?.createPlace.place?.id);
    expect(ids[0], JSON.stringify(answers.map((answer) => answer.body))).toBeTruthy();
    expect(ids[1]).toBe(ids[0]);
  });

  it('a read sent once a mutation has answered never joins a fetch sent before it', async () => {
    const as = { authorization: `Bearer ${writeKey}` };
    const created = await postGraphQL(`${gateway}/graphql`, CREATE_EVENT, { input: shelling }, as);
    const event = created.body.data!.createEvent.event as { id: string; title: string };
    const titleOf = `query Title($id: ID!) { event(id: $id) { title } }`;
    proxy.delayMs = 0;
    // The first read reaches the events service at once and reads the old title; its answer is
    // held on the way back, so that its fetch is still in flight when the mutation has answered.
    proxy.answerDelayMs = 2_000;
    const received = proxy.received;
    const early = postGraphQL(`${gateway}/graphql`, titleOf, { id: event.id }, as);
    await eventually(() => expect(proxy.received).toBe(received + 1));
    await sleep(300);
    proxy.answerDelayMs = 0;
    const update = await postGraphQL(
      `${gateway}/graphql`,
      UPDATE_EVENT,
      { input: { id: event.id, title: `${shelling.title} (corrected)` } },
      as,
    );
    expect(update.body.data!.updateEvent.errors).toEqual([]);
    const late = await postGraphQL(`${gateway}/graphql`, titleOf, { id: event.id }, as);
    expect(late.body.data!.event.title).toBe(`${shelling.title} (corrected)`);
    expect((await early).body.data!.event.title).toBe(shelling.title);
    proxy.delayMs = HOLD_MS;
  });

  it('a failure reaches the requests that waited on it, and the next request fetches afresh', async () => {
    proxy.target = undefined; // the proxy answers 502
    try {
      const failed = await together(
        Array.from({ length: 4 }, () => () => postGraphQL(`${gateway}/graphql`, EVENT, RAID)),
      );
      expect(failed.fetches).toBe(1);
      for (const answer of failed.answers) {
        expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      }
    } finally {
      proxy.target = federation.subgraphUrls.events;
    }
    const after = await together([() => postGraphQL(`${gateway}/graphql`, EVENT, RAID)]);
    expect(after.fetches).toBe(1);
    expect(after.answers[0]!.body.errors).toBeUndefined();
    expect(after.answers[0]!.body.data!.event.title).toMatch(/Belgorod/);
  });
});

describe('read-your-writes (READ_YOUR_WRITES_MS)', () => {
  it("after a caller's mutation, its queries ask the subgraphs to read from their primaries; others' do not", async () => {
    const gateway = await startGateway('gateway-read-your-writes', { READ_YOUR_WRITES_MS: '60000' });
    proxy.delayMs = 0;
    const asWriter = { authorization: `Bearer ${writeKey}` };
    await postGraphQL(`${gateway}/graphql`, EVENT, RAID, asWriter);
    expect(proxy.lastHeaders['x-newsfacts-read-primary']).toBeUndefined();
    const created = await postGraphQL(
      `${gateway}/graphql`,
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { errors { code } } }`,
      { input: { name: 'Dronovka', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
      asWriter,
    );
    expect(created.body.data!.createPlace.errors).toEqual([]);
    await postGraphQL(`${gateway}/graphql`, EVENT, RAID, asWriter);
    expect(proxy.lastHeaders['x-newsfacts-read-primary']).toBe('1');
    await postGraphQL(`${gateway}/graphql`, EVENT, RAID, { authorization: `Bearer ${readKey}` });
    expect(proxy.lastHeaders['x-newsfacts-read-primary']).toBeUndefined();
  }, 90_000);
});

describe('with sharing switched off (SHARE_IN_FLIGHT_FETCHES=false)', () => {
  it('every request sends its own fetch', async () => {
    const gateway = await startGateway('gateway-not-sharing', { SHARE_IN_FLIGHT_FETCHES: 'false' });
    const { fetches, answers } = await together(
      Array.from({ length: 5 }, () => () => postGraphQL(`${gateway}/graphql`, EVENT, RAID)),
    );
    expect(fetches).toBe(5);
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
  }, 90_000);
});

describe('queries over GET, for a CDN or a browser cache', () => {
  const PLACE = `query Place($slug: String!) { place(slug: $slug) { name region } }`;
  const get = (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(
      `${federation.gatewayUrl}/graphql?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`,
      // Apollo's CSRF guard wants a header no simple cross-site request can carry.
      { headers: { 'apollo-require-preflight': 'true', ...headers } },
    );

  it('an anonymous answer is public, with an ETag; asked again with it, 304 and no body', async () => {
    const first = await get(EVENT, RAID);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=15');
    expect(first.headers.get('vary')).toMatch(/Authorization/);
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^"[\w-]{27}"$/);
    expect(((await first.json()) as { data: { event: { title: string } } }).data.event.title).toMatch(/Belgorod/);

    const again = await get(EVENT, RAID, { 'if-none-match': tag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(tag);
    // Weak or in a list, it still matches; another tag does not.
    expect((await get(EVENT, RAID, { 'if-none-match': `"other", W/${tag}` })).status).toBe(304);
    const other = await get(EVENT, RAID, { 'if-none-match': '"other"' });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).toBe(tag);
  });

  it("a key's answer is private; POST, an error and a partial answer are no-store", async () => {
    const keyed = await get(EVENT, RAID, { authorization: `Bearer ${readKey}` });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get('cache-control')).toBe('private, max-age=15');

    const posted = await fetch(`${federation.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: EVENT, variables: RAID }),
    });
    expect(posted.headers.get('cache-control')).toBe('no-store');
    expect(posted.headers.get('etag')).toBeNull();

    const invalid = await get('{ event(slug: "x") { nope } }', {});
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');

    // The events half through the proxy, answering 502: data for the statements half, an error for the rest.
    const gateway = await startGateway('gateway-partial');
    proxy.target = undefined;
    try {
      const partial = await fetch(
        `${gateway}/graphql?${new URLSearchParams({ query: `{ event(slug: "belgorod-incursion-2023") { title } source(slug: "belgorod-incursion-report-2023-05-23") { title } }` })}`,
        { headers: { 'apollo-require-preflight': 'true' } },
      );
      const body = (await partial.json()) as { data: { source: { title: string } }; errors: unknown[] };
      expect(body.errors).toHaveLength(1);
      expect(body.data.source.title).toBeTruthy();
      expect(partial.headers.get('cache-control')).toBe('no-store');
      expect(partial.headers.get('etag')).toBeNull();
    } finally {
      proxy.target = federation.subgraphUrls.events;
    }
  }, 90_000);

  it('a change gives a new ETag: the old one no longer answers 304', async () => {
    const write = (query: string, variables: Record<string, unknown>) =>
      postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${writeKey}` });
    const created = await write(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id slug } errors { code } } }`,
      { input: { name: 'Glotovo', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    const place = created.body.data!.createPlace.place as { id: string; slug: string };
    const before = await get(PLACE, { slug: place.slug });
    const tag = before.headers.get('etag')!;
    expect((await get(PLACE, { slug: place.slug }, { 'if-none-match': tag })).status).toBe(304);

    const updated = await write(
      `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { place { region } errors { code } } }`,
      { input: { id: place.id, region: 'Belgorod Region' } },
    );
    expect(updated.body.data!.updatePlace.errors).toEqual([]);
    const after = await get(PLACE, { slug: place.slug }, { 'if-none-match': tag });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { data: { place: { region: string } } }).data.place.region).toBe('Belgorod Region');
    expect(after.headers.get('etag')).not.toBe(tag);
  });
});

describe('the response cache (RESPONSE_CACHE_TTL_SECONDS), two replicas sharing Redis', () => {
  const PLACE = `query Place($slug: String!) { place(slug: $slug) { name region } }`;
  const prefix = `nf_test_cache_${process.pid}_${Date.now()}`;
  let replicaA: string;
  let replicaB: string;
  const cached = {
    RESPONSE_CACHE_TTL_SECONDS: '600',
    RESPONSE_CACHE_POLL_MS: '200',
    // Above every hint, so that the hints decide.
    HTTP_CACHE_MAX_AGE_SECONDS: '3600',
    // The write-heavy mix reads as fast as it can, anonymously.
    ANONYMOUS_OPERATIONS_PER_MINUTE: '100000',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
  };
  const read = (gateway: string, query: string, variables: Record<string, unknown>, key?: string) =>
    postGraphQL(`${gateway}/graphql`, query, variables, key ? { authorization: `Bearer ${key}` } : {});
  const write = (query: string, variables: Record<string, unknown>, through = replicaA) =>
    postGraphQL(`${through}/graphql`, query, variables, { authorization: `Bearer ${writeKey}` });
  const createPlace = async (name: string) => {
    const created = await write(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id slug } errors { code } } }`,
      { input: { name, region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    return created.body.data!.createPlace.place as { id: string; slug: string };
  };
  const setRegion = async (id: string, region: string, through: string) => {
    const updated = await write(
      `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`,
      { input: { id, region } },
      through,
    );
    expect(updated.body.data!.updatePlace.errors).toEqual([]);
  };
  /** Straight to the events subgraph, signed as the imports service signs its writes. */
  const setRegionBypassingGateways = async (id: string, region: string) => {
    const body = JSON.stringify({
      query: `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`,
      variables: { input: { id, region } },
    });
    const direct = await fetch(`${federation.subgraphUrls.events}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signRequest(
          federation.env.SUBGRAPH_SIGNING_SECRET!,
          'events',
          { kind: 'key', keyId: writerKeyId, scopes: ['READ', 'WRITE'] },
          body,
        ),
      },
      body,
    });
    expect(((await direct.json()) as { data: unknown }).data).toEqual({ updatePlace: { errors: [] } });
  };
  const getQuery = (gateway: string, query: string, variables: Record<string, unknown> = {}) =>
    fetch(`${gateway}/graphql?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
  // The create's own entry in the change log reaches the pollers a moment later and moves the
  // version once more: an answer kept before that is dropped. Asked until one is kept.
  const cachedOnce = (gateway: string, query: string, variables: Record<string, unknown>) =>
    eventually(async () => {
      await read(gateway, query, variables);
      expect((await read(gateway, query, variables)).headers.get('x-cache')).toBe('HIT');
    }, 5_000);
  const metric = async (gateway: string, name: string, labels: Record<string, string>) =>
    sumOf(await (await fetch(`${gateway}/metrics`)).text(), name, labels);
  // Until a replica follows every change log it serves nothing from the cache.
  const followingChanges = (gateway: string) =>
    eventually(async () => expect(await metric(gateway, 'newsfacts_response_cache_following', {})).toBe(1), 15_000);

  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    proxy.delayMs = 0;
    replicaA = await startGateway('gateway-cache-a', cached);
    replicas.push(gateways.at(-1)!);
    replicaB = await startGateway('gateway-cache-b', cached);
    replicas.push(gateways.at(-1)!);
    proxy.delayMs = 0;
    await followingChanges(replicaA);
    await followingChanges(replicaB);
  }, 120_000);

  it('answers a repeated query from the cache, without asking the subgraphs', async () => {
    const first = await read(replicaA, EVENT, RAID);
    const before = proxy.received;
    const hitsBefore = await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' });
    // The other replica: the answer is in Redis.
    const second = await read(replicaB, EVENT, RAID);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(proxy.received).toBe(before);
    expect(await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' })).toBe(hitsBefore + 1);
  });

  it("keeps answers apart by the caller's scopes", async () => {
    await read(replicaA, EVENT, RAID);
    const asWriter = await read(replicaA, EVENT, RAID, writeKey);
    expect(asWriter.headers.get('x-cache')).toBe('MISS');
    // Its own scopes' answer is kept for the next caller with them.
    expect((await read(replicaB, EVENT, RAID, writeKey)).headers.get('x-cache')).toBe('HIT');
  });

  it('once a mutation through one replica has answered, no replica serves the old answer', async () => {
    const created = await write(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id slug } errors { code } } }`,
      {
        input: { name: 'Novaya Tavolzhanka', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' },
      },
    );
    const place = created.body.data!.createPlace.place as { id: string; slug: string };
    await cachedOnce(replicaB, PLACE, { slug: place.slug });

    await write(`mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`, {
      input: { id: place.id, region: 'Shebekinsky District' },
    });
    const after = await read(replicaB, PLACE, { slug: place.slug });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.body.data!.place.region).toBe('Shebekinsky District');
  });

  it("a write through replica B drops replica A's answers that hold the record it changed, and only those", async () => {
    const [changed, untouched] = [await createPlace('Kozinka'), await createPlace('Gora-Podol')];
    // Both kept on A, after the pollers have read the creates (which drop lookups of places).
    await sleep(1_000);
    await cachedOnce(replicaA, PLACE, { slug: changed.slug });
    await cachedOnce(replicaA, PLACE, { slug: untouched.slug });

    await setRegion(changed.id, 'Grayvoronsky District', replicaB);
    const after = await read(replicaA, PLACE, { slug: changed.slug });
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.body.data!.place.region).toBe('Grayvoronsky District');
    const other = await read(replicaA, PLACE, { slug: untouched.slug });
    expect(other.headers.get('x-cache')).toBe('HIT');
    expect(other.body.data!.place.region).toBe('Belgorod Oblast');
    expect(
      await metric(replicaB, 'newsfacts_response_cache_invalidations_total', { reason: 'mutation' }),
    ).toBeGreaterThan(0);
  });

  it('keeps an answer as long as the hints of what it holds allow: the shortest wins', async () => {
    const ttl = async (query: string, variables: Record<string, unknown> = {}) => {
      const answer = await getQuery(replicaA, query, variables);
      expect(answer.status).toBe(200);
      return answer.headers.get('cache-control');
    };
    const claim = `query Claim($id: ID!) { claim(id: $id) { text } }`;
    const claims = (await read(replicaA, `{ claims(first: 1) { nodes { id } } }`, {})).body.data!.claims
      .nodes as Array<{
      id: string;
    }>;
    const id = claims[0]!.id;
    expect(await ttl(`{ place(slug: "belgorod-region") { name } }`)).toBe('public, max-age=3600');
    expect(await ttl(`query EventKind($slug: String!) { event(slug: $slug) { kind } }`, RAID)).toBe(
      'public, max-age=300',
    );
    expect(await ttl(claim, { id })).toBe('public, max-age=60');
    expect(await ttl(`query Contested($id: ID!) { claim(id: $id) { text contested } }`, { id })).toBe(
      'public, max-age=30',
    );
    // A change feed has no hint: never kept, by a browser or by the response cache.
    const feed = `{ eventChanges(first: 1) { endCursor } }`;
    expect(await ttl(feed)).toBe('no-store');
    expect((await read(replicaA, feed, {})).headers.get('x-cache')).toBe('MISS');
    expect((await read(replicaA, feed, {})).headers.get('x-cache')).toBe('MISS');
    // Served from the cache, an answer has what is left of its life.
    const hit = await getQuery(replicaB, claim, { id });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('cache-control')).toMatch(/^public, max-age=(60|59|58)$/);
  });

  it('under a write-heavy mix on both replicas, no read begun after a write has answered returns an older value', async () => {
    const place = await createPlace('Nekhoteevka');
    let answered = 0; // the last write whose answer has come back
    let writing = true;
    let reads = 0;
    const stale: string[] = [];
    const reader = async (gateway: string) => {
      while (writing) {
        const begunAfter = answered;
        const answer = await read(gateway, PLACE, { slug: place.slug });
        const seen = Number(/^R(\d+)$/.exec(answer.body.data!.place.region ?? '')?.[1] ?? 0);
        reads += 1;
        if (seen < begunAfter) stale.push(`read R${seen} after write ${begunAfter} had answered`);
      }
    };
    const hitsBefore =
      (await metric(replicaA, 'newsfacts_response_cache_lookups_total', { result: 'hit' })) +
      (await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' }));
    const readers = [replicaA, replicaB, replicaA, replicaB].map(reader);
    for (let index = 1; index <= 30; index++) {
      await setRegion(place.id, `R${index}`, index % 2 ? replicaA : replicaB);
      answered = index;
      await sleep(20);
    }
    writing = false;
    await Promise.all(readers);
    const hits =
      (await metric(replicaA, 'newsfacts_response_cache_lookups_total', { result: 'hit' })) +
      (await metric(replicaB, 'newsfacts_response_cache_lookups_total', { result: 'hit' })) -
      hitsBefore;
    expect(stale).toEqual([]);
    // The cache was in play: many of the reads were answered from it.
    expect(reads).toBeGreaterThan(60);
    expect(hits).toBeGreaterThan(0);
  }, 60_000);

  it("a write that bypasses every gateway (as an import's does) is noticed in the subgraph's change log", async () => {
    const created = await write(
      `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id slug } errors { code } } }`,
      { input: { name: 'Shebekino', region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' } },
    );
    const place = created.body.data!.createPlace.place as { id: string; slug: string };
    await cachedOnce(replicaA, PLACE, { slug: place.slug });

    await setRegionBypassingGateways(place.id, 'Shebekinsky District');
    await eventually(
      async () =>
        expect((await read(replicaA, PLACE, { slug: place.slug })).body.data!.place.region).toBe(
          'Shebekinsky District',
        ),
      5_000,
      100,
    );
    expect(
      await metric(replicaA, 'newsfacts_response_cache_invalidations_total', { reason: 'change-log' }),
    ).toBeGreaterThan(0);
  });

  it("an import's writes, which reach the subgraphs without a gateway, drop what they changed through the change logs", async () => {
    const found = `query Found($search: String!) { actors(search: $search) { nodes { name } } }`;
    const positions = `query Positions($id: ID!) { claim(id: $id) { statements(first: 100) { quote } } }`;
    const claim = { id: seedId.claim('raid-perpetrator-ukrainian-armed-formations') };
    await cachedOnce(replicaA, found, { search: 'Podolyak' });
    await cachedOnce(replicaA, positions, claim);
    expect((await read(replicaA, found, { search: 'Podolyak' })).body.data!.actors.nodes).toEqual([]);

    const submitted = await write(
      `mutation($package: JSON!) { importPackage(input: { package: $package }) { job { id } errors { code } } }`,
      { package: inventedReport('cache-invalidation-wire') },
      replicaB,
    );
    const { id } = submitted.body.data!.importPackage.job as { id: string };
    await eventually(
      async () => {
        const job = await write(`query($id: ID!) { importJob(id: $id) { status } }`, { id }, replicaB);
        expect(job.body.data!.importJob.status).toBe('DONE');
      },
      60_000,
      200,
    );
    // A new actor fills a search that found nothing; a new statement joins a claim's list.
    await eventually(
      async () => {
        const after = await read(replicaA, found, { search: 'Podolyak' });
        expect(after.body.data!.actors.nodes).toEqual([{ name: 'Mykhailo Podolyak' }]);
        const quotes = (await read(replicaA, positions, claim)).body.data!.claim.statements as Array<{ quote: string }>;
        expect(quotes.map((statement) => statement.quote)).toContain('Ukraine has nothing to do with it');
      },
      5_000,
      100,
    );
  }, 90_000);

  it("refuses a query that uses the cache's own aliases, which would be taken out of its answer", async () => {
    const refused = await read(replicaA, `{ event(slug: "belgorod-incursion-2023") { __cacheId: title } }`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors?.[0]?.message).toMatch(/__cacheId/);
  });

  it('never keeps a partial answer', async () => {
    const query = `{ event(slug: "belgorod-incursion-2023") { summary } source(slug: "belgorod-incursion-report-2023-05-23") { title } }`;
    proxy.target = undefined;
    try {
      const partial = await read(replicaA, query, {});
      expect(partial.body.errors).toHaveLength(1);
    } finally {
      proxy.target = federation.subgraphUrls.events;
    }
    const whole = await read(replicaA, query, {});
    expect(whole.headers.get('x-cache')).toBe('MISS');
    expect(whole.body.errors).toBeUndefined();
    expect(whole.body.data!.event.summary).toBeTruthy();
  });

  it('a write made while no gateway ran is dropped when one starts, from where the others had followed the log', async () => {
    const [changed, untouched] = [await createPlace('Zhuravlyovka'), await createPlace('Bezymeno')];
    await sleep(1_000);
    await cachedOnce(replicaA, PLACE, { slug: changed.slug });
    await cachedOnce(replicaA, PLACE, { slug: untouched.slug });
    await sleep(500); // both replicas have followed the log past the creates
    await stopAll(replicas);
    await setRegionBypassingGateways(changed.id, 'Belgorodsky District');

    const replicaC = await startGateway('gateway-cache-c', cached);
    proxy.delayMs = 0;
    await followingChanges(replicaC);
    // It goes on from where A and B left each log: it reads the write, and drops nothing else.
    await eventually(async () =>
      expect(await metric(replicaC, 'newsfacts_response_cache_invalidations_total', { reason: 'change-log' })).toBe(1),
    );
    expect(await metric(replicaC, 'newsfacts_response_cache_invalidations_total', { reason: 'change-log-lost' })).toBe(
      0,
    );
    expect((await read(replicaC, PLACE, { slug: changed.slug })).body.data!.place.region).toBe('Belgorodsky District');
    expect((await read(replicaC, PLACE, { slug: untouched.slug })).headers.get('x-cache')).toBe('HIT');
  }, 90_000);
});
