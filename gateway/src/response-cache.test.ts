import { describe, expect, it } from 'vitest';
import { MemoryResponseCacheStore, noteQueryPlan, subgraphsFetchedBy } from './response-cache';

describe('noteQueryPlan', () => {
  it('collects every subgraph fetched, however deep the plan nests its fetches', () => {
    const context = {};
    noteQueryPlan(context, {
      node: {
        kind: 'Sequence',
        nodes: [
          { kind: 'Fetch', serviceName: 'events' },
          {
            kind: 'Parallel',
            nodes: [
              { kind: 'Flatten', node: { kind: 'Fetch', serviceName: 'statements' } },
              { kind: 'Condition', ifClause: { kind: 'Fetch', serviceName: 'actors' } },
            ],
          },
        ],
      },
    });
    expect([...subgraphsFetchedBy(context)!].sort()).toEqual(['actors', 'events', 'statements']);
    expect(subgraphsFetchedBy({})).toBeUndefined();
  });
});

describe('MemoryResponseCacheStore', () => {
  it('keeps answers under their keys and versions per subgraph', async () => {
    const store = new MemoryResponseCacheStore(1, () => {});
    await store.set('k', { versions: { events: 0 }, result: { data: { a: 1 } } }, 60);
    expect(await store.get('k')).toEqual({ versions: { events: 0 }, result: { data: { a: 1 } } });
    expect(await store.get('other')).toBeUndefined();
    await store.bump(['events', 'events', 'statements']);
    expect(await store.versions(['events', 'statements', 'actors'])).toEqual({ events: 2, statements: 1, actors: 0 });
  });

  it('evicts the least recently used answers beyond its size, and counts them', async () => {
    let evictions = 0;
    const store = new MemoryResponseCacheStore(1, () => evictions++);
    const big = 'x'.repeat(200_000);
    for (let index = 0; index < 10; index++)
      await store.set(`k${index}`, { versions: {}, result: { data: { big } } }, 60);
    expect(evictions).toBeGreaterThan(0);
    expect(await store.get('k9')).toBeDefined();
    expect(await store.get('k0')).toBeUndefined();
  });
});
