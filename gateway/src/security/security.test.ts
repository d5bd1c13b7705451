import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, KEY_PREFIX, malformedKeyReason } from '../keys/format';
import { operationCost } from './cost';
import { asksForIntrospection } from './operation-policy';

describe('API key format', () => {
  it('makes keys that carry a prefix, ~190 random bits and a checksum', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${KEY_PREFIX}_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$`));
      expect(malformedKeyReason(key)).toBeNull();
    }
  });

  it('refuses a changed character, a random string and a foreign token by shape alone', () => {
    const key = generateKey();
    const changed = key.slice(0, 8) + (key[8] === 'x' ? 'y' : 'x') + key.slice(9);
    expect(malformedKeyReason(changed)).toMatch(/checksum/);
    expect(malformedKeyReason('correct horse battery staple')).toMatch(/looks like/);
    expect(malformedKeyReason(`ghp_${'a'.repeat(36)}`)).toMatch(/looks like/);
  });

  it('stores a hash that does not reveal the key', () => {
    const key = generateKey();
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(key)).not.toContain(key.slice(4, 20));
  });
});

describe('operation cost', () => {
  const schema = buildSchema(`
    type Query { events(first: Int = 20): EventConnection! event(slug: String): Event }
    type EventConnection { nodes: [Event!]! pageInfo: PageInfo! }
    type PageInfo { hasNextPage: Boolean! }
    type Event { title: String! participants: [Participant!]! claims: [Claim!]! }
    type Participant { actor: Actor! }
    type Actor { name: String! statements: [Statement!]! }
    type Statement { quote: String }
    type Claim { text: String! }
  `);
  const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, parse(query), undefined, variables, 10);

  it('counts objects, not scalars', () => {
    expect(cost('{ event(slug: "x") { title } }')).toBe(1);
    expect(cost('{ __typename }')).toBe(0);
  });

  it('multiplies by first, from a literal, a variable or the default', () => {
    expect(cost('{ events(first: 5) { nodes { title } } }')).toBe(1 + 5);
    expect(cost('query($n: Int) { events(first: $n) { nodes { title } } }', { n: 7 })).toBe(1 + 7);
    expect(cost('{ events { nodes { title } } }')).toBe(1 + 20);
  });

  it('assumes a size for lists without first, and nests multiplicatively', () => {
    // event 1 + participants 10 + actors 10 + statements 10×10
    expect(cost('{ event(slug: "x") { participants { actor { statements { quote } } } } }')).toBe(1 + 10 + 10 + 100);
  });

  it('counts every alias and every fragment use', () => {
    const one = cost('{ event(slug: "x") { claims { text } } }');
    expect(cost('{ a: event(slug: "x") { claims { text } } b: event(slug: "y") { claims { text } } }')).toBe(2 * one);
    expect(cost('{ event(slug: "x") { ...C ...C } } fragment C on Event { claims { text } }')).toBe(1 + 2 * 10);
    expect(cost('{ event(slug: "x") { ... on Event { claims { text } } } }')).toBe(one);
  });

  it('makes a bomb expensive', () => {
    expect(cost('{ events(first: 1000000) { nodes { participants { actor { statements { quote } } } } } }')).toBeGreaterThan(1e8);
  });
});

describe('introspection detection', () => {
  it('spots __schema and __type anywhere, but not __typename', () => {
    expect(asksForIntrospection(parse('{ __schema { types { name } } }'))).toBe(true);
    expect(asksForIntrospection(parse('{ event { ...F } } fragment F on Event { t: __type(name: "X") { name } }'))).toBe(true);
    expect(asksForIntrospection(parse('{ event { __typename title } }'))).toBe(false);
  });
});
