// The raid query reaches actors by two paths: the event's participants and the speakers of its
// statements. Apollo's plan fetches the actors subgraph once for each; the gateway runs the
// first beside the second and sends both as one request. A proxy in front of the actors
// subgraph counts what reaches it, for a gateway that merges and one that does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { sumOf } from '../../scripts/lib/prometheus';
import { RAID_QUERY, RAID_SLUG } from '../../gateway/web/src/examples/raid-query';
import { startDelayingProxy, type DelayingProxy } from '../helpers/delaying-proxy';
import { freePort, postGraphQL, startFederation, type Federation } from '../helpers/federation';

let federation: Federation;
let proxy: DelayingProxy;
const gateways: ServiceProcess[] = [];
let merging: string;
let separate: string;
let requestsApart: string;

/** A gateway process whose actors fetches go through the counting proxy. */
async function startGateway(name: string, env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const gateway = startService(
    name,
    'gateway/src/index.ts',
    { ...federation.env, GATEWAY_PORT: String(port), ACTORS_URL: `${proxy.url}/graphql`, ...env },
    (source, line) => federation.output.push(`[${source}] ${line}`),
  );
  gateways.push(gateway);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${url}/readyz`, gateway);
  return url;
}

/** The answer, and how many requests reached the actors subgraph for it. */
async function actorsFetchesFor(gateway: string, query: string, variables: Record<string, unknown>) {
  const before = proxy.received;
  const answer = await postGraphQL(`${gateway}/graphql`, query, variables);
  return { answer, fetches: proxy.received - before };
}

beforeAll(async () => {
  proxy = await startDelayingProxy();
  proxy.delayMs = 0;
  federation = await startFederation();
  proxy.target = federation.subgraphUrls.actors;
  [merging, separate, requestsApart] = await Promise.all([
    // A window wide enough that requests sent together surely meet in it.
    startGateway('gateway-merging', { FETCH_MERGE_WINDOW_MS: '200' }),
    startGateway('gateway-separate', { MERGE_SUBGRAPH_FETCHES: 'false' }),
    startGateway('gateway-requests-apart', { MERGE_FETCHES_ACROSS_REQUESTS: 'false', FETCH_MERGE_WINDOW_MS: '200' }),
  ]);
}, 180_000);

afterAll(async () => {
  await stopAll(gateways);
  await federation?.stop();
  await proxy?.close();
});

describe('entity fetches to one subgraph', () => {
  it('cost the raid query one actors request instead of two, with the same answer', async () => {
    const merged = await actorsFetchesFor(merging, RAID_QUERY, { slug: RAID_SLUG });
    const apart = await actorsFetchesFor(separate, RAID_QUERY, { slug: RAID_SLUG });
    expect(apart.fetches).toBe(2);
    expect(merged.fetches).toBe(1);
    expect(merged.answer.body.errors).toBeUndefined();
    expect(merged.answer.body).toEqual(apart.answer.body);
    const event = merged.answer.body.data!.event;
    // Both paths were answered: the participants' and the speakers' actors.
    expect(event.participants.every((participant: { actor: { name: string } }) => participant.actor.name)).toBe(true);
    expect(
      event.contestedClaims.flatMap((claim: { statements: unknown[] }) => claim.statements).length,
    ).toBeGreaterThan(0);
    const mergedCount = sumOf(
      await (await fetch(`${merging}/metrics`)).text(),
      'newsfacts_subgraph_fetches_merged_total',
      {
        subgraph: 'actors',
      },
    );
    expect(mergedCount).toBeGreaterThanOrEqual(2);
  });

  it('answer every event alike, merged or not, including ones with no statements', async () => {
    const slugs = ['kremlin-drone-incident-2023', 'no-such-event'];
    for (const slug of slugs) {
      const merged = await actorsFetchesFor(merging, RAID_QUERY, { slug });
      const apart = await actorsFetchesFor(separate, RAID_QUERY, { slug });
      expect(merged.answer.body).toEqual(apart.answer.body);
      expect(merged.fetches).toBeLessThanOrEqual(apart.fetches);
    }
  });

  it('keep a query with one path to actors as it was: one request', async () => {
    const query = `query ($slug: String!) { event(slug: $slug) { participants { role actor { name } } } }`;
    const merged = await actorsFetchesFor(merging, query, { slug: RAID_SLUG });
    expect(merged.fetches).toBe(1);
    expect(merged.answer.body.errors).toBeUndefined();
  });

  it('of different requests by the same caller go as one request, each answered with only its own part', async () => {
    const slugs = [RAID_SLUG, 'kremlin-drone-incident-2023', 'kozinka-border-post-attack-2023'];
    const together = async (gateway: string) => {
      const before = proxy.received;
      const answers = await Promise.all(slugs.map((slug) => postGraphQL(`${gateway}/graphql`, RAID_QUERY, { slug })));
      return { answers: answers.map((answer) => answer.body), fetches: proxy.received - before };
    };
    const alone = await Promise.all(
      slugs.map(async (slug) => (await postGraphQL(`${separate}/graphql`, RAID_QUERY, { slug })).body),
    );
    const merged = await together(merging);
    expect(merged.answers).toEqual(alone);
    expect(merged.fetches).toBe(1);
    // Merged only within each request: one actors request per raid query that names actors.
    const apart = await together(requestsApart);
    expect(apart.answers).toEqual(alone);
    expect(apart.fetches).toBeGreaterThan(1);
  });

  it('of different requests with different variables go as one request, each answered as if alone', async () => {
    const query = `query Actor($slug: String!) { actor(slug: $slug) { name aliases statements(first: 2) { quote } } }`;
    const slugs = ['vyacheslav-gladkov', 'dmitry-peskov', 'no-such-actor', 'hanna-malyar'];
    const alone = [];
    for (const slug of slugs) alone.push((await postGraphQL(`${separate}/graphql`, query, { slug })).body);
    const before = proxy.received;
    const merged = await Promise.all(slugs.map((slug) => postGraphQL(`${merging}/graphql`, query, { slug })));
    expect(proxy.received - before).toBe(1);
    expect(merged.map((answer) => answer.body)).toEqual(alone);
    expect(alone[0]!.data!.actor.name).toMatch(/Gladkov/);
    expect(alone[2]!.data!.actor).toBeNull();
  });

  it('when the actors subgraph is down, both parts fail as they would apart, and the rest is answered', async () => {
    proxy.target = 'http://127.0.0.1:9'; // nothing listens on the discard port
    try {
      const merged = await actorsFetchesFor(merging, RAID_QUERY, { slug: RAID_SLUG });
      const apart = await actorsFetchesFor(separate, RAID_QUERY, { slug: RAID_SLUG });
      expect(merged.answer.body.data?.event?.title).toBe(apart.answer.body.data?.event?.title);
      expect(merged.answer.body.errors?.map((error) => error.extensions?.code)).toEqual(
        apart.answer.body.errors?.map((error) => error.extensions?.code),
      );
      expect(merged.answer.body.errors?.length).toBeGreaterThan(0);
    } finally {
      proxy.target = federation.subgraphUrls.actors;
    }
  });
});
