import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiSchemaPath, composeSupergraph, supergraphPath } from '../scripts/lib/compose';

describe('the committed supergraph', () => {
  const composition = composeSupergraph();

  it('composes without errors or hints', () => {
    expect(composition.errors).toEqual([]);
    // A hint is composition pointing at something worth fixing (inconsistent descriptions,
    // fields that only one subgraph can resolve...); keep the list empty.
    expect(composition.hints).toEqual([]);
  });

  it('is what the subgraph schemas compose to today (run `pnpm compose` if not)', () => {
    expect(fs.readFileSync(supergraphPath, 'utf8')).toBe(composition.supergraphSdl);
  });

  it('comes with the client-facing schema, equally fresh', () => {
    expect(fs.readFileSync(apiSchemaPath, 'utf8')).toBe(composition.apiSchemaSdl);
    expect(composition.apiSchemaSdl).not.toMatch(/join__|@link|_entities|_service/);
  });
});
