import { createHash } from 'node:crypto';
import { GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';

/**
 * Trusted documents: operations a client registered ahead of time, which it then sends by id.
 * An id names its document by content, as the GraphQL-over-HTTP persisted-documents appendix
 * says: "sha256:" and the SHA-256 (hex) of the document's text. The bare hex is accepted too,
 * since that is what Apollo's persisted-query hashes and manifests carry.
 */
export interface TrustedDocument {
  /** SHA-256 of `body`, 64 lowercase hex digits. */
  hash: string;
  body: string;
}

const DOCUMENT_ID = /^(?:sha256:)?([0-9a-f]{64})$/i;

/** The hash a document id names, or null when the id is not of the form sha256:<64 hex digits>. */
export function documentIdHash(id: string): string | null {
  return DOCUMENT_ID.exec(id)?.[1]?.toLowerCase() ?? null;
}

export const documentIdOf = (hash: string) => `sha256:${hash}`;

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(readonly problems: string[]) {
    super(
      `The manifest is not valid, and nothing of it was stored: ${problems.slice(0, 5).join('; ')}` +
        (problems.length > 5 ? `; and ${problems.length - 5} more (see extensions.problems)` : ''),
    );
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The (id, body) pairs of either manifest format, or a reason it is neither. */
function entriesOf(manifest: unknown): Array<[string, unknown]> | string {
  if (!isRecord(manifest)) return 'a manifest is a JSON object';
  // Apollo's persisted query manifest (@apollo/generate-persisted-query-manifest).
  if ('format' in manifest) {
    if (manifest.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1)
      return 'the only "format" understood is "apollo-persisted-query-manifest", version 1';
    if (!Array.isArray(manifest.operations)) return '"operations" must be a list';
    return manifest.operations.map((operation, index): [string, unknown] =>
      isRecord(operation) && typeof operation.id === 'string'
        ? [operation.id, operation.body]
        : [`operations[${index}]`, undefined],
    );
  }
  // graphql-codegen's client preset (persisted-documents.json): { "sha256:<hex>": "<document>" }.
  return Object.entries(manifest);
}

/**
 * Checks every document of a manifest and returns them all, or throws a ManifestError listing
 * every problem: an id that is not a SHA-256, a body whose hash is not its id, a body that does
 * not parse, is over the token limit, or does not validate against the API schema (so a stale
 * manifest is caught at upload, not by its readers).
 */
export function readManifest(manifest: unknown, schema: GraphQLSchema, maxTokens: number): TrustedDocument[] {
  const entries = entriesOf(manifest);
  if (typeof entries === 'string') throw new ManifestError([entries]);
  if (!entries.length) throw new ManifestError(['it lists no documents']);
  const problems: string[] = [];
  const documents = new Map<string, TrustedDocument>();
  for (const [id, body] of entries) {
    const hash = documentIdHash(id);
    if (!hash) {
      problems.push(`${id.slice(0, 80)}: an id is "sha256:" and 64 hex digits`);
      continue;
    }
    if (typeof body !== 'string' || !body.trim()) {
      problems.push(`${id}: its document must be a non-empty string`);
      continue;
    }
    if (sha256Hex(body) !== hash) {
      problems.push(`${id}: the SHA-256 of its document is ${documentIdOf(sha256Hex(body))}, not its id`);
      continue;
    }
    try {
      const errors = validate(schema, parse(body, { maxTokens }));
      if (errors.length) problems.push(`${id}: ${errors.map((error) => error.message).join(' ')}`);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      problems.push(`${id}: ${error.message}`);
    }
    documents.set(hash, { hash, body });
  }
  if (problems.length) throw new ManifestError(problems);
  return [...documents.values()];
}
