import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { idOrSlug } from './arguments';
import { ConfigError } from './config';
import { uuidFromName, UUID_PATTERN } from './ids';
import { createLogger } from './logger';
import { encodeCursor, pageRequest, toConnection } from './pagination';
import { DateScalar, DateTimeScalar } from './scalars';
import { loadSubgraphConfig } from './service-config';
import { maskUnexpectedErrors } from './subgraph';

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as GraphQLError).extensions?.code;
  }
  return 'no error';
};

describe('name-based ids', () => {
  it('are valid version-5 UUIDs, stable for a name and distinct across names', () => {
    const id = uuidFromName('event:belgorod-incursion-2023');
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('5');
    expect(uuidFromName('event:belgorod-incursion-2023')).toBe(id);
    expect(uuidFromName('event:kremlin-drone-incident-2023')).not.toBe(id);
  });
});

describe('pagination', () => {
  it('round-trips a cursor and refuses one it did not issue', () => {
    const id = uuidFromName('x');
    expect(pageRequest(5, encodeCursor(id))).toEqual({ take: 5, afterId: id });
    expect(codeOf(() => pageRequest(5, 'garbage'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => pageRequest(5, Buffer.from('id:not-a-uuid').toString('base64url')))).toBe('BAD_USER_INPUT');
  });

  it('keeps first within 1..100 and defaults to 20', () => {
    expect(pageRequest(undefined, undefined).take).toBe(20);
    expect(pageRequest(100, null).take).toBe(100);
    for (const bad of [0, -1, 101, 1.5]) expect(codeOf(() => pageRequest(bad, null))).toBe('BAD_USER_INPUT');
  });

  it('tells from the extra row whether another page follows', () => {
    const rows = ['a', 'b', 'c'].map((name) => ({ id: uuidFromName(name) }));
    const more = toConnection(rows, { take: 2, afterId: undefined }, async () => 3);
    expect(more.nodes).toHaveLength(2);
    expect(more.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor(rows[1]!.id) });
    const last = toConnection(rows.slice(0, 2), { take: 2, afterId: undefined }, async () => 2);
    expect(last.pageInfo.hasNextPage).toBe(false);
    expect(toConnection([], { take: 2, afterId: undefined }, async () => 0).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });
});

describe('arguments', () => {
  it('wants exactly one of id and slug', () => {
    expect(idOrSlug(null, 'belgorod-incursion-2023')).toEqual({ slug: 'belgorod-incursion-2023' });
    expect(codeOf(() => idOrSlug(null, null))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => idOrSlug(uuidFromName('x'), 'y'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => idOrSlug('12', null))).toBe('BAD_USER_INPUT');
  });
});

describe('scalars', () => {
  it('DateTime serialises to ISO and parses only ISO 8601', () => {
    expect(DateTimeScalar.serialize(new Date('2023-05-22T00:00:00Z'))).toBe('2023-05-22T00:00:00.000Z');
    expect(DateTimeScalar.parseValue('2023-05-22T10:00:00+03:00')).toEqual(new Date('2023-05-22T07:00:00Z'));
    expect(codeOf(() => DateTimeScalar.parseValue('22/05/2023'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateTimeScalar.parseValue('2023-02-30T99:00:00Z'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateTimeScalar.parseValue(1684713600000))).toBe('BAD_USER_INPUT');
  });

  it('Date is a calendar day', () => {
    expect(DateScalar.serialize(new Date('2020-11-18T00:00:00Z'))).toBe('2020-11-18');
    expect(codeOf(() => DateScalar.parseValue('2020-11-18T00:00:00Z'))).toBe('BAD_USER_INPUT');
  });
});

describe('subgraph configuration', () => {
  const SUBGRAPH_SIGNING_SECRET = 'x'.repeat(32);

  it('uses the embedded default under .data/<name> when no URL is set', () => {
    const config = loadSubgraphConfig('events', { SUBGRAPH_SIGNING_SECRET });
    expect(config).toMatchObject({ port: 4001, host: '127.0.0.1', database: { kind: 'embedded' } });
    expect(config.database.kind === 'embedded' && config.database.dataDir).toMatch(/\.data\/events$/);
  });

  it('uses PostgreSQL when its URL is set, and names bad values', () => {
    const url = 'postgresql://postgres@127.0.0.1:5432/newsfacts_actors';
    expect(
      loadSubgraphConfig('actors', { ACTORS_DATABASE_URL: url, ACTORS_PORT: '5002', SUBGRAPH_SIGNING_SECRET }),
    ).toMatchObject({
      port: 5002,
      database: { kind: 'postgres', url },
    });
    expect(() => loadSubgraphConfig('actors', { ACTORS_PORT: '70000', SUBGRAPH_SIGNING_SECRET })).toThrow(ConfigError);
    expect(() => loadSubgraphConfig('actors', { ACTORS_DATABASE_URL: 'http://x', SUBGRAPH_SIGNING_SECRET })).toThrow(
      /ACTORS_DATABASE_URL/,
    );
    expect(() => loadSubgraphConfig('actors', { SUBGRAPH_SIGNING_SECRET: 'short' })).toThrow(
      /SUBGRAPH_SIGNING_SECRET: must be at least 32/,
    );
  });
});

describe('error masking', () => {
  const mask = maskUnexpectedErrors(createLogger('test', 'silent'));

  it('keeps coded client errors, without a stack trace', () => {
    const error = new GraphQLError('first must be between 1 and 100; got 0.', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(
      mask({ message: error.message, extensions: { code: 'BAD_USER_INPUT', stacktrace: ['at x'] } }, error),
    ).toEqual({
      message: error.message,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('replaces anything unexpected with a bare INTERNAL_SERVER_ERROR', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'id')");
    const masked = mask(
      { message: error.message, path: ['event'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at y'] } },
      error,
    );
    expect(masked).toEqual({
      message: 'Internal server error.',
      path: ['event'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('turns an unreachable database into a retryable SERVICE_UNAVAILABLE that names no address', () => {
    const unavailable = {
      message: 'The database is unavailable right now; try again shortly.',
      path: ['event'],
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
    const refused = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    const prismaLike = Object.assign(new Error('Invalid `prisma.event.findMany()` invocation'), {
      cause: { originalCode: '57P01', message: 'x' },
    });
    for (const error of [refused, prismaLike]) {
      expect(
        mask({ message: error.message, path: ['event'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error),
      ).toEqual(unavailable);
    }
    // A query the database refused is a bug, not an outage.
    const syntax = Object.assign(new Error('syntax error at or near "FROM"'), { code: '42601' });
    expect(
      mask({ message: syntax.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, syntax).extensions?.code,
    ).toBe('INTERNAL_SERVER_ERROR');
  });
});
