import type express from 'express';
import { ErrorCode } from '@newsfacts/platform/errors';
import { sendError } from '@newsfacts/platform/http';
import { callerOf } from '../context';
import { documentIdHash, documentIdOf } from '../trusted-documents/manifest';
import type { TrustedDocumentStore } from '../trusted-documents/store';
import { isPublicClient } from './principal';

/**
 * What a request says about its document, read from where Apollo Server will read it: the
 * search parameters of a GET (with URLSearchParams, as Apollo parses them), the JSON body of
 * anything else. Reading the same bytes the same way is what keeps a request from showing this
 * guard one document and Apollo another.
 */
interface DocumentRequest {
  documentId: unknown;
  /** Present (even empty or not a string) when the request carries a `query` at all. */
  hasQuery: boolean;
  extensions: unknown;
  /** Puts the document's text where Apollo reads `query`, and takes the id away. */
  replaceWith(document: string): void;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const withoutPersistedQuery = (extensions: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(extensions).filter(([name]) => name !== 'persistedQuery'));

class BadDocumentRequest extends Error {}

function fromSearch(req: express.Request): DocumentRequest {
  const [path, search = ''] = req.url.split(/\?(.*)/s);
  const params = new URLSearchParams(search);
  const once = (name: string) => {
    const values = params.getAll(name);
    if (values.length > 1) throw new BadDocumentRequest(`The '${name}' search parameter may only be specified once.`);
    return values[0];
  };
  const extensionsText = once('extensions');
  let extensions: unknown;
  try {
    extensions = extensionsText === undefined ? undefined : JSON.parse(extensionsText);
  } catch {
    extensions = undefined; // Apollo answers the malformed JSON itself
  }
  return {
    documentId: once('documentId'),
    hasQuery: params.has('query'),
    extensions,
    replaceWith(document) {
      params.delete('documentId');
      params.set('query', document);
      if (isRecord(extensions) && 'persistedQuery' in extensions) {
        const rest = withoutPersistedQuery(extensions);
        if (Object.keys(rest).length) params.set('extensions', JSON.stringify(rest));
        else params.delete('extensions');
      }
      req.url = `${path}?${params.toString()}`;
    },
  };
}

function fromBody(req: express.Request): DocumentRequest {
  const body: Record<string, unknown> = isRecord(req.body) ? req.body : {};
  return {
    documentId: body.documentId,
    hasQuery: body.query !== undefined && body.query !== null,
    extensions: body.extensions,
    replaceWith(document) {
      const { documentId: _id, extensions, ...rest } = body;
      req.body = {
        ...rest,
        query: document,
        ...(isRecord(extensions) && Object.keys(withoutPersistedQuery(extensions)).length
          ? { extensions: withoutPersistedQuery(extensions) }
          : {}),
      };
    },
  };
}

/**
 * The hash a request names its document by: GraphQL over HTTP's `documentId` ("sha256:<hex>"),
 * or Apollo's `extensions.persistedQuery.sha256Hash` (what Apollo Client's persisted-query link
 * sends), which is read as the same id. Null when it names none.
 */
function requestedHash(request: DocumentRequest): string | null {
  const ids: string[] = [];
  if (request.documentId !== undefined && request.documentId !== null) {
    if (typeof request.documentId !== 'string' || !documentIdHash(request.documentId))
      throw new BadDocumentRequest(
        'documentId is "sha256:" followed by the 64 hex digits of the SHA-256 of a document.',
      );
    ids.push(documentIdHash(request.documentId)!);
  }
  const persisted = isRecord(request.extensions) ? request.extensions.persistedQuery : undefined;
  if (persisted !== undefined) {
    const hash =
      isRecord(persisted) && typeof persisted.sha256Hash === 'string' ? documentIdHash(persisted.sha256Hash) : null;
    if (!hash) throw new BadDocumentRequest('extensions.persistedQuery.sha256Hash is the 64 hex digits of a SHA-256.');
    ids.push(hash);
  }
  if (new Set(ids).size > 1)
    throw new BadDocumentRequest('documentId and extensions.persistedQuery name different documents.');
  return ids[0] ?? null;
}

/**
 * Runs trusted documents: a request that names a document by id gets that document's text, and
 * Apollo then checks and runs it like any other (scopes, limits, cost: nothing is skipped for a
 * trusted document). A request sends its document by id or in full, never both. With
 * REQUIRE_TRUSTED_DOCUMENTS, anonymous callers and browser keys may send ids only; partner keys
 * may still send documents of their own, within the usual limits. Unknown ids answer 400
 * TRUSTED_DOCUMENT_NOT_FOUND. Runs after the operation quota, so probing ids costs quota.
 */
export function trustedDocuments({
  store,
  required,
}: {
  store: TrustedDocumentStore;
  required: boolean;
}): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const request = req.method === 'GET' ? fromSearch(req) : fromBody(req);
      const hash = requestedHash(request);
      if (hash === null) {
        if (required && isPublicClient(callerOf(res))) {
          return sendError(
            res,
            403,
            ErrorCode.TRUSTED_DOCUMENT_REQUIRED,
            'This API runs only registered documents for pages and callers without a partner key: send the ' +
              'document\'s id as documentId ("sha256:<hex>") instead of its text, or call with a partner key.',
          );
        }
        return next();
      }
      if (request.hasQuery) {
        throw new BadDocumentRequest('Send a document by id (documentId) or in full (query), not both.');
      }
      const document = await store.find(hash);
      if (document === null) {
        return sendError(
          res,
          400,
          ErrorCode.TRUSTED_DOCUMENT_NOT_FOUND,
          `No trusted document has the id ${documentIdOf(hash)}: its client's manifest must be registered first ` +
            '(see "Frontend apps" in the README).',
        );
      }
      request.replaceWith(document);
      next();
    } catch (error) {
      if (error instanceof BadDocumentRequest) return sendError(res, 400, ErrorCode.BAD_REQUEST, error.message);
      next(error);
    }
  };
}
