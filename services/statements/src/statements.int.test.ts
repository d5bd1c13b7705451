import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDataset } from '../../../tests/helpers/seed-fixture';

const seed = seedDataset();
import { seedId } from '@newsfacts/platform/seed-ids';
import {
  startSubgraphHarness,
  type ExecutionResult,
  type SubgraphHarness,
} from '../../../tests/helpers/subgraph-harness';

let statements: SubgraphHarness;
beforeAll(async () => {
  statements = await startSubgraphHarness('statements');
});
afterAll(() => statements?.close());

const RAID = seedId.event('belgorod-incursion-2023');
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const SOURCE_SLUG = 'belgorod-incursion-report-2023-05-23';
const SOURCE = seedId.source(SOURCE_SLUG);
const SOURCE_TITLE = 'Russia fights cross-border attackers in Belgorod region for a second day';
const MILITIAS = seedId.claim('raid-perpetrator-russian-volunteer-militias');
const FORMATIONS = seedId.claim('raid-perpetrator-ukrainian-armed-formations');
const BRYANSK_PERPETRATOR = seedId.claim('bryansk-perpetrator-ukrainian-sabotage');
const KREMLIN_PERPETRATOR = seedId.claim('kremlin-perpetrator-ukraine');
const INJURED = seedId.claim('raid-casualties-twelve-injured');

// What "contested" means, worked out here from the seed data itself rather than asked of the
// service: actors take opposing stances on the claim, or another claim answers the same
// question about the same event.
const AFFIRMING = new Set(['ASSERTS', 'SUPPORTS']);
const REJECTING = new Set(['DENIES', 'DISPUTES']);
const stancesOn = (claim: string) =>
  seed.statements.filter((statement) => statement.claim === claim).map((statement) => statement.stance);
const hasOpposingStances = (claim: string) =>
  stancesOn(claim).some((stance) => AFFIRMING.has(stance)) && stancesOn(claim).some((stance) => REJECTING.has(stance));
const hasCompetitor = (claim: (typeof seed.claims)[number]) =>
  seed.claims.some(
    (other) => other.slug !== claim.slug && other.event === claim.event && other.question === claim.question,
  );
// Claims are listed oldest first, and the seed creates them in dataset order.
const contestedSlugs = seed.claims
  .filter((claim) => hasOpposingStances(claim.slug) || hasCompetitor(claim))
  .map((claim) => claim.slug);
const uncontestedSlugs = seed.claims.map((claim) => claim.slug).filter((slug) => !contestedSlugs.includes(slug));

const ids = (nodes: Array<{ id: string }>) => nodes.map((node) => node.id);
const sorted = <T>(values: T[]) => [...values].sort();

/** Timestamps earliest first, undated last. */
function expectEarliestFirst(saidAts: Array<string | null>) {
  const dated = saidAts.filter((value): value is string => value != null);
  expect(saidAts.slice(0, dated.length)).toEqual(dated);
  expect(dated).toEqual([...dated].sort());
}

describe('statements subgraph on PostgreSQL', () => {
  it('(oracle check) the seed alone makes the four perpetrator claims contested', () => {
    // The expected set the tests below compare the service against, worked out from the seed
    // by the rule itself; if the seed changes, the checks below need a look.
    expect(contestedSlugs).toEqual([
      'raid-perpetrator-russian-volunteer-militias',
      'raid-perpetrator-ukrainian-armed-formations',
      'bryansk-perpetrator-ukrainian-sabotage',
      'kremlin-perpetrator-ukraine',
    ]);
  });

  it('gives the raid its claims, its two contested perpetrator claims and who said what', async () => {
    const { data, errors } = await statements.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Event {
            id
            claims { id aspect question }
            perpetrators: claims(aspects: [PERPETRATOR]) { id }
            contestedClaims {
              id text aspect question contested event { id }
              competingClaims { id }
              statements {
                id stance quote paraphrase saidAt saidAtPrecision channel channelDetail
                speaker { id } outlet { id }
                reportedIn { id title publishedAt publishedAtPrecision }
              }
            }
            statements { id saidAt claim { id } }
          }
        }
      }`,
      { representations: [{ __typename: 'Event', id: RAID }] },
    );
    expect(errors).toBeUndefined();
    const raid = data!._entities[0];
    expect(raid.id).toBe(RAID);

    const raidClaims = seed.claims.filter((claim) => claim.event === 'belgorod-incursion-2023');
    expect(ids(raid.claims)).toEqual(raidClaims.map((claim) => seedId.claim(claim.slug)));
    expect(raid.perpetrators).toEqual([{ id: MILITIAS }, { id: FORMATIONS }]);

    // Kyiv and Moscow answer "Who carried out the raid?" differently, and nothing else about the raid is contested.
    expect(ids(raid.contestedClaims)).toEqual([MILITIAS, FORMATIONS]);
    const [militias, formations] = raid.contestedClaims;
    const reportedIn = {
      id: SOURCE,
      title: SOURCE_TITLE,
      publishedAt: '2023-05-23T00:00:00.000Z',
      publishedAtPrecision: 'DAY',
    };

    expect(militias).toMatchObject({
      text: 'Russian volunteer militias – the Freedom of Russia Legion and the Russian Volunteer Corps – carried out the raid.',
      aspect: 'PERPETRATOR',
      question: 'Who carried out the raid?',
      contested: true,
      event: { id: RAID },
      competingClaims: [{ id: FORMATIONS }],
    });
    expect(militias.statements).toEqual([
      {
        id: seedId.statement('yusov-russian-volunteer-militias'),
        stance: 'ASSERTS',
        quote: null,
        paraphrase:
          'Russian volunteer militias, the Freedom of Russia Legion and the Russian Volunteer Corps, carried out the incursion into Belgorod region.',
        saidAt: '2023-05-22T00:00:00.000Z',
        saidAtPrecision: 'DAY',
        channel: 'INTERVIEW',
        channelDetail: 'interview with Suspilne',
        speaker: { id: seedId.actor('andriy-yusov') },
        outlet: { id: seedId.actor('suspilne') },
        reportedIn,
      },
      {
        id: seedId.statement('malyar-patriots-of-russia'),
        stance: 'SUPPORTS',
        quote: 'These are patriots of Russia as far as we understand',
        paraphrase: 'As far as Kyiv understood, the fighters were Russian patriots.',
        saidAt: '2023-05-23T00:00:00.000Z',
        saidAtPrecision: 'DAY',
        channel: 'TELEVISED_COMMENTS',
        channelDetail: 'televised comments',
        speaker: { id: seedId.actor('hanna-malyar') },
        outlet: null,
        reportedIn,
      },
    ]);

    expect(formations).toMatchObject({
      text: 'Ukrainian armed units carried out the raid.',
      aspect: 'PERPETRATOR',
      question: 'Who carried out the raid?',
      contested: true,
      competingClaims: [{ id: MILITIAS }],
    });
    expect(formations.statements).toEqual([
      {
        id: seedId.statement('investigative-committee-ukrainian-armed-formations'),
        stance: 'ASSERTS',
        quote: 'Ukrainian armed formations',
        paraphrase: 'The committee blamed the attack on Ukrainian armed units.',
        saidAt: null,
        saidAtPrecision: null,
        channel: 'WRITTEN_STATEMENT',
        channelDetail: 'a statement',
        speaker: { id: seedId.actor('investigative-committee-of-russia') },
        outlet: null,
        reportedIn,
      },
    ]);

    // Every statement about the raid, and only those, earliest first.
    const raidClaimSlugs = new Set(raidClaims.map((claim) => claim.slug));
    const raidStatements = seed.statements.filter((statement) => raidClaimSlugs.has(statement.claim));
    expect(sorted(ids(raid.statements))).toEqual(
      sorted(raidStatements.map((statement) => seedId.statement(statement.slug))),
    );
    expect(
      raid.statements.every((statement: { claim: { id: string } }) => ids(raid.claims).includes(statement.claim.id)),
    ).toBe(true);
    expectEarliestFirst(raid.statements.map((statement: { saidAt: string | null }) => statement.saidAt));
  });

  it('quotes Gladkov on Telegram word for word', async () => {
    const { data, errors } = await statements.execute(
      `query($id: ID!) {
        statement(id: $id) {
          id quote paraphrase stance saidAt saidAtPrecision channel channelDetail
          speaker { id }
          claim { id aspect }
          reportedIn { slug }
          span { start end }
        }
      }`,
      { id: seedId.statement('gladkov-wrapping-up-operation') },
    );
    expect(errors).toBeUndefined();
    expect(data!.statement).toEqual({
      id: seedId.statement('gladkov-wrapping-up-operation'),
      quote: 'We are working to wrap up the anti-terrorist operation, security forces are doing all they can',
      paraphrase: null,
      stance: 'ASSERTS',
      saidAt: '2023-05-23T00:00:00.000Z',
      saidAtPrecision: 'DAY',
      channel: 'TELEGRAM',
      channelDetail: 'his Telegram channel',
      speaker: { id: seedId.actor('vyacheslav-gladkov') },
      claim: { id: seedId.claim('raid-response-security-operation-continuing'), aspect: 'RESPONSE' },
      reportedIn: { slug: SOURCE_SLUG },
      span: { start: 234, end: 328 },
    });
  });

  it('tells what an actor said and which of those claims are contested', async () => {
    const { data, errors } = await statements.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Actor {
            id
            statements { id stance quote saidAt channel claim { id } }
            denials: statements(stances: [DENIES, DISPUTES]) { id }
            contestedClaims {
              id text contested competingClaims { id }
              statements { stance speaker { id } }
            }
          }
        }
      }`,
      {
        representations: [
          { __typename: 'Actor', id: seedId.actor('volodymyr-zelenskyy') },
          { __typename: 'Actor', id: seedId.actor('vyacheslav-gladkov') },
          { __typename: 'Actor', id: seedId.actor('ukraine') },
        ],
      },
    );
    expect(errors).toBeUndefined();
    const [zelenskyy, gladkov, ukraine] = data!._entities;

    expect(zelenskyy.statements).toEqual([
      {
        id: seedId.statement('zelenskyy-denies-kremlin-drones'),
        stance: 'DENIES',
        quote: null,
        saidAt: '2023-05-01T00:00:00.000Z',
        channel: 'UNSPECIFIED',
        claim: { id: KREMLIN_PERPETRATOR },
      },
    ]);
    expect(zelenskyy.denials).toEqual([{ id: seedId.statement('zelenskyy-denies-kremlin-drones') }]);
    // Contested by opposing stances: Russia asserts it, Zelenskyy denies it; no competing claim.
    expect(zelenskyy.contestedClaims).toHaveLength(1);
    expect(zelenskyy.contestedClaims[0]).toMatchObject({
      id: KREMLIN_PERPETRATOR,
      text: 'Ukraine was behind the attempted drone strike on the Kremlin.',
      contested: true,
      competingClaims: [],
    });
    expect(zelenskyy.contestedClaims[0].statements).toEqual(
      expect.arrayContaining([
        { stance: 'ASSERTS', speaker: { id: seedId.actor('russia') } },
        { stance: 'DENIES', speaker: { id: seedId.actor('volodymyr-zelenskyy') } },
      ]),
    );
    expect(zelenskyy.contestedClaims[0].statements).toHaveLength(2);

    // Gladkov said three things; none of them is disputed.
    expect(sorted(ids(gladkov.statements))).toEqual(
      sorted(
        ['gladkov-wrapping-up-operation', 'gladkov-not-safe-to-return', 'gladkov-twelve-injured'].map(seedId.statement),
      ),
    );
    expect(gladkov.statements[0].quote).toBe(
      'We are working to wrap up the anti-terrorist operation, security forces are doing all they can',
    );
    expectEarliestFirst(gladkov.statements.map((statement: { saidAt: string | null }) => statement.saidAt));
    expect(gladkov.denials).toEqual([]);
    expect(gladkov.contestedClaims).toEqual([]);

    // Kyiv denied the Bryansk accusation.
    expect(ukraine.denials).toEqual([{ id: seedId.statement('kyiv-denies-bryansk-sabotage') }]);
    expect(ids(ukraine.contestedClaims)).toEqual([BRYANSK_PERPETRATOR]);
  });

  it('decides contested per claim: opposing stances or a competing answer, not otherwise', async () => {
    const { data, errors } = await statements.execute(
      `query($bryansk: ID!, $militias: ID!, $formations: ID!, $injured: ID!) {
        bryansk: claim(id: $bryansk) { contested competingClaims { id } statements { stance speaker { id } } }
        militias: claim(id: $militias) { contested competingClaims { id text } statements { stance } }
        formations: claim(id: $formations) { contested competingClaims { id text } statements { stance } }
        injured: claim(id: $injured) { text contested competingClaims { id } statements { stance speaker { id } } }
      }`,
      { bryansk: BRYANSK_PERPETRATOR, militias: MILITIAS, formations: FORMATIONS, injured: INJURED },
    );
    expect(errors).toBeUndefined();

    expect(data!.bryansk.contested).toBe(true);
    expect(data!.bryansk.competingClaims).toEqual([]);
    expect(data!.bryansk.statements).toEqual(
      expect.arrayContaining([
        { stance: 'ASSERTS', speaker: { id: seedId.actor('russia') } },
        { stance: 'DENIES', speaker: { id: seedId.actor('ukraine') } },
      ]),
    );

    // Nobody denies either perpetrator claim; they are contested because they compete.
    expect(data!.militias.contested).toBe(true);
    expect(data!.militias.statements.map((statement: { stance: string }) => statement.stance)).toEqual([
      'ASSERTS',
      'SUPPORTS',
    ]);
    expect(data!.militias.competingClaims).toEqual([
      { id: FORMATIONS, text: 'Ukrainian armed units carried out the raid.' },
    ]);
    expect(data!.formations.contested).toBe(true);
    expect(data!.formations.statements).toEqual([{ stance: 'ASSERTS' }]);
    expect(data!.formations.competingClaims).toEqual([
      {
        id: MILITIAS,
        text: 'Russian volunteer militias – the Freedom of Russia Legion and the Russian Volunteer Corps – carried out the raid.',
      },
    ]);

    expect(data!.injured).toEqual({
      text: 'Twelve people were hurt in attacks using artillery, mortars and explosives dropped by drones.',
      contested: false,
      competingClaims: [],
      statements: [{ stance: 'ASSERTS', speaker: { id: seedId.actor('vyacheslav-gladkov') } }],
    });
  });

  it('lists exactly the contested claims, and their complement', async () => {
    const { data, errors } = await statements.execute(`{
      contested: claims(contested: true, first: 100) { totalCount nodes { id contested } pageInfo { hasNextPage } }
      uncontested: claims(contested: false, first: 100) { totalCount nodes { id contested } pageInfo { hasNextPage } }
      all: claims(first: 100) { totalCount }
    }`);
    expect(errors).toBeUndefined();
    expect(data!.contested.totalCount).toBe(contestedSlugs.length);
    expect(ids(data!.contested.nodes)).toEqual(contestedSlugs.map(seedId.claim));
    expect(data!.contested.nodes.every((node: { contested: boolean }) => node.contested)).toBe(true);
    expect(data!.uncontested.totalCount).toBe(uncontestedSlugs.length);
    expect(ids(data!.uncontested.nodes)).toEqual(uncontestedSlugs.map(seedId.claim));
    expect(data!.uncontested.nodes.every((node: { contested: boolean }) => !node.contested)).toBe(true);
    expect(data!.all.totalCount).toBe(seed.claims.length);
  });

  it('narrows claims to an event and an aspect', async () => {
    const { data, errors } = await statements.execute(
      `query($raid: ID!, $kremlin: ID!) {
        raidPerpetrators: claims(eventId: $raid, aspect: PERPETRATOR) { totalCount nodes { id text event { id } } }
        raidContested: claims(eventId: $raid, contested: true) { nodes { id } }
        kremlin: claims(eventId: $kremlin) { totalCount nodes { id } }
        nothing: claims(eventId: "${UNKNOWN}") { totalCount nodes { id } }
      }`,
      { raid: RAID, kremlin: seedId.event('kremlin-drone-incident-2023') },
    );
    expect(errors).toBeUndefined();
    expect(data!.raidPerpetrators.totalCount).toBe(2);
    expect(data!.raidPerpetrators.nodes).toEqual([
      {
        id: MILITIAS,
        text: 'Russian volunteer militias – the Freedom of Russia Legion and the Russian Volunteer Corps – carried out the raid.',
        event: { id: RAID },
      },
      { id: FORMATIONS, text: 'Ukrainian armed units carried out the raid.', event: { id: RAID } },
    ]);
    expect(ids(data!.raidContested.nodes)).toEqual([MILITIAS, FORMATIONS]);
    expect(data!.kremlin.totalCount).toBe(2);
    expect(ids(data!.kremlin.nodes)).toEqual(
      ['kremlin-occurrence-two-drone-strike-averted', 'kremlin-perpetrator-ukraine'].map(seedId.claim),
    );
    expect(data!.nothing).toEqual({ totalCount: 0, nodes: [] });
  });

  it('pages through claims with cursors, oldest first', async () => {
    const query = `query($after: String) {
      claims(first: 5, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
    }`;
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const { data, errors }: ExecutionResult = await statements.execute(query, { after });
      expect(errors).toBeUndefined();
      expect(data!.claims.totalCount).toBe(seed.claims.length);
      sizes.push(data!.claims.edges.length);
      seen.push(...data!.claims.edges.map((edge: { node: { id: string } }) => edge.node.id));
      expect(data!.claims.pageInfo.endCursor).toBe(data!.claims.edges.at(-1).cursor);
      if (!data!.claims.pageInfo.hasNextPage) break;
      after = data!.claims.pageInfo.endCursor;
    }
    expect(sizes).toEqual([5, 5, 5, 3]);
    expect(seen).toEqual(seed.claims.map((claim) => seedId.claim(claim.slug)));

    // A filter holds across pages too.
    const first = await statements.execute(
      '{ claims(contested: true, first: 3) { nodes { id } pageInfo { hasNextPage endCursor } } }',
    );
    const rest = await statements.execute(
      'query($after: String) { claims(contested: true, first: 3, after: $after) { nodes { id } pageInfo { hasNextPage } } }',
      {
        after: first.data!.claims.pageInfo.endCursor,
      },
    );
    expect(first.data!.claims.pageInfo.hasNextPage).toBe(true);
    expect(rest.data!.claims.pageInfo.hasNextPage).toBe(false);
    expect([...ids(first.data!.claims.nodes), ...ids(rest.data!.claims.nodes)]).toEqual(
      contestedSlugs.map(seedId.claim),
    );
  });

  it('derives contested from the statements on every read, never from a stored flag', async () => {
    const query = `query($id: ID!, $raid: ID!) {
      claim(id: $id) { contested statements { stance } }
      contested: claims(contested: true, first: 100) { nodes { id } }
      uncontested: claims(contested: false, first: 100) { nodes { id } }
      _entities(representations: [{ __typename: "Event", id: $raid }]) { ... on Event { contestedClaims { id } } }
    }`;
    const variables = { id: INJURED, raid: RAID };
    const before = await statements.execute(query, variables);
    expect(before.errors).toBeUndefined();
    expect(before.data!.claim.contested).toBe(false);

    const client = new pg.Client({ connectionString: statements.database.url });
    await client.connect();
    const disputeId = randomUUID();
    try {
      // Someone disputes the casualty count.
      await client.query(
        `INSERT INTO "Statement" ("id", "claimId", "eventId", "speakerId", "stance", "paraphrase", "channel", "sourceId")
         VALUES ($1, $2, $3, $4, 'DISPUTES', $5, 'UNSPECIFIED', $6)`,
        [
          disputeId,
          INJURED,
          RAID,
          seedId.actor('russian-ministry-of-defence'),
          'Fewer people were hurt than the governor said.',
          SOURCE,
        ],
      );
      const during = await statements.execute(query, variables);
      expect(during.errors).toBeUndefined();
      expect(during.data!.claim.contested).toBe(true);
      expect(during.data!.claim.statements.map((statement: { stance: string }) => statement.stance).sort()).toEqual([
        'ASSERTS',
        'DISPUTES',
      ]);
      expect(ids(during.data!.contested.nodes)).toContain(INJURED);
      expect(ids(during.data!.uncontested.nodes)).not.toContain(INJURED);
      expect(ids(during.data!._entities[0].contestedClaims)).toEqual([MILITIAS, FORMATIONS, INJURED]);
    } finally {
      await client.query('DELETE FROM "Statement" WHERE "id" = $1', [disputeId]);
      await client.end();
    }

    const after = await statements.execute(query, variables);
    expect(after.errors).toBeUndefined();
    expect(after.data!.claim).toEqual({ contested: false, statements: [{ stance: 'ASSERTS' }] });
    expect(ids(after.data!.contested.nodes)).toEqual(contestedSlugs.map(seedId.claim));
    expect(ids(after.data!.uncontested.nodes)).toContain(INJURED);
    expect(ids(after.data!._entities[0].contestedClaims)).toEqual([MILITIAS, FORMATIONS]);
  });

  it('finds the source by slug and by id, its statements in the order the report tells them', async () => {
    const { data, errors } = await statements.execute(
      `query($id: ID!) {
        bySlug: source(slug: "${SOURCE_SLUG}") {
          id slug publisher title url publishedAt publishedAtPrecision language contentSha256
          statements(first: 100) { id span { start end } reportedIn { id } }
        }
        byId: source(id: $id) { slug title }
        sources { totalCount nodes { slug } }
      }`,
      { id: SOURCE },
    );
    expect(errors).toBeUndefined();
    const source = seed.sources[0]!;
    expect(data!.bySlug).toMatchObject({
      id: SOURCE,
      slug: SOURCE_SLUG,
      publisher: null,
      title: SOURCE_TITLE,
      url: null,
      publishedAt: '2023-05-23T00:00:00.000Z',
      publishedAtPrecision: 'DAY',
      language: 'en',
      contentSha256: createHash('sha256').update(source.text, 'utf8').digest('hex'),
    });
    expect(data!.byId).toEqual({ slug: SOURCE_SLUG, title: SOURCE_TITLE });
    expect(data!.sources).toEqual({ totalCount: 1, nodes: [{ slug: SOURCE_SLUG }] });

    const listed = data!.bySlug.statements as Array<{
      id: string;
      span: { start: number; end: number } | null;
      reportedIn: { id: string };
    }>;
    expect(listed).toHaveLength(seed.statements.length);
    expect(listed.every((statement) => statement.reportedIn.id === SOURCE)).toBe(true);
    // Each statement points at its own stretch of the report.
    const spanOf = new Map(seed.statements.map((statement) => [seedId.statement(statement.slug), statement.span]));
    for (const statement of listed) {
      expect(statement.span).not.toBeNull();
      expect(statement.span).toEqual(spanOf.get(statement.id));
    }
    // In reading order: by where the span starts.
    const starts = listed.map((statement) => statement.span!.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(listed[0]!.id).toBe(seedId.statement('russia-security-operation-second-day'));
    expect(listed.at(-1)!.id).toBe(seedId.statement('uk-mod-multi-domain-threat'));
  });

  it('resolves Claim, Statement and Source entities, null for unknown or malformed ids', async () => {
    const { data, errors } = await statements.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Claim { id question }
          ... on Statement { id quote }
          ... on Source { id slug }
        }
      }`,
      {
        representations: [
          { __typename: 'Claim', id: MILITIAS },
          { __typename: 'Claim', id: UNKNOWN },
          { __typename: 'Claim', id: 'not-a-uuid' },
          { __typename: 'Statement', id: seedId.statement('malyar-patriots-of-russia') },
          { __typename: 'Statement', id: UNKNOWN },
          { __typename: 'Statement', id: '42' },
          { __typename: 'Source', id: SOURCE },
          { __typename: 'Source', id: UNKNOWN },
          { __typename: 'Source', id: 'x' },
        ],
      },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual([
      { id: MILITIAS, question: 'Who carried out the raid?' },
      null,
      null,
      {
        id: seedId.statement('malyar-patriots-of-russia'),
        quote: 'These are patriots of Russia as far as we understand',
      },
      null,
      null,
      { id: SOURCE, slug: SOURCE_SLUG },
      null,
      null,
    ]);
  });

  it('answers an Event or Actor it knows nothing about with empty lists, and a malformed one with null', async () => {
    const { data, errors } = await statements.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Event { id claims { id } contestedClaims { id } statements { id } }
          ... on Actor { id statements { id } contestedClaims { id } }
        }
      }`,
      {
        representations: [
          { __typename: 'Event', id: UNKNOWN },
          { __typename: 'Event', id: 'not-a-uuid' },
          { __typename: 'Event', id: seedId.event('kremlin-drone-incident-2023') },
          { __typename: 'Actor', id: UNKNOWN },
          { __typename: 'Actor', id: 'not-a-uuid' },
          { __typename: 'Actor', id: seedId.actor('volodymyr-zelenskyy') },
        ],
      },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities[0]).toEqual({ id: UNKNOWN, claims: [], contestedClaims: [], statements: [] });
    expect(data!._entities[1]).toBeNull();
    // A malformed sibling does not spoil the real event in the same request.
    expect(ids(data!._entities[2].contestedClaims)).toEqual([KREMLIN_PERPETRATOR]);
    expect(data!._entities[3]).toEqual({ id: UNKNOWN, statements: [], contestedClaims: [] });
    expect(data!._entities[4]).toBeNull();
    expect(ids(data!._entities[5].statements)).toEqual([seedId.statement('zelenskyy-denies-kremlin-drones')]);
  });

  it('answers unknown ids and slugs with null, not an error', async () => {
    const { data, errors } = await statements.execute(`{
      claim(id: "${UNKNOWN}") { id }
      statement(id: "${UNKNOWN}") { id }
      byId: source(id: "${UNKNOWN}") { id }
      bySlug: source(slug: "no-such-source") { id }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ claim: null, statement: null, byId: null, bySlug: null });
  });

  it.each([
    ['a malformed claim id', '{ claim(id: "raid") { id } }', 'id must be a UUID'],
    ['a malformed statement id', '{ statement(id: "42") { id } }', 'id must be a UUID'],
    ['a malformed eventId', '{ claims(eventId: "x") { totalCount } }', 'eventId must be a UUID'],
    ['first: 0', '{ claims(first: 0) { totalCount } }', 'first must be between 1 and 100'],
    ['first: 101', '{ claims(first: 101) { totalCount } }', 'first must be between 1 and 100'],
    ['first: 101 on sources', '{ sources(first: 101) { totalCount } }', 'first must be between 1 and 100'],
    ['a forged cursor', '{ claims(after: "bm9wZQ") { totalCount } }', 'after must be an endCursor'],
    ['a forged cursor on sources', '{ sources(after: "not a cursor") { totalCount } }', 'after must be an endCursor'],
    [
      'a source with both id and slug',
      `{ source(id: "${SOURCE}", slug: "${SOURCE_SLUG}") { id } }`,
      'exactly one of id or slug',
    ],
    ['a source with neither id nor slug', '{ source { id } }', 'exactly one of id or slug'],
    ['a malformed source id', '{ source(id: "report") { id } }', 'id must be a UUID'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, query, message) => {
    const { data, errors } = await statements.execute(query);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toContain(message);
    expect(errors![0]!.extensions).not.toHaveProperty('stacktrace');
    expect(data?.claim ?? data?.claims ?? data?.statement ?? data?.source ?? data?.sources ?? null).toBeNull();
  });
});
