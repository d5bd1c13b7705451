import { describe, expect, it } from 'vitest';
import { lateralPage } from './lateral-page';

// The statements' real behaviour (each parent's first rows, one statement per batch) is proved
// against PostgreSQL in tests/bounded-lists.int.test.ts; these pin the shape that makes it cheap.
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('lateralPage', () => {
  it('reads keys in index order per parent, then only those rows, with every value a parameter', () => {
    const page = lateralPage({
      table: 'Statement',
      parent: { column: 'claimId', type: 'uuid', values: ['a', 'b'] },
      orderBy: [{ column: 'saidAt', nulls: 'last' }, { column: 'id' }],
      first: 20,
    });
    expect(oneLine(page.sql)).toBe(
      oneLine(`SELECT listed.* FROM unnest(?::uuid[]) AS parent(parent_0)
        CROSS JOIN LATERAL (SELECT t."id" FROM "Statement" t WHERE t."claimId" = parent.parent_0
          ORDER BY t."saidAt" ASC NULLS LAST, t."id" ASC LIMIT ?) page
        JOIN "Statement" listed ON listed.id = page.id
        ORDER BY listed."claimId", listed."saidAt" ASC NULLS LAST, listed."id" ASC`),
    );
    expect(page.values).toEqual([['a', 'b'], 20]);
  });

  it('splits a nullable column ordered descending into a dated and an undated run', () => {
    const page = lateralPage({
      table: 'Event',
      parent: { column: 'parentId', type: 'uuid', values: ['p'] },
      orderBy: [{ column: 'startedAt', descending: true, nulls: 'last' }, { column: 'id' }],
      first: 5,
    });
    expect(oneLine(page.sql)).toContain('t."startedAt" IS NOT NULL ORDER BY t."startedAt" DESC, t."id" ASC LIMIT ?)');
    expect(oneLine(page.sql)).toContain('UNION ALL');
    expect(oneLine(page.sql)).toContain('ORDER BY "startedAt" DESC NULLS LAST, "id" ASC LIMIT ?');
  });

  it('matches parents on several columns, each its own array', () => {
    const page = lateralPage({
      table: 'Claim',
      parent: [
        { column: 'eventId', type: 'uuid', values: ['e'] },
        { column: 'question', type: 'text', values: ['who'] },
      ],
      orderBy: [{ column: 'createdAt' }],
      first: 3,
    });
    expect(oneLine(page.sql)).toContain('unnest(?::uuid[], ?::text[]) AS parent(parent_0, parent_1)');
    expect(oneLine(page.sql)).toContain('t."eventId" = parent.parent_0 AND t."question" = parent.parent_1');
  });

  it('refuses a name that is not a plain identifier', () => {
    expect(() =>
      lateralPage({ table: 'Claim"; DROP', parent: { column: 'id', type: 'uuid', values: [] }, orderBy: [], first: 1 }),
    ).toThrow(/not an SQL identifier/);
  });
});
