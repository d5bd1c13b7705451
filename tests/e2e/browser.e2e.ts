/**
 * GraphiQL and the fact explorer in a real (headless Debian) Chromium, served by the real
 * gateway over the real federation, with every host but 127.0.0.1 unreachable; and frontend
 * apps on other origins (other ports of 127.0.0.1) calling it. Screenshots go to
 * test-results/screenshots/.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@newsfacts/platform/config';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { RAID_QUERY, RAID_SLUG } from '../../gateway/web/src/examples/raid-query';
import { inventedReport, INVENTED_REPORT_TEXT } from '../fixtures/packages';
import { freePort, postGraphQL, startFederation, type AnyData, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = path.join(repoRoot, 'test-results/screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let federation: Federation;
let browser: Browser;
/** A newsroom's page on its own origin, which the gateway allows (CORS_ORIGINS). */
let deskSite: PageSite;
/** Another site, which the gateway does not allow. */
let otherSite: PageSite;

interface PageSite {
  origin: string;
  close(): Promise<void>;
}

/** A one-page site on its own port of 127.0.0.1: another origin than the gateway's. */
async function startPageSite(title: string): Promise<PageSite> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${title}</title>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  fs.mkdirSync(screenshots, { recursive: true });
  [deskSite, otherSite] = await Promise.all([startPageSite('Live blog'), startPageSite('Elsewhere')]);
  federation = await startFederation({ env: { ANONYMOUS_ACCESS: 'read', CORS_ORIGINS: deskSite.origin } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Nothing but this machine resolves: a page that needed the network would fail here.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await federation?.stop();
  await Promise.all([deskSite?.close(), otherSite?.close()]);
});

/** A fresh browser context that records every request the page makes and every console error. */
async function open(viewport: { width: number; height: number }) {
  const context: BrowserContext = await browser.newContext({ viewport });
  const page: Page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${message.text()} ${message.location().url}`.trim());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return { context, page, requests, problems };
}

/** The text of an element; Monaco renders spaces as no-break spaces. */
const textOf = async (locator: ReturnType<Page['locator']>) => (await locator.innerText()).replace(/\u00a0/g, ' ');

function expectOnlyTheGateway(requests: string[]) {
  const elsewhere = requests.filter(
    (url) => !url.startsWith(`${federation.gatewayUrl}/`) && !/^(data|blob):/.test(url),
  );
  expect(elsewhere).toEqual([]);
  expect(requests.length).toBeGreaterThan(0);
}

/** What a page sends to a gateway's /graphql: each request's body and Authorization header, as they go. */
function recordGraphQL(page: Page, graphqlUrl: string) {
  const sent: Array<{ body: Record<string, unknown>; authorization: string | undefined }> = [];
  page.on('request', (request) => {
    if (request.url() === graphqlUrl)
      sent.push({
        body: request.postDataJSON() as Record<string, unknown>,
        authorization: request.headers().authorization,
      });
  });
  return sent;
}

/** Each body names its document by id ("sha256:<hex>") and carries no document text. */
function expectDocumentIds(bodies: Array<Record<string, unknown>>) {
  expect(bodies.length).toBeGreaterThan(0);
  for (const body of bodies) {
    expect(body.documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body).not.toHaveProperty('query');
  }
}

describe('GraphiQL at /graphiql', () => {
  it('loads with the raid query, runs it, and shows the answer, all from the gateway', async () => {
    const { context, page, requests, problems } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/graphiql`);
      const run = page.locator('.graphiql-execute-button');
      await run.waitFor({ timeout: 30_000 });
      await expect
        .poll(() => textOf(page.locator('.graphiql-query-editor')), { timeout: 15_000 })
        .toContain('query Raid');
      await run.click();
      const response = page.locator('.graphiql-response');
      // Monaco renders only the visible lines of the answer: its top is enough to know it came back.
      await expect
        .poll(() => textOf(response), { timeout: 15_000 })
        .toContain('"title": "Cross-border raid into Russia’s Belgorod');
      expect(await textOf(response)).toContain('"kind": "INCURSION"');
      expect(await textOf(response)).not.toContain('"errors"');
      await page.screenshot({ path: path.join(screenshots, 'graphiql-desktop.png') });

      // The schema docs come from introspection, which anonymous exploring may use in development.
      await page.getByRole('button', { name: /documentation explorer/i }).click();
      await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 10_000 }).toMatch(/Query/);
      await page.screenshot({ path: path.join(screenshots, 'graphiql-docs.png') });

      expectOnlyTheGateway(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the fact explorer at /explorer', () => {
  it('finds the raid by typing "Belgorod" and shows both sides of the perpetrator claim', async () => {
    const { context, page, requests, problems } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer`);
      await page.getByLabel('Find an event or an actor').fill('Belgorod');
      await page.getByRole('link', { name: 'Cross-border raid into Russia’s Belgorod region' }).click();
      await page.getByRole('heading', { level: 1, name: /Belgorod/ }).waitFor();

      const militias = page.getByRole('region', { name: /Russian volunteer militias/ });
      const formations = page.getByRole('region', { name: /Ukrainian armed units/ });
      await expect.poll(() => militias.innerText(), { timeout: 15_000 }).toContain('Andriy Yusov');
      expect(await militias.innerText()).toContain('These are patriots of Russia as far as we understand');
      expect(await formations.innerText()).toContain('Investigative Committee of Russia');
      expect(await formations.innerText()).toContain('“Ukrainian armed formations”');
      // Both positions stand side by side on a desktop.
      const [left, right] = [await militias.boundingBox(), await formations.boundingBox()];
      expect(Math.abs(left!.y - right!.y)).toBeLessThan(5);
      expect(left!.x).not.toBe(right!.x);

      const page1 = await page.locator('main').innerText();
      expect(page1).toContain('22 May 2023');
      expect(page1).toMatch(/12\s+injured/);
      expect(page1).toContain('Timeline');
      await page.screenshot({ path: path.join(screenshots, 'explorer-event-desktop.png'), fullPage: true });

      await page.getByRole('link', { name: 'Andriy Yusov' }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Andriy Yusov' }).waitFor();
      expect(await page.locator('main').innerText()).toMatch(/Spokesman, .*[Ii]ntelligence/);
      await page.screenshot({ path: path.join(screenshots, 'explorer-actor-desktop.png'), fullPage: true });

      expectOnlyTheGateway(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works at phone width: one column, nothing wider than the screen', async () => {
    const { context, page, requests, problems } = await open(PHONE);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer#/event/belgorod-incursion-2023`);
      const militias = page.getByRole('region', { name: /Russian volunteer militias/ });
      const formations = page.getByRole('region', { name: /Ukrainian armed units/ });
      await expect.poll(() => formations.innerText(), { timeout: 15_000 }).toContain('Ukrainian armed formations');
      const [top, bottom] = [await militias.boundingBox(), await formations.boundingBox()];
      expect(bottom!.y).toBeGreaterThan(top!.y + top!.height - 1); // stacked, not side by side
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: path.join(screenshots, 'explorer-event-phone.png'), fullPage: true });
      expectOnlyTheGateway(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('has designed empty and not-found states', async () => {
    const { context, page, problems } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer`);
      await page.getByLabel('Find an event or an actor').fill('zzzz-nothing');
      await expect
        .poll(() => page.locator('main').innerText(), { timeout: 15_000 })
        .toContain('Nothing matches “zzzz-nothing”');
      await page.goto(`${federation.gatewayUrl}/explorer#/event/no-such-event`);
      await expect
        .poll(() => page.locator('main').innerText(), { timeout: 15_000 })
        .toContain('There is no event “no-such-event”');
      await page.goto(`${federation.gatewayUrl}/explorer#/source/no-such-source`);
      await expect
        .poll(() => page.locator('main').innerText(), { timeout: 15_000 })
        .toContain('There is no source “no-such-source”');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an error state, with the request id, when the gateway refuses', async () => {
    const { context, page } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer`);
      // A made-up key: the gateway answers 401 and the page says what to do.
      await page.evaluate(() => sessionStorage.setItem('newsfacts.apiKey', 'not-a-key'));
      await page.goto(`${federation.gatewayUrl}/explorer#/event/belgorod-incursion-2023`);
      await page.reload();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('This gateway needs an API key.');
      expect(await alert.innerText()).toContain('The API key is not valid');
      await page.screenshot({ path: path.join(screenshots, 'explorer-error.png') });
    } finally {
      await context.close();
    }
  });
});

describe('a source page in the explorer', () => {
  const SOURCE_SLUG = 'belgorod-incursion-report-2023-05-23';
  const SOURCE_QUERY = `query($slug: String!) {
    source(slug: $slug) {
      id title text
      statements(first: 100) { id quote span { start end } speaker { slug name } }
    }
  }`;
  interface SourceAnswer {
    source: {
      id: string;
      title: string;
      text: string | null;
      statements: Array<{
        id: string;
        quote: string | null;
        span: { start: number; end: number } | null;
        speaker: { slug: string; name: string } | null;
      }>;
    };
  }
  /** The seed report as the API gives it: the expected answers come from here, not from the page. */
  let source: SourceAnswer['source'];
  const url = () => `${federation.gatewayUrl}/explorer#/source/${SOURCE_SLUG}`;

  beforeAll(async () => {
    source = (await federation.query<SourceAnswer>(SOURCE_QUERY, { slug: SOURCE_SLUG })).body.data!.source;
    // The seed's report comes with its text, and statements quoted in it.
    expect(source.text).toBeTruthy();
    expect(source.statements.filter((statement) => statement.span && statement.quote).length).toBeGreaterThan(0);
  });

  it('shows the text with every statement’s passage highlighted and its quote marked, as the API places them', async () => {
    const { context, page, requests, problems } = await open(DESKTOP);
    try {
      await page.goto(url());
      await page.getByRole('heading', { level: 1, name: source.title }).waitFor({ timeout: 15_000 });
      const text = source.text!;

      // The whole text, paragraph by paragraph.
      const paragraphs = await page.locator('.source-text p').allTextContents();
      expect(paragraphs.join('\n')).toBe(text.split('\n').filter(Boolean).join('\n'));

      // Each statement's highlights, put together, read as its span of the text; its quoted words as its quote.
      const marks = await page.locator('.source-text mark').evaluateAll((elements) =>
        elements.map((mark) => ({
          ids: (mark as HTMLElement).dataset.statements!.split(' '),
          text: mark.textContent ?? '',
          title: mark.getAttribute('title') ?? '',
          quotes: [...mark.querySelectorAll('q')].map((q) => ({
            ids: q.dataset.quoteOf!.split(' '),
            text: q.textContent,
          })),
        })),
      );
      const joined = (parts: Array<{ ids: string[]; text: string | null }>) => {
        const byId: Record<string, string> = {};
        for (const part of parts) for (const id of part.ids) byId[id] = (byId[id] ?? '') + part.text;
        return byId;
      };
      const placed = source.statements.filter((statement) => statement.span);
      expect(joined(marks)).toEqual(
        Object.fromEntries(placed.map(({ id, span }) => [id, text.slice(span!.start, span!.end).replace(/\n/g, '')])),
      );
      expect(joined(marks.flatMap((mark) => mark.quotes))).toEqual(
        Object.fromEntries(placed.filter((s) => s.quote).map(({ id, quote }) => [id, quote])),
      );
      // Each highlight names who said what there.
      for (const mark of marks)
        for (const id of mark.ids) {
          const speaker = source.statements.find((statement) => statement.id === id)!.speaker;
          if (speaker) expect(mark.title).toContain(speaker.name);
        }
      // Statements with no place in the text are listed below it.
      const unplaced = source.statements.filter((statement) => !statement.span);
      expect(await page.locator('[data-statements]:not(mark)').count()).toBe(unplaced.length);
      await page.screenshot({ path: path.join(screenshots, 'explorer-source-desktop.png'), fullPage: true });

      // A highlight opens its statement; its speaker's link goes to the speaker's page.
      const opens = (id: string) => `#/source/${SOURCE_SLUG}/statement/${id}`;
      const links = await page.locator('.source-text a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const quoted = placed.find(({ id, quote, speaker }) => quote && speaker && links.includes(opens(id)))!;
      await page
        .locator(`.source-text a[href="${opens(quoted.id)}"]`)
        .first()
        .click();
      await expect.poll(() => new URL(page.url()).hash).toBe(opens(quoted.id));
      // The opened passage says so, and a second click closes it.
      const opened = page.locator('.source-text a[aria-expanded="true"]');
      expect(await opened.first().getAttribute('href')).toBe(`#/source/${SOURCE_SLUG}`);
      const card = page.getByRole('complementary', { name: 'The statement reported in this passage' });
      expect(await card.innerText()).toContain(quoted.quote!);
      await page.screenshot({ path: path.join(screenshots, 'explorer-source-statement.png') });
      await card.getByRole('link', { name: quoted.speaker!.name }).first().click();
      await page.getByRole('heading', { level: 1, name: quoted.speaker!.name }).waitFor();
      expect(new URL(page.url()).hash).toBe(`#/actor/${quoted.speaker!.slug}`);

      expectOnlyTheGateway(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('is reached from a statement on an event page, opened at that statement', async () => {
    const { context, page, problems } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer#/event/belgorod-incursion-2023`);
      const militias = page.getByRole('region', { name: /Russian volunteer militias/ });
      const yusov = militias.locator('article.statement', { hasText: 'Andriy Yusov' }).first();
      await yusov.waitFor({ timeout: 15_000 });
      await yusov.getByRole('link', { name: source.title }).click();
      await page.getByRole('heading', { level: 1, name: source.title }).waitFor({ timeout: 15_000 });

      const [, id] = /^#\/source\/[\w-]+\/statement\/([\w-]+)$/.exec(new URL(page.url()).hash) ?? [];
      const statement = source.statements.find((candidate) => candidate.id === id);
      expect(statement?.speaker?.name).toBe('Andriy Yusov');
      const card = page.getByRole('complementary', { name: 'The statement reported in this passage' });
      expect(await card.innerText()).toContain('Andriy Yusov');
      // The page scrolled to the passage, which is marked as the chosen one.
      const chosen = page.locator(`.source-text mark.chosen[data-statements~="${id}"]`).first();
      const box = (await chosen.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(DESKTOP.height);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works at phone width: nothing wider than the screen', async () => {
    const { context, page, problems } = await open(PHONE);
    try {
      await page.goto(url());
      await page.getByRole('heading', { level: 1, name: source.title }).waitFor({ timeout: 15_000 });
      await page.locator('.source-text mark').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: path.join(screenshots, 'explorer-source-phone.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('a frontend app on another origin', () => {
  /** What a page's `fetch` to the gateway came to: an answer it could read, or the browser's error. */
  type Outcome = { status: number; body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
  async function callFrom(site: PageSite, headers: Record<string, string> = {}) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    try {
      await page.goto(site.origin);
      const outcome = await page.evaluate(
        async ({ url, query, slug, headers }) => {
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...headers },
              body: JSON.stringify({ query, variables: { slug } }),
            });
            return { status: response.status, body: await response.json() };
          } catch (error) {
            return { error: String(error) };
          }
        },
        { url: `${federation.gatewayUrl}/graphql`, query: RAID_QUERY, slug: RAID_SLUG, headers },
      );
      return { outcome: outcome as Outcome | { error: string }, messages };
    } finally {
      await context.close();
    }
  }

  it('gets data when its origin is allowed, anonymously and with its browser key', async () => {
    const anonymous = await callFrom(deskSite);
    expect(anonymous.outcome).toMatchObject({ status: 200, body: { data: { event: { title: expect.any(String) } } } });
    const { key } = await createKey(federation.env, 'Live blog page', 'read', '--origins', deskSite.origin);
    const keyed = await callFrom(deskSite, { authorization: `Bearer ${key}` });
    expect(keyed.outcome).toMatchObject({ status: 200, body: { data: { event: { kind: 'INCURSION' } } } });
  });

  it('is blocked by the browser when its origin is not allowed', async () => {
    const { outcome, messages } = await callFrom(otherSite);
    expect(outcome).toEqual({ error: 'TypeError: Failed to fetch' });
    expect(messages.join('\n')).toMatch(
      new RegExp(`from origin '${otherSite.origin}' has been blocked by CORS policy`),
    );
  });

  it('with a browser key made for another origin: refused, and the page can read why', async () => {
    const { key } = await createKey(federation.env, 'Another site’s key', 'read', '--origins', otherSite.origin);
    const { outcome } = await callFrom(deskSite, { 'x-api-key': key });
    expect(outcome).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'ORIGIN_NOT_ALLOWED' } }] } });
    expect((outcome as Outcome).body.data ?? null).toBeNull();
  });
});

describe('the explorer with trusted documents required', () => {
  let trusted: ServiceProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    trusted = startService(
      'gateway-trusted-documents',
      'gateway/src/index.ts',
      { ...federation.env, GATEWAY_PORT: String(port), REQUIRE_TRUSTED_DOCUMENTS: 'true' },
      (name, line) => federation.output.push(`[${name}] ${line}`),
    );
    await waitUntilReady(`${url}/readyz`, trusted);
  });
  afterAll(() => stopAll([trusted]));

  it('finds the raid and shows it, sending only document ids', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const recorded = recordGraphQL(page, `${url}/graphql`);
    try {
      await page.goto(`${url}/explorer`);
      // This gateway refuses a document sent in full by a page: what follows works by id only.
      const refused = await page.evaluate(async () => {
        const response = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ events(first: 1) { nodes { title } } }' }),
        });
        return { status: response.status, body: await response.json() };
      });
      expect(refused).toMatchObject({
        status: 403,
        body: { errors: [{ extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED' } }] },
      });

      await page.getByLabel('Find an event or an actor').fill('Belgorod');
      await page.getByRole('link', { name: 'Cross-border raid into Russia’s Belgorod region' }).click();
      await page.getByRole('heading', { level: 1, name: /Belgorod/ }).waitFor();
      const militias = page.getByRole('region', { name: /Russian volunteer militias/ });
      await expect.poll(() => militias.innerText(), { timeout: 15_000 }).toContain('Andriy Yusov');
      await page.screenshot({ path: path.join(screenshots, 'explorer-trusted-documents.png'), fullPage: true });

      const sent = recorded.map(({ body }) => body);
      const explorerRequests = sent.filter((body) => body.query === undefined || body.documentId !== undefined);
      expect(sent.length - explorerRequests.length).toBe(1); // the refused one above
      expect(explorerRequests.length).toBeGreaterThanOrEqual(2);
      expectDocumentIds(explorerRequests);
    } finally {
      await context.close();
    }
  });

  it('runs the import page’s mutation by id with a write key', async () => {
    const { key } = await createKey(federation.env, 'Trusted-documents desk', 'read,write');
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const sent = recordGraphQL(page, `${url}/graphql`);
    try {
      await page.goto(`${url}/explorer#/import`);
      await page.getByLabel('Write key').fill(key);
      await page.getByLabel('Package (JSON)').fill(JSON.stringify(inventedReport('trusted-documents-check')));
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      await expect.poll(() => page.locator('.import-status').innerText(), { timeout: 30_000 }).toMatch(/^Dry run DONE/);
      expectDocumentIds(sent.map(({ body }) => body));
      for (const { authorization } of sent) expect(authorization).toBe(`Bearer ${key}`);
    } finally {
      await context.close();
    }
  });
});

describe('the import page of the explorer', () => {
  const PACKAGE = inventedReport();
  const IMPORT = `mutation($package: JSON!, $dryRun: Boolean) {
    importPackage(input: { package: $package, dryRun: $dryRun }) {
      job { id status counts { created unchanged matched ambiguous rejected }
        records(first: 100) { nodes { kind key outcome recordId slug matchedBy matchedName } } }
      errors { field code message }
    }
  }`;
  /** Keys made for these tests: one that may import, one that may only read. */
  let writer: string;
  let reader: string;
  /** What the API says a dry run of the package does, asked directly: what the page must show. */
  let expected: AnyData;
  /** Gladkov as the graph holds him, and the other name the package's "Vyacheslav HLADKOV." reads as. */
  let gladkov: { slug: string; alias: string };

  beforeAll(async () => {
    const [desk, readOnly] = await Promise.all([
      createKey(federation.env, 'Import page desk', 'read,write'),
      createKey(federation.env, 'Import page reader', 'read'),
    ]);
    [writer, reader] = [desk.key, readOnly.key];
    const dryRun = await postGraphQL(
      `${federation.gatewayUrl}/graphql`,
      IMPORT,
      { package: PACKAGE, dryRun: true },
      { authorization: `Bearer ${writer}` },
    );
    expect(dryRun.body.errors).toBeUndefined();
    expected = dryRun.body.data!.importPackage.job;
    expect(expected.status).toBe('DONE'); // a package this small is done within the mutation
    const { body } = await federation.query(`{ actors(search: "Hladkov", first: 5) { nodes { slug name aliases } } }`);
    const [actor] = body.data!.actors.nodes as Array<{ slug: string; name: string; aliases: string[] }>;
    gladkov = { slug: actor!.slug, alias: actor!.aliases.find((alias) => /^vyacheslav hladkov$/i.test(alias))! };
    expect(gladkov.alias).toBeTruthy();
  }, 120_000);

  /** The page's report table, row by row, as a reader sees it. */
  const rowsOf = (page: Page) =>
    page.locator('table.import-records tbody tr').evaluateAll((rows) =>
      rows.map((row) => {
        const cells = [...row.querySelectorAll('td')].map((cell) => (cell.textContent ?? '').trim());
        const link = row.querySelector('td:nth-child(5) a');
        return {
          key: (row as HTMLElement).dataset.key!,
          kind: (row as HTMLElement).dataset.kind!,
          outcome: (row as HTMLElement).dataset.outcome!,
          outcomeText: cells[2],
          matched: cells[3],
          href: link?.getAttribute('href') ?? null,
        };
      }),
    );

  /** The page's status line, once it says `text`. */
  const statusSays = (page: Page, text: string | RegExp) =>
    expect.poll(() => page.locator('.import-status').innerText(), { timeout: 30_000 }).toMatch(text);

  it('checks the invented report, shows what it matches and would create, then imports it', async () => {
    const { context, page, requests, problems } = await open(DESKTOP);
    const sent = recordGraphQL(page, `${federation.gatewayUrl}/graphql`);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer`);
      await page.getByRole('link', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Import a fact package' }).waitFor({ timeout: 15_000 });
      sent.length = 0; // the home page's reading requests, made without a key
      expect(await page.locator('main').innerText()).toContain('sessionStorage');
      expect(await page.getByRole('link', { name: /JSON Schema/ }).getAttribute('href')).toBe(
        '/schemas/fact-package-v1.json',
      );

      await page.getByLabel('Write key').fill(writer);
      expect(await page.evaluate(() => sessionStorage.getItem('newsfacts.writeKey'))).toBe(writer);
      await page.getByLabel('Package (JSON)').fill(JSON.stringify(PACKAGE, null, 2));
      const importButton = page.getByRole('button', { name: 'Import', exact: true });
      expect(await importButton.isDisabled()).toBe(true);

      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      await statusSays(page, /^Dry run DONE/);
      const checked = await rowsOf(page);
      // Every record the API reports, with the outcome it reports, in the package's order.
      expect(checked.map(({ key, kind, outcome }) => ({ key, kind, outcome }))).toEqual(
        expected.records.nodes.map(({ key, kind, outcome }: AnyData) => ({ key, kind, outcome })),
      );
      for (const outcome of ['created', 'unchanged', 'matched', 'ambiguous', 'rejected'])
        expect(await page.locator(`.import-counts [data-outcome="${outcome.toUpperCase()}"] dd`).innerText()).toBe(
          String(expected.counts[outcome]),
        );
      // The governor, named as Ukrainian media write him, is the graph's Gladkov, found by that other name.
      const hladkov = checked.find((row) => row.key === 'hladkov')!;
      expect(hladkov).toMatchObject({
        kind: 'ACTOR',
        outcome: 'MATCHED',
        matched: `by alias “${gladkov.alias}”`,
        href: `#/actor/${gladkov.slug}`,
      });
      // The statements are new: to be created, with no page yet.
      const statements = checked.filter((row) => row.kind === 'STATEMENT');
      expect(statements.map((row) => row.key)).toEqual(PACKAGE.statements!.map((statement) => statement.key));
      for (const row of statements) expect(row).toMatchObject({ outcome: 'CREATED', outcomeText: 'to be created' });
      expect(statements.every((row) => row.href === null)).toBe(true);
      await page.screenshot({ path: path.join(screenshots, 'explorer-import-dry-run.png'), fullPage: true });

      // A dry run of this very text has been shown: Import may go.
      expect(await importButton.isDisabled()).toBe(false);
      await importButton.click();
      await statusSays(page, /^Import DONE/);
      expect(await page.locator('.job-status').innerText()).toBe('DONE');
      const imported = await rowsOf(page);
      const tooEarly = imported.find((row) => row.key === 'hladkov-too-early')!;
      const planned = expected.records.nodes.find((node: AnyData) => node.key === 'hladkov-too-early');
      const { body } = await federation.query(`query($id: ID!) { statement(id: $id) { quote reportedIn { slug } } }`, {
        id: planned.recordId,
      });
      expect(body.data!.statement.quote).toBe(PACKAGE.statements![1]!.quote);
      const sourceSlug = body.data!.statement.reportedIn.slug;
      // Created with the id the dry run announced, and linked where the explorer shows it: in its source.
      expect(tooEarly).toMatchObject({
        outcome: 'CREATED',
        outcomeText: 'created',
        href: `#/source/${sourceSlug}/statement/${planned.recordId}`,
      });
      await page.screenshot({ path: path.join(screenshots, 'explorer-import-done.png'), fullPage: true });

      // Every request of the page sent a document id, with the write key; no document text.
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expectDocumentIds(sent.map(({ body }) => body));
      for (const { authorization } of sent) expect(authorization).toBe(`Bearer ${writer}`);

      // The statement's link opens the source the package brought, at the statement.
      sent.length = 0;
      await page.locator('tr[data-key="hladkov-too-early"] td:nth-child(5) a').click();
      await page.getByRole('heading', { level: 1, name: PACKAGE.source.title }).waitFor({ timeout: 15_000 });
      expect((await page.locator('.source-text > p').allTextContents()).join('\n')).toBe(INVENTED_REPORT_TEXT);
      const card = page.getByRole('complementary', { name: 'The statement reported in this passage' });
      expect(await card.innerText()).toContain(PACKAGE.statements![1]!.quote!);
      // The reading pages keep their own key (none here): the write key went with the import page's requests only.
      expect(sent.length).toBeGreaterThan(0);
      for (const { authorization } of sent) expect(authorization).toBeUndefined();

      expectOnlyTheGateway(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists a refused record’s errors, and a package refused as a whole, as the API reports them', async () => {
    const misquoted = inventedReport('invented-wire-misquoted');
    misquoted.statements![0]!.quote = 'Ukraine had everything to do with it';
    const notAPackage = { format: 'newsfacts.fact-package', version: 99, id: 'not-a-package' };
    const dryRunOf = async (pkg: unknown) =>
      (
        await postGraphQL(
          `${federation.gatewayUrl}/graphql`,
          IMPORT.replace('outcome recordId', 'outcome recordId errors { field code message }'),
          { package: pkg, dryRun: true },
          { authorization: `Bearer ${writer}` },
        )
      ).body.data!.importPackage;
    const [rejected, refused] = [await dryRunOf(misquoted), await dryRunOf(notAPackage)];
    const refusedRecords = rejected.job.records.nodes.filter((node: AnyData) => node.outcome === 'REJECTED');
    expect(refusedRecords.length).toBeGreaterThan(0);
    expect(refused.job).toBeNull();
    expect(refused.errors.length).toBeGreaterThan(0);
    const said = ({ field, code, message }: AnyData) => `${field.join('.')} ${code}: ${message}`;

    const { context, page } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer#/import`);
      await page.getByLabel('Write key').fill(writer);
      await page.getByLabel('Package (JSON)').fill(JSON.stringify(misquoted));
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      await statusSays(page, /^Dry run DONE/);
      for (const record of refusedRecords) {
        const row = page.locator(`tr[data-key="${record.key}"]`);
        expect(await row.getAttribute('data-outcome')).toBe('REJECTED');
        expect(await row.locator('ul.problems li').allInnerTexts()).toEqual(record.errors.map(said));
      }
      // Only the problems, when asked.
      await page.getByLabel('Show').selectOption('PROBLEMS');
      expect(await page.locator('table.import-records tbody tr').count()).toBe(refusedRecords.length);
      await page.screenshot({ path: path.join(screenshots, 'explorer-import-rejected.png'), fullPage: true });

      await page.getByLabel('Package (JSON)').fill(JSON.stringify(notAPackage));
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('The package was refused as a whole.');
      expect(await alert.locator('li').allInnerTexts()).toEqual(refused.errors.map(said));
      expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('says why a read-only key or a wrong key cannot import', async () => {
    const { context, page, problems } = await open(DESKTOP);
    try {
      await page.goto(`${federation.gatewayUrl}/explorer#/import`);
      await page.getByLabel('Write key').fill(reader);
      await page.getByLabel('Package (JSON)').fill(JSON.stringify(PACKAGE));
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('This key may not import.');
      expect(await alert.innerText()).toContain('needs an API key with the write scope');
      expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
      await page.screenshot({ path: path.join(screenshots, 'explorer-import-forbidden.png') });

      await page.getByLabel('Write key').fill('nfk_not-a-key');
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toContain('The gateway did not accept this key.');
      // The browser logs each refusal; nothing else went wrong.
      expect(problems.filter((problem) => !/\b(401|403)\b/.test(problem))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reports malformed JSON in place, sending nothing', async () => {
    const { context, page, problems } = await open(DESKTOP);
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) posted.push(request.url());
    });
    try {
      await page.goto(`${federation.gatewayUrl}/explorer#/import`);
      await page.getByRole('heading', { level: 1, name: 'Import a fact package' }).waitFor({ timeout: 15_000 });
      await page.getByLabel('Write key').fill(writer);
      const textarea = page.getByLabel('Package (JSON)');
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('Paste a fact package');
      await textarea.fill(JSON.stringify(PACKAGE).slice(0, 120));
      await page.getByRole('button', { name: 'Check (dry run)' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: 5_000 }).toContain('This is not valid JSON');
      expect(await alert.innerText()).toContain('Nothing was sent.');
      expect(await textarea.getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
      await page.screenshot({ path: path.join(screenshots, 'explorer-import-malformed.png') });
      // Corrected, the report goes away.
      await textarea.fill(JSON.stringify(PACKAGE));
      await expect.poll(() => page.getByRole('alert').count()).toBe(0);
      expect(posted).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
