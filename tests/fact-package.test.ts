// The fact-package format against what it describes: its enums are the API's, the seed and the
// README's example are valid packages, and its JSON Schema says what the zod schema says.
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ENUMS, factPackage, factPackageJsonSchema } from '@newsfacts/fact-package/format';
import { repoRoot } from '@newsfacts/platform/config';
import { findAll } from '@newsfacts/platform/quotes';
import { readSeedPackage } from './helpers/seed-fixture';

const api = buildSchema(fs.readFileSync(path.join(repoRoot, 'gateway/api-schema.graphql'), 'utf8'));

describe('the fact-package format', () => {
  it.each(Object.entries(ENUMS))("%s holds the API's values", (name, values) => {
    const apiValues = (api.getType(name) as GraphQLEnumType).getValues().map((value) => value.name);
    // Links are stated one way only; the others are how a link reads from its other end.
    if (name === 'EventRelationKind') expect(apiValues).toEqual(expect.arrayContaining([...values]));
    else expect([...values].sort()).toEqual(apiValues.sort());
  });

  it('the seed package is one', () => {
    expect(readSeedPackage().statements).toHaveLength(22);
  });

  it("the README's example is one, and its quotes are in its text", () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const example = /### Fact packages[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const pkg = factPackage.parse(JSON.parse(example!));
    for (const statement of pkg.statements) expect(findAll(pkg.source.text, statement.quote!)).toHaveLength(1);
  });

  it('its JSON Schema requires what the format requires and lists every kind of record', () => {
    const schema = factPackageJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required.sort()).toEqual(['format', 'id', 'source', 'version']);
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['actors', 'claims', 'events', 'format', 'id', 'places', 'source', 'statements', 'version'].sort(),
    );
  });
});
