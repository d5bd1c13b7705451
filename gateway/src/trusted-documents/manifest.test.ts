import { createHash } from 'node:crypto';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentIdHash, ManifestError, readManifest } from './manifest';

const schema = buildSchema('type Query { event(slug: String!): Event } type Event { title: String! }');
// Computed here with node:crypto directly, not with the module's own helper.
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
const EVENT = 'query Event($slug: String!) { event(slug: $slug) { title } }';

function problemsOf(manifest: unknown): string[] {
  try {
    readManifest(manifest, schema, 2000);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('document ids', () => {
  it('are sha256:<64 hex> or the bare hex, read case-insensitively', () => {
    const hash = hashOf(EVENT);
    expect(documentIdHash(`sha256:${hash}`)).toBe(hash);
    expect(documentIdHash(hash.toUpperCase())).toBe(hash);
    expect(documentIdHash(`sha1:${hash.slice(0, 40)}`)).toBeNull();
    expect(documentIdHash(`sha256:${hash}x`)).toBeNull();
  });
});

describe('manifests', () => {
  it("reads graphql-codegen's persisted-documents.json", () => {
    expect(readManifest({ [`sha256:${hashOf(EVENT)}`]: EVENT }, schema, 2000)).toEqual([
      { hash: hashOf(EVENT), body: EVENT },
    ]);
  });

  it("reads Apollo's persisted query manifest", () => {
    const manifest = {
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: hashOf(EVENT), name: 'Event', type: 'query', body: EVENT }],
    };
    expect(readManifest(manifest, schema, 2000)).toEqual([{ hash: hashOf(EVENT), body: EVENT }]);
  });

  it('refuses a document whose hash is not its id, naming both', () => {
    const tampered = EVENT.replace('title', '__typename');
    expect(problemsOf({ [`sha256:${hashOf(EVENT)}`]: tampered })).toEqual([
      `sha256:${hashOf(EVENT)}: the SHA-256 of its document is sha256:${hashOf(tampered)}, not its id`,
    ]);
  });

  it('lists every problem: bad ids, empty bodies, syntax, fields the schema lacks, too many tokens', () => {
    const unknownField = '{ event(slug: "x") { author } }';
    const broken = '{ event(slug: "x") { title }';
    const long = `{ ${'__typename '.repeat(3000)} }`;
    const problems = problemsOf({
      'md5:abc': EVENT,
      [`sha256:${hashOf('')}`]: '',
      [`sha256:${hashOf(unknownField)}`]: unknownField,
      [`sha256:${hashOf(broken)}`]: broken,
      [`sha256:${hashOf(long)}`]: long,
    });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^md5:abc: an id is "sha256:" and 64 hex digits/);
    expect(problems[1]).toMatch(/must be a non-empty string/);
    expect(problems[2]).toMatch(/Cannot query field "author" on type "Event"/);
    expect(problems[3]).toMatch(/Syntax Error/);
    expect(problems[4]).toMatch(/more th\w+ 2000 tokens/);
  });

  it('refuses what is not a manifest at all', () => {
    expect(problemsOf([EVENT])).toEqual(['a manifest is a JSON object']);
    expect(problemsOf({})).toEqual(['it lists no documents']);
    expect(problemsOf({ format: 'relay', operations: [] })).toEqual([
      'the only "format" understood is "apollo-persisted-query-manifest", version 1',
    ]);
  });
});
