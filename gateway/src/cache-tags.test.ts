import { execute, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchema } from './server';
import { ID_ALIAS, prepareQuery, tagsOfChange, takeRecordTags, TYPENAME_ALIAS, usesCacheAliases } from './cache-tags';

const RAID = parse(`query Raid($slug: String!) {
  event(slug: $slug) {
    title
    location { name }
    participants { role actor { name } }
    contestedClaims { text statements { stance speaker { name } } }
  }
}`);

describe('prepareQuery', () => {
  it("asks for each record's type and id under our aliases, and for nothing else", () => {
    const { document } = prepareQuery(apiSchema, RAID);
    // Participant has no id: it gets nothing; every type with one gets both fields.
    expect(print(document).replace(/\s+/g, ' ')).toBe(
      'query Raid($slug: String!) { event(slug: $slug) { title location { name __cacheTypename: __typename __cacheId: id } ' +
        'participants { role actor { name __cacheTypename: __typename __cacheId: id } } ' +
        'contestedClaims { text statements { stance speaker { name __cacheTypename: __typename __cacheId: id } ' +
        '__cacheTypename: __typename __cacheId: id } __cacheTypename: __typename __cacheId: id } ' +
        '__cacheTypename: __typename __cacheId: id } }',
    );
  });

  it('asks a union for the id of each member that has one', () => {
    const { document } = prepareQuery(
      apiSchema,
      parse(`{ search(query: "raid") { nodes { entity { __typename } } } }`),
    );
    const printed = print(document).replace(/\s+/g, ' ');
    for (const type of ['Event', 'Actor', 'Claim', 'Statement', 'Source'])
      expect(printed).toContain(`... on ${type} { __cacheId: id }`);
  });

  it('tags the lists, the lookups and the derived values a query reads, apart from the records it holds', () => {
    expect(prepareQuery(apiSchema, RAID).tags).toEqual([
      '*',
      'Claim:*', // contestedClaims lists claims
      'Event:+', // event(slug:) found nothing, maybe, before a create
      'Statement:*', // statements under a claim; whether a claim is contested
    ]);
    expect(prepareQuery(apiSchema, parse(`{ place(slug: "shebekino") { name } }`)).tags).toEqual(['*', 'Place:+']);
    expect(prepareQuery(apiSchema, parse(`{ claim(id: "c") { contested } }`)).tags).toEqual([
      '*',
      'Claim:*',
      'Claim:+',
      'Statement:*',
    ]);
    expect(prepareQuery(apiSchema, parse(`{ actor(slug: "a") { participations { role } } }`)).tags).toEqual([
      '*',
      'Actor:+',
      'Event:*', // participants are kept with their events
    ]);
  });

  it('tags a connection or a search by the records it lists, even when only its count is asked for', () => {
    expect(prepareQuery(apiSchema, parse(`{ events { totalCount } }`)).tags).toEqual(['*', 'Event:*']);
    expect(prepareQuery(apiSchema, parse(`{ search(query: "raid") { nodes { score } } }`)).tags).toEqual([
      '*',
      'Actor:*',
      'Claim:*',
      'Event:*',
      'Source:*',
      'Statement:*',
    ]);
  });

  it('gives the same object for the same document, so a request pays for it once per query text', () => {
    expect(prepareQuery(apiSchema, RAID)).toBe(prepareQuery(apiSchema, RAID));
  });
});

describe('takeRecordTags', () => {
  it('collects every record in an answer to a prepared query, and leaves the answer as the client asked it', async () => {
    const document = parse(`{ event(slug: "e") { title location { name } participants { actor { name } } } }`);
    const { document: prepared } = prepareQuery(apiSchema, document);
    // Run against the API schema, with resolvers that make up records the way the subgraphs would.
    const rootValue = {
      event: () => ({
        __typename: 'Event',
        id: 'e1',
        title: 'Raid',
        location: { __typename: 'Place', id: 'p1', name: 'Glotovo' },
        participants: [
          { role: 'ATTACKER', actor: { __typename: 'Actor', id: 'a1', name: 'RVC' } },
          { role: 'ATTACKER', actor: { __typename: 'Actor', id: 'a2', name: 'FRL' } },
          { role: 'ATTACKER', actor: null },
        ],
      }),
    };
    const result = await execute({ schema: apiSchema, document: prepared, rootValue });
    expect(result.errors).toBeUndefined();
    const tags = takeRecordTags(result.data);
    expect([...tags].sort()).toEqual(['Actor:a1', 'Actor:a2', 'Event:e1', 'Place:p1']);
    const plain = await execute({ schema: apiSchema, document, rootValue });
    expect(result.data).toEqual(plain.data);
    expect(JSON.stringify(result.data)).not.toMatch(new RegExp(`${TYPENAME_ALIAS}|${ID_ALIAS}`));
  });
});

describe('usesCacheAliases', () => {
  it("finds our aliases in a client's document, in fragments too, and nothing else", () => {
    expect(usesCacheAliases(parse(`{ event(slug: "e") { __cacheId: title } }`))).toBe(true);
    expect(usesCacheAliases(parse(`{ ...F } fragment F on Query { place(slug: "p") { __cacheTypename: name } }`))).toBe(
      true,
    );
    expect(usesCacheAliases(parse(`{ event(slug: "e") { cacheId: id __typename } }`))).toBe(false);
  });
});

describe('tagsOfChange', () => {
  it('drops the record; a create, delete, merge or new slug also drops lookups of its type', () => {
    const change = { entityType: 'Place', entityId: 'p1', fields: ['region'], survivorId: null };
    expect(tagsOfChange({ ...change, operation: 'UPDATE' })).toEqual(['Place:p1', 'Place:*']);
    expect(tagsOfChange({ ...change, operation: 'UPDATE', fields: ['name', 'slug'] })).toEqual([
      'Place:p1',
      'Place:*',
      'Place:+',
    ]);
    expect(tagsOfChange({ ...change, operation: 'CREATE' })).toContain('Place:+');
    expect(tagsOfChange({ ...change, operation: 'MERGE', survivorId: 'p2' })).toEqual([
      'Place:p1',
      'Place:*',
      'Place:p2',
      'Place:+',
    ]);
  });
});
