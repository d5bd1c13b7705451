// The events service's change feed on real PostgreSQL, through the subgraph's own resolver:
// entries in an order a client resumes from, none passed over when transactions commit out of
// the order they wrote in, and cursors that are refused when garbled or past the retention.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '@newsfacts/platform/change-feed';
import { startSubgraphHarness, type SubgraphHarness } from '../../../tests/helpers/subgraph-harness';

const FEED = `query Feed($after: String, $first: Int) {
  eventChanges(after: $after, first: $first) { nodes { cursor entityType entityId operation fields survivorId } endCursor hasNextPage }
}`;

interface Page {
  nodes: Array<{ cursor: string; entityType: string; entityId: string; operation: string; fields: string[] }>;
  endCursor: string | null;
  hasNextPage: boolean;
}

let events: SubgraphHarness;
let writerA: pg.Client;
let writerB: pg.Client;

const page = async (after: string | null, first = 1000) => {
  const result = await events.execute<{ eventChanges: Page }>(FEED, { after, first });
  expect(result.errors).toBeUndefined();
  return result.data!.eventChanges;
};

/** Every entry after `after`, following pages to the end. */
async function follow(after: string | null, first = 1000) {
  const nodes: Page['nodes'] = [];
  let cursor = after;
  for (;;) {
    const next = await page(cursor, first);
    nodes.push(...next.nodes);
    cursor = next.endCursor;
    if (!next.hasNextPage) return { nodes, cursor };
  }
}

/** Where a cursor points, without when it was handed out. */
const positionOf = (cursor: string | null) => {
  const { txid, seq } = decodeCursor(cursor!)!;
  return { txid, seq };
};

const insertChange = (client: pg.Client, entityId: string) =>
  client.query(
    `INSERT INTO "Change" ("entityType", "entityId", operation, "by", fields) VALUES ('Place', $1, 'UPDATE', 'key_test', '{region}')`,
    [entityId],
  );

beforeAll(async () => {
  events = await startSubgraphHarness('events');
  writerA = new pg.Client({ connectionString: events.database.url });
  writerB = new pg.Client({ connectionString: events.database.url });
  await Promise.all([writerA.connect(), writerB.connect()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([writerA?.end(), writerB?.end()]);
  await events?.close();
});

describe('the change feed', () => {
  it('pages through every entry once, oldest first, and resumes where a page ended', async () => {
    await insertChange(writerA, '00000000-0000-4000-8000-000000000001');
    await insertChange(writerA, '00000000-0000-4000-8000-000000000002');
    await insertChange(writerA, '00000000-0000-4000-8000-000000000003');
    const whole = await follow(null);
    const paged = await follow(null, 2);
    expect(paged.nodes).toEqual(whole.nodes);
    expect(new Set(whole.nodes.map((node) => node.cursor)).size).toBe(whole.nodes.length);
    expect(whole.nodes.slice(-3).map((node) => node.entityId)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ]);
    // Nothing new: a cursor at the same place back, to poll with.
    const after = await page(whole.cursor);
    expect(after).toMatchObject({ nodes: [], hasNextPage: false });
    expect(positionOf(after.endCursor)).toEqual(positionOf(whole.cursor));
  });

  it('passes over no entry whose transaction commits after a later one', async () => {
    const { cursor } = await follow(null);
    // A writes first and commits last: its entry has the lower sequence number.
    await writerA.query('BEGIN');
    await insertChange(writerA, '00000000-0000-4000-8000-00000000000a');
    await insertChange(writerB, '00000000-0000-4000-8000-00000000000b');
    // B has committed, but A is still open: B's entry waits for A's.
    const meanwhile = await follow(cursor);
    expect(meanwhile.nodes).toEqual([]);
    await writerA.query('COMMIT');
    const after = await follow(meanwhile.cursor);
    expect(after.nodes.map((node) => node.entityId)).toEqual([
      '00000000-0000-4000-8000-00000000000a',
      '00000000-0000-4000-8000-00000000000b',
    ]);
  });

  it('refuses a cursor it did not give, one past the retention, and a page size out of range', async () => {
    const garbled = await events.execute(FEED, { after: 'not-a-cursor' });
    expect(garbled.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const old = encodeCursor({ txid: '1', seq: '1', at: Date.now() - 31 * 86_400_000 });
    const expired = await events.execute(FEED, { after: old });
    expect(expired.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    expect(expired.errors?.[0]?.message).toMatch(/older than the 30 days .* export the data anew/);
    for (const first of [0, 1001]) {
      expect((await events.execute(FEED, { first })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('keeps the cursor of a client polling a quiet feed fresh: its last entry aged past the retention is no expiry', async () => {
    const { cursor } = await follow(null);
    // The same place, as if the last entry had been written 29 days ago and nothing since.
    const aging = encodeCursor({ ...positionOf(cursor), at: Date.now() - 29 * 86_400_000 });
    const polled = await page(aging);
    expect(polled.nodes).toEqual([]);
    expect(positionOf(polled.endCursor)).toEqual(positionOf(cursor));
    expect(decodeCursor(polled.endCursor!)!.at).toBeGreaterThan(Date.now() - 60_000);
    // Past the retention, the same place unpolled is refused.
    const expired = await events.execute(FEED, {
      after: encodeCursor({ ...positionOf(cursor), at: Date.now() - 31 * 86_400_000 }),
    });
    expect(expired.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
  });
});
