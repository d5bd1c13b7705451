import { createHash } from 'node:crypto';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, KEY_PREFIX, malformedKeyReason } from '../keys/format';
import { KeyStore, type ApiKey } from '../keys/store';
import { operationCost } from './cost';
import { asksForIntrospection } from './operation-policy';
import { addressBucket } from './principal';

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

  it('hashes a key to the hex SHA-256 of its exact string', () => {
    const [key, other] = [generateKey(), generateKey()];
    expect(hashKey(key)).toBe(createHash('sha256').update(key, 'utf8').digest('hex'));
    expect(hashKey(other)).not.toBe(hashKey(key));
  });
});

describe('API key store', () => {
  /** Just enough of Prisma's apiKey delegate to see what the store writes and looks up. */
  function inMemoryStore() {
    const rows: ApiKey[] = [];
    const apiKey = {
      create: async ({ data }: { data: Omit<ApiKey, 'createdAt' | 'expiresAt' | 'revokedAt' | 'replacedById'> }) => {
        const row: ApiKey = { createdAt: new Date(), expiresAt: null, revokedAt: null, replacedById: null, ...data };
        rows.push(row);
        return row;
      },
      findUnique: async ({ where }: { where: Partial<Pick<ApiKey, 'keyId' | 'secretHash'>> }) =>
        rows.find((row) => where.keyId === row.keyId || where.secretHash === row.secretHash) ?? null,
      update: async ({ where, data }: { where: Pick<ApiKey, 'keyId'>; data: Partial<ApiKey> }) =>
        Object.assign(
          rows.find((row) => row.keyId === where.keyId)!,
          data,
        ),
    };
    const prisma = { apiKey, $transaction: <T>(run: (tx: { apiKey: typeof apiKey }) => Promise<T>) => run({ apiKey }) };
    return { rows, store: new KeyStore(prisma as unknown as ConstructorParameters<typeof KeyStore>[0]) };
  }
  // Computed here, not with hashKey, so that a store hashing any other way fails.
  const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

  it('stores the SHA-256 (hex) of the exact key it hands out, and never the key', async () => {
    const { rows, store } = inMemoryStore();
    const { key, record } = await store.create({ name: 'Newsroom', scopes: ['READ'] });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.secretHash).toBe(sha256(key));
    expect(rows[0]!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.secretHash).toBe(sha256(key));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(await store.findByKey(key)).toBe(rows[0]);
    expect(await store.findByKey(generateKey())).toBeNull();
  });

  it('stores the SHA-256 of the successor a rotation hands out', async () => {
    const { rows, store } = inMemoryStore();
    const { record } = await store.create({ name: 'Newsroom', scopes: ['READ'] });
    const { key, record: successor } = await store.rotate(record.keyId, 60_000);
    expect(rows.find((row) => row.keyId === successor.keyId)!.secretHash).toBe(sha256(key));
    expect(await store.findByKey(key)).toBe(successor);
  });
});

describe('operation cost', () => {
  const schema = buildSchema(`
    type Query { events(first: Int = 20): EventConnection! event(slug: String): Event }
    type EventConnection { nodes: [Event!]! pageInfo: PageInfo! }
    type PageInfo { hasNextPage: Boolean! }
    type Event { title: String! participants: [Participant!]! claims: [Claim!]! statements(first: Int = 20): [Statement!]! }
    type Participant { actor: Actor! }
    type Actor { name: String! statements: [Statement!]! }
    type Statement { quote: String }
    type Claim { text: String! }
  `);
  const cost = (query: string, variables?: Record<string, unknown>) =>
    operationCost(schema, parse(query), undefined, variables, 10);

  it('counts objects, not scalars', () => {
    expect(cost('{ event(slug: "x") { title } }')).toBe(1);
    expect(cost('{ __typename }')).toBe(0);
  });

  it('multiplies by first, from a literal, a variable, a variable default or the argument default', () => {
    expect(cost('{ events(first: 5) { nodes { title } } }')).toBe(1 + 5);
    expect(cost('query($n: Int) { events(first: $n) { nodes { title } } }', { n: 7 })).toBe(1 + 7);
    expect(cost('query($n: Int = 30) { events(first: $n) { nodes { title } } }')).toBe(1 + 30);
    expect(cost('{ events { nodes { title } } }')).toBe(1 + 20);
  });

  it('counts a first left null as the largest page, and a variable left out as the argument default', () => {
    expect(cost('{ events(first: null) { nodes { title } } }')).toBe(1 + 100);
    expect(cost('query($n: Int) { events(first: $n) { nodes { title } } }', { n: null })).toBe(1 + 100);
    // GraphQL runs an argument whose variable is not provided with the argument's default.
    expect(cost('query($n: Int) { events(first: $n) { nodes { title } } }')).toBe(1 + 20);
  });

  it('assumes a size for lists without first, and nests multiplicatively', () => {
    // event 1 + participants 10 + actors 10 + statements 10×10
    expect(cost('{ event(slug: "x") { participants { actor { statements { quote } } } } }')).toBe(1 + 10 + 10 + 100);
  });

  it('counts a bounded list by its first: every element is an object', () => {
    expect(cost('{ event(slug: "x") { statements(first: 7) { quote } } }')).toBe(1 + 7);
    expect(cost('{ event(slug: "x") { statements { quote } } }')).toBe(1 + 20);
    // 100 events, each with 100 statements: ten thousand statements, not a hundred.
    expect(cost('{ events(first: 100) { nodes { statements(first: 100) { quote } } } }')).toBe(1 + 100 + 100 * 100);
  });

  it('counts every alias and every fragment use', () => {
    const one = cost('{ event(slug: "x") { claims { text } } }');
    expect(cost('{ a: event(slug: "x") { claims { text } } b: event(slug: "y") { claims { text } } }')).toBe(2 * one);
    expect(cost('{ event(slug: "x") { ...C ...C } } fragment C on Event { claims { text } }')).toBe(1 + 2 * 10);
    expect(cost('{ event(slug: "x") { ... on Event { claims { text } } } }')).toBe(one);
  });

  it('makes a bomb expensive', () => {
    expect(
      cost('{ events(first: 1000000) { nodes { participants { actor { statements { quote } } } } } }'),
    ).toBeGreaterThan(1e8);
  });
});

describe('introspection detection', () => {
  it('spots __schema and __type anywhere, but not __typename', () => {
    expect(asksForIntrospection(parse('{ __schema { types { name } } }'))).toBe(true);
    expect(
      asksForIntrospection(parse('{ event { ...F } } fragment F on Event { t: __type(name: "X") { name } }')),
    ).toBe(true);
    expect(asksForIntrospection(parse('{ event { __typename title } }'))).toBe(false);
  });
});

describe('address buckets for anonymous quotas', () => {
  it('keep IPv4 addresses whole and group IPv6 addresses by /64', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::9')).toBe(addressBucket('2001:0db8:0001:0002:ffff::1'));
    expect(addressBucket('2001:db8:1:3::9')).not.toBe(addressBucket('2001:db8:1:2::9'));
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
  });
});
