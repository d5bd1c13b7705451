import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustedDocumentStore } from '../trusted-documents/store';
import type { Principal } from './principal';
import { trustedDocuments } from './trusted-documents';

// The guard in front of an echo handler, over real HTTP: what reaches Apollo is what it echoes.
const DOCUMENT = '{ event(slug: "belgorod-incursion-2023") { title } }';
const HASH = createHash('sha256').update(DOCUMENT).digest('hex');
const ID = `sha256:${HASH}`;
const quota = { operationsPerMinute: 1, costPerMinute: 1 };
const CALLERS: Record<string, Principal> = {
  anonymous: { kind: 'anonymous', ip: '127.0.0.1', scopes: ['READ'], quota },
  partner: { kind: 'key', keyId: 'key_partner', name: 'Partner', scopes: ['READ'], quota, browser: false },
  browser: { kind: 'key', keyId: 'key_browser', name: 'Desk', scopes: ['READ'], quota, browser: true },
};
const noUploads = { trustedDocument: { findFirst: async () => null } };
const store = new TrustedDocumentStore(noUploads as never, [{ client: 'explorer', hash: HASH, body: DOCUMENT }]);

let base: string;
let close: () => void;

beforeAll(async () => {
  const echo = (required: boolean) => {
    const router = express.Router();
    router.use(express.json());
    router.use((req, res, next) => {
      res.locals.principal = CALLERS[req.header('x-caller') ?? 'anonymous'];
      next();
    });
    router.use(trustedDocuments({ store, required }));
    router.use((req, res) => {
      res.json({ search: Object.fromEntries(new URLSearchParams(req.url.split('?')[1] ?? '')), body: req.body });
    });
    return router;
  };
  const app = express();
  app.use('/open', echo(false));
  app.use('/required', echo(true));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

async function call(path: string, init: { body?: unknown; caller?: string } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-caller': init.caller ?? 'anonymous' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an echo, explored by path
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}
const codeOf = (json: Record<string, unknown>) =>
  (json.errors as Array<{ extensions: { code: string } }> | undefined)?.[0]?.extensions.code;

describe('a document by id', () => {
  it('POST documentId: the document takes its place, other fields stay', async () => {
    const { status, json } = await call('/open', {
      body: { documentId: ID, variables: { a: 1 }, operationName: null },
    });
    expect(status).toBe(200);
    expect(json.body).toEqual({ query: DOCUMENT, variables: { a: 1 }, operationName: null });
  });

  it('GET documentId: rewritten into the query parameter Apollo reads', async () => {
    const { json } = await call(`/open?documentId=${encodeURIComponent(ID)}&variables=%7B%7D`);
    expect(json.search).toEqual({ query: DOCUMENT, variables: '{}' });
  });

  it("Apollo's extensions.persistedQuery.sha256Hash names the same document; other extensions stay", async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: HASH }, tracing: true };
    expect((await call('/open', { body: { extensions } })).json.body).toEqual({
      query: DOCUMENT,
      extensions: { tracing: true },
    });
    const search = `extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { sha256Hash: HASH } }))}`;
    expect((await call(`/open?${search}`)).json.search).toEqual({ query: DOCUMENT });
  });

  it('an id no manifest lists: 400 TRUSTED_DOCUMENT_NOT_FOUND naming it', async () => {
    const { status, json } = await call('/open', { body: { documentId: `sha256:${'0'.repeat(64)}` } });
    expect({ status, code: codeOf(json) }).toEqual({ status: 400, code: 'TRUSTED_DOCUMENT_NOT_FOUND' });
    expect(json.errors[0].message).toContain(`sha256:${'0'.repeat(64)}`);
  });

  it.each([
    ['an id and a query', { documentId: ID, query: '{ __typename }' }, /not both/],
    ['an id and an empty query', { documentId: ID, query: '' }, /not both/],
    ['a malformed id', { documentId: 'explorer/Search' }, /"sha256:" followed by the 64 hex digits/],
    ['an id that is not a string', { documentId: { id: ID } }, /"sha256:" followed by/],
    [
      'an id and another persisted-query hash',
      { documentId: ID, extensions: { persistedQuery: { sha256Hash: 'a'.repeat(64) } } },
      /name different documents/,
    ],
    ['a persisted query without a hash', { extensions: { persistedQuery: { version: 1 } } }, /sha256Hash/],
  ])('POST %s: 400 BAD_REQUEST', async (_what, body, message) => {
    const { status, json } = await call('/open', { body });
    expect({ status, code: codeOf(json) }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(json.errors[0].message).toMatch(message);
  });

  it.each([
    ['an id and a query', `documentId=${ID}&query=${encodeURIComponent('{ __typename }')}`],
    ['an id twice', `documentId=${ID}&documentId=sha256:${'a'.repeat(64)}`],
  ])('GET %s: 400 BAD_REQUEST', async (_what, search) => {
    const { status, json } = await call(`/open?${search}`);
    expect({ status, code: codeOf(json) }).toEqual({ status: 400, code: 'BAD_REQUEST' });
  });
});

describe('with trusted documents required', () => {
  it.each(['anonymous', 'browser'])('%s: a document by id runs', async (caller) => {
    expect((await call('/required', { body: { documentId: ID }, caller })).json.body).toEqual({ query: DOCUMENT });
  });

  it.each([
    ['POST query', { body: { query: DOCUMENT } }],
    ['POST query with an empty operationName', { body: { query: DOCUMENT, operationName: '' } }],
    ['POST with neither', { body: {} }],
    ['GET query', { path: `?query=${encodeURIComponent(DOCUMENT)}` }],
    ['GET query, browser key', { path: `?query=${encodeURIComponent(DOCUMENT)}`, caller: 'browser' }],
  ])(
    '%s: 403 TRUSTED_DOCUMENT_REQUIRED',
    async (_what, request: { body?: unknown; path?: string; caller?: string }) => {
      const { status, json } = await call(`/required${request.path ?? ''}`, request);
      expect({ status, code: codeOf(json) }).toEqual({ status: 403, code: 'TRUSTED_DOCUMENT_REQUIRED' });
    },
  );

  it('a partner key still sends its own documents', async () => {
    const { status, json } = await call('/required', { body: { query: '{ __typename }' }, caller: 'partner' });
    expect(status).toBe(200);
    expect(json.body).toEqual({ query: '{ __typename }' });
  });
});
