import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  lookup,
  MemoryResponseCacheStore,
  RedisResponseCacheStore,
  type CachedAnswer,
  type ResponseCacheStore,
} from './response-cache';

const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
afterAll(() => redis.disconnect());

const stores: Array<[string, () => Promise<ResponseCacheStore>]> = [
  ['in memory', async () => new MemoryResponseCacheStore(1, () => {})],
  [
    'in Redis',
    async () => {
      if (redis.status === 'wait') await redis.connect();
      return new RedisResponseCacheStore(redis, `nf_test_response_cache_${process.pid}_${Math.random()}`);
    },
  ],
];

const answer = (asOf: number, tags: string[], data: Record<string, unknown> = { a: 1 }): CachedAnswer => ({
  asOf,
  tags,
  expiresAt: Date.now() + 60_000,
  result: { data },
});

describe.each(stores)('the response cache store, %s', (_where, makeStore) => {
  it('serves an answer until a tag it carries is dropped; others stay', async () => {
    const store = await makeStore();
    const asOf = await store.dropCount();
    await store.set('shebekino', answer(asOf, ['*', 'Place:+', 'Place:p1']), 60);
    const glotovo = answer(asOf, ['*', 'Place:+', 'Place:p2']);
    await store.set('glotovo', glotovo, 60);
    expect((await lookup(store, 'shebekino')).result).toBe('hit');
    expect((await lookup(store, 'nothing')).result).toBe('miss');

    await store.drop(['Place:p1', 'Place:*']);
    expect((await lookup(store, 'shebekino')).result).toBe('stale');
    expect(await lookup(store, 'glotovo')).toEqual({ result: 'hit', answer: glotovo });

    await store.drop(['*']);
    expect((await lookup(store, 'glotovo')).result).toBe('stale');
  });

  it('never serves an answer begun before a drop, even one stored after it', async () => {
    const store = await makeStore();
    const begun = await store.dropCount();
    // A write commits and is dropped while the answer is being made from what was there before.
    await store.drop(['Place:p1']);
    await store.set('made-meanwhile', answer(begun, ['Place:p1']), 60);
    expect((await lookup(store, 'made-meanwhile')).result).toBe('stale');
    // Begun after the drop, it read the write: served.
    await store.set('made-after', answer(await store.dropCount(), ['Place:p1']), 60);
    expect((await lookup(store, 'made-after')).result).toBe('hit');
  });

  it('does not serve an answer past its expiry', async () => {
    const store = await makeStore();
    await store.set('old', { ...answer(0, []), expiresAt: Date.now() - 1 }, 60);
    expect((await lookup(store, 'old')).result).toBe('miss');
  });
});

describe('MemoryResponseCacheStore', () => {
  it('evicts the least recently used answers beyond its size, and counts them', async () => {
    let evictions = 0;
    const store = new MemoryResponseCacheStore(1, () => evictions++);
    const big = 'x'.repeat(200_000);
    for (let index = 0; index < 10; index++) await store.set(`k${index}`, answer(0, [], { big }), 60);
    expect(evictions).toBeGreaterThan(0);
    expect(await store.get('k9')).toBeDefined();
    expect(await store.get('k0')).toBeUndefined();
  });

  it('forgets drops older than any answer can be, and only those', async () => {
    const store = new MemoryResponseCacheStore(1, () => {});
    const dayAgo = Date.now() - 86_401_000;
    for (let index = 0; index < 9_999; index++) await store.drop([`Statement:${index}`], dayAgo);
    await store.drop(['Statement:new']);
    expect(await store.droppedAt(['Statement:0', 'Statement:new'])).toEqual([0, 10_000]);
  });
});
