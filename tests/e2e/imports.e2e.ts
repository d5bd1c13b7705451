// Fact packages through the real gateway: the imports service resolving a package against the
// graph and asking the events, actors and statements services to write it, over real HTTP, on
// PostgreSQL. The seed itself came in this way when the federation started.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@newsfacts/platform/config';
import { seedId } from '@newsfacts/platform/seed-ids';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { syntheticPackage } from '../../scripts/lib/synthetic-package';
import { eventually, sleep } from '../helpers/eventually';
import { postGraphQL, startFederation, type AnyData, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';
import { inventedReport, INVENTED_REPORT_TEXT } from '../fixtures/packages';

const JOB = `id status dryRun failure packageId counts { created unchanged matched ambiguous rejected }
  records(first: 100) { nodes { kind key path outcome recordId slug matchedBy matchedName
    candidates { id slug name matchedName } errors { field code message } } totalCount }`;
const IMPORT = `mutation Import($package: JSON!, $dryRun: Boolean) {
  importPackage(input: { package: $package, dryRun: $dryRun }) { job { ${JOB} } errors { field code message } }
}`;
const IMPORT_JOB = `query Job($id: ID!) { importJob(id: $id) { ${JOB} } }`;

let federation: Federation;
let keys: Record<'reader' | 'kyiv' | 'lviv', string>;
const restarted: ServiceProcess[] = [];

const as = (key: string, query: string, variables?: Record<string, unknown>) =>
  postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, { authorization: `Bearer ${key}` });

/** Submits a package and follows its job to the end. */
async function importAs(key: string, pkg: unknown, dryRun = false): Promise<AnyData> {
  const answer = await as(key, IMPORT, { package: pkg, dryRun });
  expect(answer.body.errors).toBeUndefined();
  const submitted = answer.body.data!.importPackage;
  expect(submitted.errors).toEqual([]);
  return finished(key, submitted.job.id);
}

async function finished(key: string, id: string, timeoutMs = 120_000): Promise<AnyData> {
  return eventually(
    async () => {
      const job = (await as(key, IMPORT_JOB, { id })).body.data!.importJob;
      expect(['DONE', 'FAILED']).toContain(job.status);
      return job;
    },
    timeoutMs,
    200,
  );
}

const record = (job: AnyData, key: string) => job.records.nodes.find((node: AnyData) => node.key === key);

/** Rows of the graph a package could touch, counted through the API. */
async function graphCounts() {
  const { body } = await federation.query(`{
    actors(first: 1) { totalCount }
    sources(first: 1) { totalCount }
    raid: event(slug: "belgorod-incursion-2023") { participants(first: 100) { role } }
    denied: claim(id: "${seedId.claim('raid-perpetrator-ukrainian-armed-formations')}") { statements(first: 100) { id } }
    evacuees: claim(id: "${seedId.claim('raid-safety-evacuees-cannot-return')}") { statements(first: 100) { id } }
    claims(first: 1) { totalCount }
  }`);
  expect(body.errors).toBeUndefined();
  return {
    actors: body.data!.actors.totalCount,
    sources: body.data!.sources.totalCount,
    participants: body.data!.raid.participants.length,
    denied: body.data!.denied.statements.length,
    evacuees: body.data!.evacuees.statements.length,
    claims: body.data!.claims.totalCount,
  };
}

beforeAll(async () => {
  // A job whose worker stops is taken over after two seconds of silence, not thirty.
  federation = await startFederation({ env: { ANONYMOUS_ACCESS: 'read', IMPORT_LEASE_MS: '2000' } });
  const [reader, kyiv, lviv] = await Promise.all([
    createKey(federation.env, 'Reader', 'read'),
    createKey(federation.env, 'Kyiv Desk', 'read,write'),
    createKey(federation.env, 'Lviv Desk', 'read,write'),
  ]);
  keys = { reader: reader.key, kyiv: kyiv.key, lviv: lviv.key };
}, 180_000);

afterAll(async () => {
  await stopAll(restarted);
  await federation?.stop();
});

describe('the seed package', () => {
  it('came in through the importer: the raid with its participants, and every quote placed in the stored report', async () => {
    const { body } = await federation.query(`{
      source(slug: "belgorod-incursion-report-2023-05-23") {
        id text contentSha256 statements(first: 100) { quote span { start end } }
      }
      event(id: "${seedId.event('belgorod-incursion-2023')}") { slug participants(first: 100) { role } figures { value } }
    }`);
    expect(body.errors).toBeUndefined();
    const { source, event } = body.data!;
    expect(source.id).toBe(seedId.source('belgorod-incursion-report-2023-05-23'));
    expect(source.contentSha256).toBe('9460897abe0f63c7f29cf2177fd2ebec51ee1f755b9b9ddb80355498ae22f8b4');
    expect(source.statements).toHaveLength(22);
    for (const statement of source.statements) {
      expect(statement.span).not.toBeNull();
      if (statement.quote) expect(source.text.slice(statement.span.start, statement.span.end)).toBe(statement.quote);
    }
    expect(event.slug).toBe('belgorod-incursion-2023');
    expect(event.participants.length).toBeGreaterThan(10);
    expect(event.figures).toEqual([{ value: 12 }]);
  });

  it("imported again by a deployment's seed job (scripts/seed.ts), changes nothing", async () => {
    const before = await graphCounts();
    const lines: string[] = [];
    const job = startService(
      'seed',
      'scripts/seed.ts',
      {
        ...process.env,
        IMPORTS_URL: `${federation.subgraphUrls.imports}/graphql`,
        SUBGRAPH_SIGNING_SECRET: federation.env.SUBGRAPH_SIGNING_SECRET,
      },
      (_name, line) => lines.push(line),
    );
    expect(await job.exited, lines.join('\n')).toBe(0);
    expect(lines.at(-1)).toBe('seed: 0 created, 69 unchanged, 0 matched, 0 ambiguous, 0 rejected');
    expect(await graphCounts()).toEqual(before);
  }, 60_000);
});

describe('a second report of the raid', () => {
  it('a dry run resolves everything, says what an import would do, and writes nothing', async () => {
    const before = await graphCounts();
    const job = await importAs(keys.kyiv, inventedReport(), true);
    expect(job).toMatchObject({ status: 'DONE', dryRun: true, failure: null });
    expect(job.counts).toEqual({ created: 4, unchanged: 0, matched: 2, ambiguous: 0, rejected: 0 });
    expect(record(job, 'hladkov')).toMatchObject({
      outcome: 'MATCHED',
      recordId: seedId.actor('vyacheslav-gladkov'),
      matchedBy: 'ALIAS',
      matchedName: 'Vyacheslav Hladkov',
    });
    expect(record(job, 'evacuees')).toMatchObject({
      outcome: 'MATCHED',
      recordId: seedId.claim('raid-safety-evacuees-cannot-return'),
      matchedBy: 'TEXT',
    });
    expect(record(job, 'podolyak')).toMatchObject({ outcome: 'CREATED', path: ['actors', '1'] });
    expect(await graphCounts()).toEqual(before);
    const podolyak = await federation.query(`{ actors(search: "Podolyak") { totalCount } }`);
    expect(podolyak.body.data!.actors.totalCount).toBe(0);
  }, 60_000);

  it('imported, its facts attach to the actor and claims the graph holds; the dry run had told the same ids', async () => {
    const dry = await importAs(keys.kyiv, inventedReport(), true);
    const before = await graphCounts();
    const job = await importAs(keys.kyiv, inventedReport());
    expect(job.status).toBe('DONE');
    expect(job.counts).toEqual({ created: 4, unchanged: 0, matched: 2, ambiguous: 0, rejected: 0 });
    for (const node of job.records.nodes) expect(node.recordId).toBe(record(dry, node.key).recordId);

    expect(await graphCounts()).toEqual({
      ...before,
      actors: before.actors + 1,
      sources: before.sources + 1,
      denied: before.denied + 1,
      evacuees: before.evacuees + 1,
    });
    const { body } = await federation.query(
      `query($gladkov: ID!, $statement: ID!) {
        actor(id: $gladkov) { statements(first: 100) { quote stance reportedIn { title } span { start end } } }
        statement(id: $statement) { stance speaker { name } claim { text contested } span { context } }
      }`,
      { gladkov: seedId.actor('vyacheslav-gladkov'), statement: record(job, 'podolyak-denies').recordId },
    );
    expect(body.errors).toBeUndefined();
    const hladkov = body.data!.actor.statements.find(
      (statement: AnyData) => statement.quote === 'It is too early to go home',
    );
    expect(hladkov).toMatchObject({ stance: 'SUPPORTS', reportedIn: { title: expect.stringMatching(/invented/) } });
    expect(INVENTED_REPORT_TEXT.slice(hladkov.span.start, hladkov.span.end)).toBe('It is too early to go home');
    expect(body.data!.statement).toMatchObject({
      stance: 'DENIES',
      speaker: { name: 'Mykhailo Podolyak' },
      claim: { text: 'Ukrainian armed units carried out the raid.', contested: true },
      span: { context: expect.stringContaining('Ukraine has nothing to do with it') },
    });
  }, 60_000);

  it('imported twice, the second time changes nothing', async () => {
    const before = await graphCounts();
    const job = await importAs(keys.kyiv, inventedReport());
    expect(job.counts).toEqual({ created: 0, unchanged: 4, matched: 2, ambiguous: 0, rejected: 0 });
    expect(await graphCounts()).toEqual(before);
  }, 60_000);

  it("another key's import of it makes that key's own records, matching the actors and source text it finds", async () => {
    const job = await importAs(keys.lviv, inventedReport());
    expect(job.status).toBe('DONE');
    // Podolyak is in the graph now, found by name; the statements are Lviv's own.
    expect(record(job, 'podolyak')).toMatchObject({ outcome: 'MATCHED', matchedBy: 'NAME' });
    expect(record(job, 'podolyak-denies').outcome).toBe('CREATED');
    const job2 = (await as(keys.kyiv, IMPORT_JOB, { id: job.id })).body;
    expect(job2.errors).toBeUndefined();
    expect(job2.data!.importJob).toBeNull();
  }, 60_000);
});

describe('following jobs', () => {
  it('importJobs(updatedSince) lists the jobs started or changed at or after an instant', async () => {
    const JOBS_SINCE = `query($since: DateTime) { importJobs(updatedSince: $since, first: 100) { totalCount nodes { id status } } }`;
    const earlier = await importAs(keys.lviv, inventedReport(), true);
    // Past a heartbeat still in flight when the job ended (it moves updatedAt too).
    await sleep(1_000);
    const since = new Date().toISOString();
    const later = await importAs(keys.lviv, inventedReport(), true);
    const { body } = await as(keys.lviv, JOBS_SINCE, { since });
    expect(body.errors).toBeUndefined();
    const ids = body.data!.importJobs.nodes.map((node: AnyData) => node.id);
    expect(ids).toContain(later.id);
    expect(ids).not.toContain(earlier.id);
    expect(body.data!.importJobs.totalCount).toBe(ids.length);
    const everything = (await as(keys.lviv, JOBS_SINCE, { since: null })).body.data!.importJobs;
    expect(everything.nodes.map((node: AnyData) => node.id)).toEqual(expect.arrayContaining([earlier.id, later.id]));
    const bad = await as(keys.lviv, `{ importJobs(updatedSince: "last week") { totalCount } }`);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }, 120_000);
});

describe('names that could mean more than one actor', () => {
  it('are never guessed: the record is reported AMBIGUOUS with its candidates, and nothing of it is written', async () => {
    const create = (name: string, alias: string) =>
      as(
        keys.kyiv,
        `mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id slug } errors { message } } }`,
        {
          input: {
            name,
            kind: 'ORGANIZATION',
            description: 'Invented for the import tests.',
            aliases: [{ name: alias, kind: 'ABBREVIATION' }],
          },
        },
      );
    const [first, second] = [
      await create('Border Guard Unit North', 'BGU'),
      await create('Border Guard Unit South', 'BGU'),
    ];
    const ids = [first.body.data!.createActor.actor.id, second.body.data!.createActor.actor.id];
    const pkg = inventedReport('ambiguity-test');
    pkg.statements = [
      {
        key: 'bgu-says',
        claim: { id: seedId.claim('raid-safety-evacuees-cannot-return') },
        speaker: { name: 'bgu' },
        stance: 'ASSERTS',
        paraphrase: 'Said residents should not go back.',
        channel: 'UNSPECIFIED',
      },
    ];
    const job = await importAs(keys.kyiv, pkg);
    const ambiguous = record(job, 'bgu-says');
    expect(ambiguous).toMatchObject({ outcome: 'AMBIGUOUS', recordId: null });
    expect(ambiguous.errors).toEqual([
      { field: ['statements', '0', 'speaker'], code: 'AMBIGUOUS_NAME', message: expect.stringContaining('2 actors') },
    ]);
    expect(ambiguous.candidates.map((candidate: AnyData) => candidate.id).sort()).toEqual([...ids].sort());
    expect(ambiguous.candidates[0].matchedName).toBe('BGU');
    expect(job.counts.ambiguous).toBe(1);
  }, 60_000);
});

describe('bad packages', () => {
  it('a package that is not one is refused whole, with paths to what is wrong, and no job', async () => {
    const answer = await as(keys.kyiv, IMPORT, { package: { ...inventedReport(), version: 2, source: { title: '' } } });
    expect(answer.body.errors).toBeUndefined();
    const { job, errors } = answer.body.data!.importPackage;
    expect(job).toBeNull();
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: ['input', 'package', 'version'], code: 'INVALID' }),
        expect.objectContaining({ field: ['input', 'package', 'source', 'title'], code: 'INVALID' }),
      ]),
    );
  });

  it('too many records, or more bytes than a write key may send, are refused', async () => {
    const many = { ...inventedReport('many'), places: Array.from({ length: 50_000 }, () => ({})) };
    const refused = await as(keys.kyiv, IMPORT, { package: many });
    expect(refused.body.data!.importPackage.errors).toEqual([
      expect.objectContaining({ field: ['input', 'package'], message: expect.stringMatching(/at most 50000 records/) }),
    ]);
    const huge = {
      ...inventedReport('huge'),
      source: { ...inventedReport().source, note: 'x'.repeat(18 * 1024 * 1024) },
    };
    const tooLarge = await as(keys.kyiv, IMPORT, { package: huge });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    // A reader's body is held to the smaller limit: 64 KiB.
    const readerAnswer = await as(keys.reader, IMPORT, {
      package: { ...inventedReport(), padding: 'x'.repeat(100_000) },
    });
    expect(readerAnswer.status).toBe(413);
  }, 60_000);

  it('each bad record is refused with its path and reason, what depends on it too, and the rest goes in', async () => {
    const before = await graphCounts();
    const pkg = inventedReport('bad-records');
    pkg.actors = [
      ...pkg.actors!,
      { key: 'nobody', name: 'Nobody', kind: 'ROBOT' as never, description: 'Not a kind of actor.' },
      {
        key: 'spy',
        name: 'An Invented Spy',
        kind: 'PERSON',
        description: 'Invented.',
        aliases: [
          { name: 'The Spy', kind: 'ALTERNATIVE_NAME' },
          { name: 'The Spy', kind: 'ALTERNATIVE_NAME' },
        ],
      },
    ];
    pkg.statements = [
      ...pkg.statements!,
      {
        key: 'misquoted',
        claim: 'evacuees',
        speaker: 'hladkov',
        stance: 'ASSERTS',
        quote: 'Words nobody said',
        channel: 'UNSPECIFIED',
      },
      {
        key: 'by-nobody',
        claim: 'evacuees',
        speaker: 'nobody',
        stance: 'ASSERTS',
        paraphrase: 'Something.',
        channel: 'UNSPECIFIED',
      },
      {
        key: 'dangling',
        claim: 'no-such-claim',
        speaker: 'hladkov',
        stance: 'ASSERTS',
        paraphrase: 'Something.',
        channel: 'UNSPECIFIED',
      },
      {
        key: 'future',
        claim: 'evacuees',
        speaker: 'hladkov',
        stance: 'ASSERTS',
        paraphrase: 'x',
        saidAt: '2999-01-01T00:00:00Z',
        saidAtPrecision: 'DAY',
        channel: 'UNSPECIFIED',
      },
    ];
    const job = await importAs(keys.kyiv, pkg);
    expect(job.status).toBe('DONE');
    const errorsOf = (key: string) =>
      record(job, key).errors.map((error: AnyData) => [error.field.join('.'), error.code]);
    expect(errorsOf('nobody')).toEqual([['actors.2.kind', 'INVALID']]);
    expect(errorsOf('misquoted')).toEqual([['statements.2.quote', 'QUOTE_NOT_IN_SOURCE']]);
    expect(errorsOf('by-nobody')).toEqual([['statements.3.speaker', 'NOT_IMPORTED']]);
    expect(errorsOf('dangling')).toEqual([['statements.4.claim', 'UNKNOWN_REFERENCE']]);
    expect(errorsOf('future')).toEqual([['statements.5.saidAt', 'INVALID']]);
    // Refused by the actors service as it wrote, and reported at the package's path.
    expect(errorsOf('spy')).toEqual([['actors.3.aliases.1.name', 'TAKEN']]);
    expect(job.counts.rejected).toBe(6);
    expect(record(job, 'podolyak-denies').outcome).toBe('CREATED');
    const after = await graphCounts();
    expect(after.denied).toBe(before.denied + 1);
    const spies = await federation.query(`{ actors(search: "Invented Spy") { totalCount } }`);
    expect(spies.body.data!.actors.totalCount).toBe(0);
  }, 60_000);

  it('a read key, and no key, may not import', async () => {
    const reader = await as(keys.reader, IMPORT, { package: inventedReport() });
    expect(reader.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await federation.query(IMPORT, { package: inventedReport() });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('imports that stop midway', () => {
  it('two imports of one package at once create each record once', async () => {
    const pkg = syntheticPackage({ id: 'concurrent', statements: 150, actors: 10 });
    const submit = () => as(keys.kyiv, IMPORT, { package: pkg });
    const [a, b] = await Promise.all([submit(), submit()]);
    expect(a.body.errors).toBeUndefined();
    const jobs = await Promise.all([a, b].map((answer) => finished(keys.kyiv, answer.body.data!.importPackage.job.id)));
    for (const job of jobs) expect(job).toMatchObject({ status: 'DONE', counts: { rejected: 0, ambiguous: 0 } });
    const { body } = await federation.query(
      `{ actors(search: "Synthetic Witness concurrent", first: 100) { totalCount } }`,
    );
    expect(body.data!.actors.totalCount).toBe(10);
    const statementIds = jobs.map((job) => job.records.nodes.filter((node: AnyData) => node.kind === 'STATEMENT'));
    expect(statementIds[0].map((node: AnyData) => node.recordId)).toEqual(
      statementIds[1].map((node: AnyData) => node.recordId),
    );
    const source = await federation.query(`query($id: ID!) { source(id: $id) { statements(first: 100) { id } } }`, {
      id: record(jobs[0]!, 'report').recordId,
    });
    expect(source.body.data!.source.statements).toHaveLength(100);
    const again = await importAs(keys.kyiv, pkg);
    expect(again.counts.created).toBe(0);
  }, 180_000);

  it('the importer killed mid-job: restarted, it takes the job over and completes it, with no duplicates', async () => {
    const pkg = syntheticPackage({ id: 'killed', statements: 600, actors: 10 });
    const submitted = await as(keys.kyiv, IMPORT, { package: pkg });
    const { id } = submitted.body.data!.importPackage.job;
    // Killed once some, not all, of its records are written.
    await eventually(
      async () => {
        const { body } = await federation.query(
          `{ actors(search: "Synthetic Witness killed", first: 100) { totalCount } }`,
        );
        expect(body.data!.actors.totalCount).toBeGreaterThan(0);
      },
      60_000,
      20,
    );
    const imports = restarted.find((service) => service.name === 'imports') ?? federation.processes.imports;
    imports.child.kill('SIGKILL');
    await imports.exited;
    const again = startService('imports', 'services/imports/src/index.ts', federation.env, (source, line) =>
      federation.output.push(`[${source}] ${line}`),
    );
    restarted.push(again);
    await waitUntilReady(`${federation.subgraphUrls.imports}/readyz`, again);

    const job = await finished(keys.kyiv, id, 180_000);
    expect(job).toMatchObject({ status: 'DONE', counts: { rejected: 0, ambiguous: 0 } });
    const total = job.counts.created + job.counts.unchanged;
    expect(total).toBe(1 + 1 + 10 + 1 + 7 + 600);
    // Run once more: everything is there, once.
    const rerun = await importAs(keys.kyiv, pkg);
    expect(rerun.counts).toMatchObject({ created: 0, unchanged: total, rejected: 0 });
  }, 300_000);

  it('a service the package needs is down: the job FAILS saying so, and importing again once it is back completes it', async () => {
    const pkg = inventedReport('statements-down');
    pkg.actors = [{ key: 'witness', name: 'An Invented Witness', kind: 'PERSON', description: 'Invented.' }];
    pkg.statements = [{ ...pkg.statements![1]!, speaker: 'witness' }];
    await stopAll([federation.processes.statements]);
    try {
      const job = await importAs(keys.kyiv, pkg);
      expect(job.status).toBe('FAILED');
      expect(job.failure).toMatch(/statements service could not be reached.*import the package again/);
    } finally {
      const statements = startService(
        'statements',
        'services/statements/src/index.ts',
        federation.env,
        (source, line) => federation.output.push(`[${source}] ${line}`),
      );
      restarted.push(statements);
      await waitUntilReady(`${federation.subgraphUrls.statements}/readyz`, statements);
    }
    const job = await importAs(keys.kyiv, pkg);
    expect(job).toMatchObject({ status: 'DONE', counts: { rejected: 0, ambiguous: 0 } });
    expect(record(job, 'hladkov-too-early').outcome).toBe('CREATED');
  }, 120_000);
});

describe('the format', () => {
  it("the README's example imports as it says", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const example = JSON.parse(/### Fact packages[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1]!);
    const job = await importAs(keys.kyiv, example);
    expect(job).toMatchObject({ status: 'DONE', counts: { rejected: 0, ambiguous: 0 } });
    expect(record(job, 'too-early')).toMatchObject({ outcome: 'CREATED' });
  }, 60_000);

  it('is served as a JSON Schema by the gateway', async () => {
    const response = await fetch(`${federation.gatewayUrl}/schemas/fact-package-v1.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/schema\+json/);
    const schema = (await response.json()) as AnyData;
    expect(schema.$schema).toMatch(/json-schema.org/);
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'version', 'id', 'source']));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['places', 'actors', 'events', 'claims', 'statements']),
    );
  });
});
