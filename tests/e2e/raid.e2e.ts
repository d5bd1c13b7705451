import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { RAID_QUERY } from '../../gateway/web/src/examples/raid-query';
import type { RaidQuery } from '../../gateway/web/src/gql/graphql';
import { startFederation, type Federation } from '../helpers/federation';

let federation: Federation;
beforeAll(async () => {
  federation = await startFederation();
});
afterAll(() => federation?.stop());

describe('the raid query through the gateway', () => {
  let event: NonNullable<RaidQuery['event']>;
  beforeAll(async () => {
    const response = await federation.query<RaidQuery>(RAID_QUERY, { slug: 'belgorod-incursion-2023' });
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    event = response.body.data!.event!;
  });

  it('names the raid, its kind, day and place', () => {
    expect(event).toMatchObject({
      title: expect.stringMatching(/Belgorod/),
      kind: 'INCURSION',
      startedAt: '2023-05-22T00:00:00.000Z',
      datePrecision: 'DAY',
      location: { name: 'Belgorod region', country: 'Russia' },
    });
  });

  it('lists the participants with their roles and other names, resolved by the actors subgraph', () => {
    const byName = new Map(event.participants.map((p) => [`${p.role}:${p.actor?.name}`, p.actor]));
    expect(byName.get('ATTACKER:Freedom of Russia Legion')).toMatchObject({
      kind: 'ORGANIZATION',
      aliases: expect.arrayContaining(['Liberty of Russia Legion']),
    });
    expect(byName.has('ATTACKER:Russian Volunteer Corps')).toBe(true);
    expect(byName.get('COMMENTATOR:Vyacheslav Gladkov')).toMatchObject({
      kind: 'PERSON',
      aliases: expect.arrayContaining(['Vyacheslav Hladkov']),
    });
  });

  it('shows both sides of the perpetrator claim, with who said each and where', () => {
    const perpetrator = event.contestedClaims!.filter((claim) => claim.aspect === 'PERPETRATOR');
    expect(perpetrator).toHaveLength(2);
    const [militias, formations] = [
      perpetrator.find((claim) => /volunteer/i.test(claim.text)),
      perpetrator.find((claim) => /Ukrainian armed/i.test(claim.text)),
    ];
    expect(militias!.statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          stance: 'ASSERTS',
          channel: 'INTERVIEW',
          saidAt: '2023-05-22T00:00:00.000Z',
          speaker: expect.objectContaining({
            name: 'Andriy Yusov',
            affiliations: [expect.objectContaining({ organization: { name: expect.stringMatching(/intelligence/i) } })],
          }),
        }),
        expect.objectContaining({
          stance: 'SUPPORTS',
          quote: 'These are patriots of Russia as far as we understand',
          speaker: expect.objectContaining({ name: 'Hanna Malyar' }),
        }),
      ]),
    );
    expect(formations!.statements).toEqual([
      expect.objectContaining({
        stance: 'ASSERTS',
        quote: 'Ukrainian armed formations',
        channel: 'WRITTEN_STATEMENT',
        speaker: expect.objectContaining({ name: 'Investigative Committee of Russia' }),
        reportedIn: { title: expect.any(String), publishedAt: '2023-05-23T00:00:00.000Z' },
      }),
    ]);
  });
});

describe('other ways into the graph', () => {
  it('the governor: his exact words, his office, and the twelve injured', async () => {
    interface Said {
      quote: string | null;
      paraphrase: string | null;
      claim: { text: string; event: { slug: string; figures: unknown[] } };
    }
    const { body } = await federation.query<{
      actor: { affiliations: unknown[]; statements: Said[]; participations: unknown[] };
    }>(`{
      actor(slug: "vyacheslav-gladkov") {
        name aliases
        affiliations { title organization { name } }
        statements { quote paraphrase channel saidAt claim { text event { slug figures { metric value } } } }
        participations { role event { title } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    const gladkov = body.data!.actor;
    expect(gladkov.affiliations).toEqual([
      { title: expect.stringMatching(/Governor/), organization: { name: expect.stringMatching(/Belgorod/) } },
    ]);
    expect(gladkov.statements).toContainEqual(
      expect.objectContaining({
        quote: 'We are working to wrap up the anti-terrorist operation, security forces are doing all they can',
        channel: 'TELEGRAM',
        saidAt: '2023-05-23T00:00:00.000Z',
      }),
    );
    const injured = gladkov.statements.find(
      (s) => /twelve|12/i.test(s.paraphrase ?? '') || /twelve|12/i.test(s.claim.text),
    );
    expect(injured!.claim.event.slug).toBe('belgorod-incursion-2023');
    expect(injured!.claim.event.figures).toContainEqual({ metric: 'INJURED', value: 12 });
    expect(gladkov.participations.length).toBeGreaterThan(0);
  });

  it("Zelenskyy's denial makes the Kremlin drone claim contested", async () => {
    interface Contested {
      contested: boolean;
      event: { slug: string };
      statements: Array<{ stance: string }>;
    }
    const { body } = await federation.query<{ actor: { contestedClaims: Contested[] } }>(`{
      actor(slug: "volodymyr-zelenskyy") {
        contestedClaims { text contested event { slug title } statements { stance speaker { name } } }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.actor.contestedClaims).toHaveLength(1);
    const [claim] = body.data!.actor.contestedClaims;
    expect(claim!.event.slug).toBe('kremlin-drone-incident-2023');
    expect(claim!.contested).toBe(true);
    expect(claim!.statements.map((s) => s.stance).sort()).toEqual(['ASSERTS', 'DENIES']);
  });

  it('starts from a claim and reaches its event, its rival and the rival’s speakers', async () => {
    const id = seedId.claim('raid-perpetrator-ukrainian-armed-formations');
    const { body } = await federation.query<{
      claim: { competingClaims: Array<{ statements: Array<{ speaker: { name: string } }> }> };
    }>(
      `query($id: ID!) { claim(id: $id) { text contested event { title kind } competingClaims { text statements { speaker { name } } } } }`,
      { id },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.claim).toMatchObject({ contested: true, event: { kind: 'INCURSION' } });
    const speakers = body.data!.claim.competingClaims[0]!.statements.map((s) => s.speaker.name);
    expect(speakers).toEqual(expect.arrayContaining(['Andriy Yusov', 'Hanna Malyar']));
  });

  it('walks from the raid to the events it follows', async () => {
    interface Related {
      kind: string;
      event: { slug: string; contestedClaims: Array<{ aspect: string }> };
    }
    const { body } = await federation.query<{ event: { relatedEvents: Related[] } }>(`{
      event(slug: "belgorod-incursion-2023") { relatedEvents { kind event { slug contestedClaims { aspect } } } }
    }`);
    const related = body.data!.event.relatedEvents;
    const bryansk = related.find((r) => r.event.slug === 'bryansk-sabotage-accusation-2023');
    expect(bryansk!.kind).toBe('FOLLOWS');
    expect(bryansk!.event.contestedClaims.map((c) => c.aspect)).toContain('PERPETRATOR');
  });
});

describe('bad input through the gateway', () => {
  it('answers an unknown slug with null', async () => {
    const response = await federation.query('{ event(slug: "no-such-raid") { title } }');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { event: null } });
  });

  it('refuses out-of-range arguments with BAD_USER_INPUT and no internals', async () => {
    const response = await federation.query('{ events(first: 5000) { totalCount } }');
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors!;
    expect(error!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error!.message).toMatch(/first must be between 1 and 100/);
    expect(JSON.stringify(error)).not.toMatch(/stacktrace|127\.0\.0\.1|prisma/i);
  });

  it('refuses a wrongly typed variable before any subgraph is asked', async () => {
    const response = await federation.query('query($slug: String!) { event(slug: $slug) { title } }', { slug: 42 });
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a misspelt field with a validation error that suggests nothing', async () => {
    const response = await federation.query('{ event(slug: "belgorod-incursion-2023") { titel } }');
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).not.toMatch(/Did you mean/);
  });

  it('answers a body that is not JSON with 400 and a code', async () => {
    const response = await fetch(`${federation.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers an oversized body with 413 and a code', async () => {
    const response = await fetch(`${federation.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(2_000_000)}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('gives every response a request id, and keeps a sane one the client sent', async () => {
    const response = await fetch(`${federation.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'newsroom-check-1' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('newsroom-check-1');
  });
});

describe('health', () => {
  it('every process answers /healthz and /readyz', async () => {
    for (const base of [federation.gatewayUrl, ...Object.values(federation.subgraphUrls)]) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    }
  });
});
