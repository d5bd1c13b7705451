import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRecordId } from '@newsfacts/platform/ids';
import { seedId } from '@newsfacts/platform/seed-ids';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';
import {
  CREATE_CLAIM,
  CREATE_SOURCE,
  CREATE_STATEMENT,
  DELETE_CLAIM,
  DELETE_SOURCE,
  DELETE_STATEMENT,
  REPORT_TEXT,
  report,
  UPDATE_CLAIM,
  UPDATE_SOURCE,
  UPDATE_STATEMENT,
} from '../../../tests/fixtures/statement-writes';

// The statements subgraph's writes, in-process on a fresh PostgreSQL database. No other subgraph
// runs beside it, so a write that must ask the events or actors service is refused as
// unavailable: everything this service checks itself is checked before that, and tested here.

const KYIV_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_kyivdesk0001', scopes: ['READ', 'WRITE'] };
const OTHER_DESK: ForwardedPrincipal = { kind: 'key', keyId: 'key_otherdesk001', scopes: ['READ', 'WRITE'] };
const EDITOR: ForwardedPrincipal = { kind: 'key', keyId: 'key_editor000001', scopes: ['READ', 'WRITE', 'ADMIN'] };
const READER: ForwardedPrincipal = { kind: 'key', keyId: 'key_reader000001', scopes: ['READ'] };

const RAID = seedId.event('belgorod-incursion-2023');
const GLADKOV = seedId.actor('vyacheslav-gladkov');
const UKRAINIAN_FORMATIONS = seedId.claim('raid-perpetrator-ukrainian-armed-formations');
const SEED_SOURCE = seedId.source('belgorod-incursion-report-2023-05-23');
const NOWHERE = '00000000-0000-4000-8000-000000000000';
// A source created without text (its id follows from its externalId), for spans with nothing to point into.
const TEXTLESS_SOURCE = newRecordId('source', KYIV_DESK.keyId!, 'textless-report');

let statements: SubgraphHarness;
let db: pg.Client;
let sourceId: string;
beforeAll(async () => {
  statements = await startSubgraphHarness('statements');
  db = new pg.Client({ connectionString: statements.database.url });
  await db.connect();
  const { data } = await statements.execute(CREATE_SOURCE, { input: report }, KYIV_DESK);
  sourceId = data!.createSource.source.id;
  const { text: _text, ...textless } = report;
  const bare = await statements.execute(
    CREATE_SOURCE,
    { input: { ...textless, title: 'A report kept without its text', externalId: 'textless-report' } },
    KYIV_DESK,
  );
  expect(bare.data!.createSource.source.id).toBe(TEXTLESS_SOURCE);
});
afterAll(async () => {
  await db?.end();
  await statements?.close();
});

/** Every row of every table, to show that a refused write changed nothing. */
async function snapshot(): Promise<string> {
  const tables = ['Source', 'Claim', 'Statement', 'Change'];
  const rows = await Promise.all(
    tables.map(async (table) => (await db.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows),
  );
  return JSON.stringify(rows);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sources', () => {
  it('stores one with its text, computes the text’s SHA-256, records who made it, and logs the change', async () => {
    const { data, errors } = await statements.execute(
      CREATE_SOURCE,
      { input: { ...report, title: 'Kept text' } },
      KYIV_DESK,
    );
    expect(errors).toBeUndefined();
    expect(data!.createSource).toEqual({
      source: {
        id: expect.any(String),
        slug: 'kept-text',
        title: 'Kept text',
        url: report.url,
        publishedAt: '2023-05-24T00:00:00.000Z',
        publishedAtPrecision: 'DAY',
        language: 'en',
        text: REPORT_TEXT,
        contentSha256: sha256(REPORT_TEXT),
      },
      errors: [],
    });
    const { id } = data!.createSource.source;
    const stored = await db.query('SELECT "createdBy", "createdAt" <= now() AS dated FROM "Source" WHERE id = $1', [
      id,
    ]);
    expect(stored.rows).toEqual([{ createdBy: 'key_kyivdesk0001', dated: true }]);
    const changes = await db.query('SELECT operation, "by", fields FROM "Change" WHERE "entityId" = $1', [id]);
    expect(changes.rows).toEqual([
      {
        operation: 'CREATE',
        by: 'key_kyivdesk0001',
        fields: expect.arrayContaining(['title', 'text', 'contentSha256']),
      },
    ]);
  });

  it('never takes a SHA-256 from the input', async () => {
    const before = await snapshot();
    const { errors } = await statements.execute(
      CREATE_SOURCE,
      { input: { ...report, contentSha256: '0'.repeat(64) } },
      KYIV_DESK,
    );
    expect(errors?.[0]?.message).toMatch(/contentSha256/);
    expect(await snapshot()).toBe(before);
  });

  it('returns the same source for a repeat with the same externalId, and refuses one with other values', async () => {
    const input = { ...report, title: 'Retried report', externalId: 'wire-17' };
    const first = await statements.execute(CREATE_SOURCE, { input }, KYIV_DESK);
    const again = await statements.execute(CREATE_SOURCE, { input }, KYIV_DESK);
    expect(again.data!.createSource.source.id).toBe(first.data!.createSource.source.id);
    const before = await snapshot();
    const changed = await statements.execute(
      CREATE_SOURCE,
      { input: { ...input, text: `${REPORT_TEXT} More.` } },
      KYIV_DESK,
    );
    expect(changed.data!.createSource).toEqual({
      source: null,
      errors: [{ field: ['input', 'externalId'], code: 'CONFLICT', message: expect.stringContaining('other values') }],
    });
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['an empty title', { title: ' ' }, ['input', 'title'], 'INVALID'],
    ['an overlong title', { title: 'x'.repeat(501) }, ['input', 'title'], 'TOO_LONG'],
    ['a URL that is not http(s)', { url: 'ftp://example.org/report' }, ['input', 'url'], 'INVALID'],
    ['a URL that is not one', { url: 'example.org/report' }, ['input', 'url'], 'INVALID'],
    ['a bad language tag', { language: 'English' }, ['input', 'language'], 'INVALID'],
    [
      'a DAY-precision date that is not midnight',
      { publishedAt: '2023-05-24T13:00:00Z' },
      ['input', 'publishedAt'],
      'INVALID',
    ],
    [
      'a YEAR-precision date that is not 1 January',
      { publishedAt: '2023-05-01T00:00:00Z', publishedAtPrecision: 'YEAR' },
      ['input', 'publishedAt'],
      'INVALID',
    ],
    ['a date in the future', { publishedAt: '2999-01-01T00:00:00Z' }, ['input', 'publishedAt'], 'INVALID'],
    ['a bad slug', { slug: 'Not A Slug' }, ['input', 'slug'], 'INVALID'],
    ['a taken slug', { slug: 'belgorod-incursion-report-2023-05-23' }, ['input', 'slug'], 'TAKEN'],
    ['an empty text', { text: ' \n ' }, ['input', 'text'], 'INVALID'],
  ])('refuses %s, naming the field, and writes nothing', async (_case, change, field, code) => {
    const before = await snapshot();
    const { data, errors } = await statements.execute(CREATE_SOURCE, { input: { ...report, ...change } }, KYIV_DESK);
    expect(errors).toBeUndefined();
    expect(data!.createSource.source).toBeNull();
    expect(data!.createSource.errors).toContainEqual({ field, code, message: expect.any(String) });
    expect(await snapshot()).toBe(before);
  });

  it("refuses a key without the write scope, and another partner's change, with FORBIDDEN", async () => {
    const before = await snapshot();
    const read = await statements.execute(CREATE_SOURCE, { input: report }, READER);
    expect(read.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await statements.execute(UPDATE_SOURCE, { input: { id: sourceId, title: 'Hijacked' } }, OTHER_DESK);
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const seeded = await statements.execute(DELETE_SOURCE, { input: { id: SEED_SOURCE } }, KYIV_DESK);
    expect(seeded.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });

  it('refuses deleting a source statements are reported in, with them as referrers; deletes an unreferenced one', async () => {
    const before = await snapshot();
    const { data } = await statements.execute(DELETE_SOURCE, { input: { id: SEED_SOURCE } }, EDITOR);
    expect(data!.deleteSource.deletedId).toBeNull();
    expect(data!.deleteSource.errors).toEqual([
      { field: ['input', 'id'], code: 'REFERENCED', message: expect.stringContaining('Statement') },
    ]);
    expect(data!.deleteSource.referrers).toHaveLength(20);
    expect(data!.deleteSource.referrers[0]).toEqual({
      type: 'Statement',
      id: expect.any(String),
      service: 'statements',
    });
    expect(await snapshot()).toBe(before);

    const created = await statements.execute(CREATE_SOURCE, { input: { ...report, title: 'Gone soon' } }, KYIV_DESK);
    const { id } = created.data!.createSource.source;
    const removed = await statements.execute(DELETE_SOURCE, { input: { id } }, KYIV_DESK);
    expect(removed.data!.deleteSource).toEqual({ deletedId: id, referrers: [], errors: [] });
    expect((await db.query('SELECT 1 FROM "Source" WHERE id = $1', [id])).rowCount).toBe(0);
    const changes = await db.query('SELECT operation FROM "Change" WHERE "entityId" = $1 ORDER BY seq', [id]);
    expect(changes.rows.map((row) => row.operation)).toEqual(['CREATE', 'DELETE']);
  });
});

describe('claims', () => {
  const claim = { eventId: RAID, aspect: 'PERPETRATOR', question: 'Who carried out the raid?', text: 'Nobody did.' };

  it('are refused SERVICE_UNAVAILABLE, writing nothing, when the events service cannot be asked', async () => {
    const before = await snapshot();
    const { data, errors } = await statements.execute(CREATE_CLAIM, { input: claim }, KYIV_DESK);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(errors?.[0]?.message).toMatch(/nothing was written/);
    expect(await snapshot()).toBe(before);
  });

  it.each([
    ['an event id that is not one', { eventId: 'belgorod' }, ['input', 'eventId'], 'INVALID'],
    ['an empty text', { text: '' }, ['input', 'text'], 'INVALID'],
    ['an overlong question', { question: 'q'.repeat(501) }, ['input', 'question'], 'TOO_LONG'],
  ])('refuses %s before asking anyone, writing nothing', async (_case, change, field, code) => {
    const before = await snapshot();
    const { data, errors } = await statements.execute(CREATE_CLAIM, { input: { ...claim, ...change } }, KYIV_DESK);
    expect(errors).toBeUndefined();
    expect(data!.createClaim).toEqual({ claim: null, errors: [{ field, code, message: expect.any(String) }] });
    expect(await snapshot()).toBe(before);
  });

  it("changes a claim's own fields without asking the events service; only its contributor or an editor may", async () => {
    const before = await snapshot();
    const refused = await statements.execute(
      UPDATE_CLAIM,
      { input: { id: UKRAINIAN_FORMATIONS, text: 'X' } },
      KYIV_DESK,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
    const text = 'Ukrainian armed units carried out the raid into the Belgorod region.';
    const { data } = await statements.execute(UPDATE_CLAIM, { input: { id: UKRAINIAN_FORMATIONS, text } }, EDITOR);
    expect(data!.updateClaim).toEqual({
      claim: { id: UKRAINIAN_FORMATIONS, text, question: 'Who carried out the raid?' },
      errors: [],
    });
    const changes = await db.query(`SELECT "by", fields FROM "Change" WHERE "entityId" = $1`, [UKRAINIAN_FORMATIONS]);
    expect(changes.rows).toEqual([{ by: 'key_editor000001', fields: ['text'] }]);
  });

  it('refuses a delete, deleting nothing, when the events service cannot say what rests on the claim', async () => {
    const before = await snapshot();
    const { data, errors } = await statements.execute(DELETE_CLAIM, { input: { id: UKRAINIAN_FORMATIONS } }, EDITOR);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });

  it('answers the events service which claims rest on an event, for its delete check', async () => {
    const { data } = await statements.execute(
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Event { referrersInStatements(first: 3) { type id service } } }
      }`,
      { representations: [{ __typename: 'Event', id: RAID }] },
    );
    const expected = await db.query(`SELECT id FROM "Claim" WHERE "eventId" = $1 ORDER BY id LIMIT 3`, [RAID]);
    expect(data!._entities[0].referrersInStatements).toEqual(
      expected.rows.map(({ id }) => ({ type: 'Claim', id, service: 'statements' })),
    );
  });
});

describe('statements', () => {
  const statement = () => ({
    claimId: UKRAINIAN_FORMATIONS,
    speakerId: GLADKOV,
    stance: 'DENIES',
    quote: 'but the sweep is over',
    channel: 'TELEGRAM',
    sourceId,
    saidAt: '2023-05-24T00:00:00Z',
    saidAtPrecision: 'DAY',
  });

  it('are refused SERVICE_UNAVAILABLE, writing nothing, once all else holds and the actors service cannot be asked', async () => {
    const before = await snapshot();
    const { data, errors } = await statements.execute(CREATE_STATEMENT, { input: statement() }, KYIV_DESK);
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await snapshot()).toBe(before);
  });

  it.each([
    [
      'a quote not in its source’s text',
      { quote: 'The sweep has failed' },
      ['input', 'quote'],
      'QUOTE_NOT_IN_SOURCE',
      /not in the text/,
    ],
    [
      'a quote found twice, with nothing to pick one',
      { quote: 'situation remains difficult' },
      ['input', 'quote'],
      'AMBIGUOUS_QUOTE',
      /2 times.*quoteContext/,
    ],
    [
      'a span that does not read as the quote',
      { span: { start: 0, end: 21 } },
      ['input', 'span'],
      'INVALID',
      /"Shelling continued ov".*not the quote/,
    ],
    ['a span past the text', { span: { start: 0, end: 5_000 } }, ['input', 'span'], 'INVALID', /inside/],
    [
      'a context not in the text',
      { quote: 'situation remains difficult', quoteContext: 'the situation is fine' },
      ['input', 'quoteContext'],
      'INVALID',
      /not in the source/,
    ],
    ['an unknown claim', { claimId: NOWHERE }, ['input', 'claimId'], 'UNKNOWN_REFERENCE', /No claim/],
    ['an unknown source', { sourceId: NOWHERE }, ['input', 'sourceId'], 'UNKNOWN_REFERENCE', /No source/],
    ['a speaker id that is not one', { speakerId: 'gladkov' }, ['input', 'speakerId'], 'INVALID', /UUID/],
    ['neither quote nor paraphrase', { quote: null }, ['input', 'quote'], 'INVALID', /paraphrase/],
    ['a date without its precision', { saidAtPrecision: null }, ['input', 'saidAtPrecision'], 'INVALID', /saidAt/],
    [
      'a DAY-precision date with a time',
      { saidAt: '2023-05-23T08:30:00Z' },
      ['input', 'saidAt'],
      'INVALID',
      /midnight/,
    ],
    [
      'a date after its source was published',
      { saidAt: '2023-05-25T00:00:00Z' },
      ['input', 'saidAt'],
      'INVALID',
      /after the source/,
    ],
    ['an overlong channel detail', { channelDetail: 'x'.repeat(301) }, ['input', 'channelDetail'], 'TOO_LONG', /300/],
    [
      'a span into a source with no text',
      { sourceId: TEXTLESS_SOURCE, saidAt: null, saidAtPrecision: null, span: { start: 0, end: 10 } },
      ['input', 'span'],
      'INVALID',
      /no text/,
    ],
  ])(
    'refuses %s, naming the field, before asking anyone and writing nothing',
    async (_case, change, field, code, message) => {
      const before = await snapshot();
      const { data, errors } = await statements.execute(
        CREATE_STATEMENT,
        { input: { ...statement(), ...change } },
        KYIV_DESK,
      );
      expect(errors).toBeUndefined();
      expect(data!.createStatement.statement).toBeNull();
      expect(data!.createStatement.errors).toContainEqual({ field, code, message: expect.stringMatching(message) });
      expect(await snapshot()).toBe(before);
    },
  );

  it('anchors a quote by its words (curly quotes and line breaks aside) and gives its span and sentence', async () => {
    // An editor moves a seeded statement to the new report: no actor changes, so no other service is asked.
    const id = seedId.statement('gladkov-not-safe-to-return');
    const { data } = await statements.execute(
      UPDATE_STATEMENT,
      { input: { id, sourceId, quote: '"The situation remains difficult, but the sweep is over,"' } },
      EDITOR,
    );
    expect(data!.updateStatement.errors).toEqual([]);
    const { span } = data!.updateStatement.statement;
    expect(REPORT_TEXT.slice(span.start, span.end)).toBe(
      '\u201CThe situation remains difficult,\n  but the sweep is over,\u201D',
    );
    expect(span.context).toBe(
      '\u201CThe situation remains difficult,\n  but the sweep is over,\u201D Governor Vyacheslav Hladkov wrote on Telegram.',
    );
    const read = await statements.execute(
      `{ source(id: "${sourceId}") { text statements { id span { start end } } } }`,
    );
    expect(read.data!.source).toEqual({
      text: REPORT_TEXT,
      statements: [{ id, span: { start: span.start, end: span.end } }],
    });
  });

  it('picks a repeated quote by its context, or by an explicit span that reads as the quote', async () => {
    const id = seedId.statement('gladkov-not-safe-to-return');
    const second = REPORT_TEXT.lastIndexOf('situation remains difficult');
    const byContext = await statements.execute(
      UPDATE_STATEMENT,
      {
        input: {
          id,
          quote: 'situation remains difficult',
          quoteContext: 'later repeated that “the situation' + ' remains difficult”',
        },
      },
      EDITOR,
    );
    expect(byContext.data!.updateStatement.errors).toEqual([]);
    expect(byContext.data!.updateStatement.statement.span).toMatchObject({
      start: second,
      end: second + 'situation remains difficult'.length,
      context: expect.stringMatching(/^A regional spokesman later repeated/),
    });
    const first = REPORT_TEXT.indexOf('situation remains difficult');
    const bySpan = await statements.execute(
      UPDATE_STATEMENT,
      { input: { id, span: { start: first, end: first + 'situation remains difficult'.length } } },
      EDITOR,
    );
    expect(bySpan.data!.updateStatement.statement.span).toMatchObject({ start: first });
    const changes = await db.query(`SELECT fields FROM "Change" WHERE "entityId" = $1 ORDER BY seq`, [id]);
    expect(changes.rows.at(-1)).toEqual({ fields: ['spanStart', 'spanEnd'] });
  });

  it("moves each statement's span when its source's text changes, and refuses a text its quotes are not in", async () => {
    const id = seedId.statement('gladkov-not-safe-to-return');
    const text = `UPDATED: ${REPORT_TEXT}`;
    const before = (await db.query('SELECT "spanStart" FROM "Statement" WHERE id = $1', [id])).rows[0].spanStart;
    const { data } = await statements.execute(UPDATE_SOURCE, { input: { id: sourceId, text } }, KYIV_DESK);
    expect(data!.updateSource.errors).toEqual([]);
    expect(data!.updateSource.source).toMatchObject({ text, contentSha256: sha256(text) });
    expect(data!.updateSource.source.statements).toEqual([
      { id, quote: 'situation remains difficult', span: { start: before + 9, end: before + 9 + 27 } },
    ]);

    const unchanged = await snapshot();
    const refused = await statements.execute(
      UPDATE_SOURCE,
      { input: { id: sourceId, text: 'A different report altogether.' } },
      KYIV_DESK,
    );
    expect(refused.data!.updateSource).toEqual({
      source: null,
      errors: [{ field: ['input', 'text'], code: 'QUOTE_NOT_IN_SOURCE', message: expect.stringContaining(id) }],
    });
    expect(await snapshot()).toBe(unchanged);
  });

  it("refuses another partner's change or delete with FORBIDDEN; deletes its own, logging it", async () => {
    const id = seedId.statement('gladkov-not-safe-to-return');
    const before = await snapshot();
    const update = await statements.execute(UPDATE_STATEMENT, { input: { id, stance: 'ASSERTS' } }, KYIV_DESK);
    expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const removal = await statements.execute(DELETE_STATEMENT, { input: { id } }, KYIV_DESK);
    expect(removal.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
    const removed = await statements.execute(DELETE_STATEMENT, { input: { id } }, EDITOR);
    expect(removed.data!.deleteStatement).toEqual({ deletedId: id, referrers: [], errors: [] });
    const changes = await db.query(`SELECT operation, "by" FROM "Change" WHERE "entityId" = $1 ORDER BY seq`, [id]);
    expect(changes.rows.at(-1)).toEqual({ operation: 'DELETE', by: 'key_editor000001' });
  });
});
