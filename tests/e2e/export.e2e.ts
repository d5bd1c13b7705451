// The bulk export and the change feeds together, through the real gateway on PostgreSQL.
// The mirror test is what "the feed is complete" means: a partner takes an export, the graph
// changes (creates, updates, merges, deletes, across all three services), the partner follows
// the feeds from the export's cursors, and its mirror then equals a fresh export, record by record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';
import { createKey } from '../helpers/keys-cli';

type Line =
  | { kind: 'cursor'; feeds: Record<string, string | null>; resume: string }
  | { kind: 'record'; type: string; record: { id: string } & Record<string, unknown> }
  | { kind: 'checkpoint'; resume: string }
  | { kind: 'end'; records: number };

const PAGE = 7;
const EXPORTS_PER_HOUR = 40;
let federation: Federation;
let readKey: string;
let writeKey: string;
let adminKey: string;

async function exportLines(key: string | null, query = ''): Promise<{ status: number; lines: Line[] }> {
  const response = await fetch(`${federation.gatewayUrl}/export.ndjson${query}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, lines: [JSON.parse(text) as Line] };
  expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  return {
    status: response.status,
    lines: text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line),
  };
}

type ExportedRecord = { id: string } & Record<string, unknown>;
const recordsOf = (lines: Line[]) =>
  new Map<string, ExportedRecord>(
    lines.flatMap((line) => (line.kind === 'record' ? [[`${line.type}:${line.record.id}`, line.record] as const] : [])),
  );

const call = async (key: string, query: string, variables: Record<string, unknown>) => {
  const { body } = await postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables, {
    authorization: `Bearer ${key}`,
  });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  const payload = Object.values(body.data!)[0] as { errors?: unknown[] };
  expect(payload.errors ?? []).toEqual([]);
  return payload as Record<string, { id: string } | undefined>;
};

beforeAll(async () => {
  federation = await startFederation({
    env: { EXPORT_PAGE_SIZE: String(PAGE), EXPORTS_PER_HOUR: String(EXPORTS_PER_HOUR) },
  });
  const key = (name: string, scopes: string) => createKey(federation.env, name, scopes).then((created) => created.key);
  [readKey, writeKey, adminKey] = await Promise.all([
    key('Export Reader', 'read'),
    key('Export Desk', 'read,write'),
    key('Export Editor', 'read,write,admin'),
  ]);
}, 180_000);

afterAll(async () => {
  await federation?.stop();
});

describe('GET /export.ndjson', () => {
  it("streams every record, the feeds' cursors first, checkpoints between pages, and an end", async () => {
    const { status, lines } = await exportLines(readKey);
    expect(status).toBe(200);
    const [first] = lines;
    expect(first).toMatchObject({ kind: 'cursor' });
    expect(Object.keys((first as Extract<Line, { kind: 'cursor' }>).feeds).sort()).toEqual([
      'actorChanges',
      'eventChanges',
      'statementChanges',
    ]);
    expect(lines.at(-1)).toEqual({ kind: 'end', records: lines.filter((line) => line.kind === 'record').length });
    const count = (type: string) => lines.filter((line) => line.kind === 'record' && line.type === type).length;
    expect([
      count('Place'),
      count('Event'),
      count('Actor'),
      count('Source'),
      count('Claim'),
      count('Statement'),
    ]).toEqual([4, 4, 20, 1, 18, 22]);
    expect(lines.filter((line) => line.kind === 'checkpoint').length).toBeGreaterThan(69 / PAGE - 1);
    // Events carry their lists; nothing says who contributed a record.
    const raid = lines.find((line) => line.kind === 'record' && line.record.slug === 'belgorod-incursion-2023');
    const participants = (raid as Extract<Line, { kind: 'record' }>).record.participants as Array<
      Record<string, unknown>
    >;
    expect(participants.length).toBeGreaterThan(0);
    for (const participant of participants)
      expect(participant).toMatchObject({ actorId: expect.any(String), role: expect.any(String) });
    expect(JSON.stringify(lines)).not.toMatch(/createdBy|externalId|nameKey/);
  });

  it('goes on from a checkpoint after a dropped connection, with nothing lost', async () => {
    const whole = recordsOf((await exportLines(readKey)).lines);
    // Read until the third checkpoint, then drop the connection.
    const controller = new AbortController();
    const response = await fetch(`${federation.gatewayUrl}/export.ndjson`, {
      headers: { authorization: `Bearer ${readKey}` },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    const before: Line[] = [];
    let checkpoints = 0;
    while (checkpoints < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const part of parts) {
        const line = JSON.parse(part) as Line;
        if (checkpoints < 3) before.push(line);
        if (line.kind === 'checkpoint') checkpoints++;
      }
    }
    controller.abort();
    const checkpoint = before.at(-1) as Extract<Line, { kind: 'checkpoint' }>;
    expect(checkpoint.kind).toBe('checkpoint');

    const resumed = await exportLines(readKey, `?resume=${checkpoint.resume}`);
    expect(resumed.lines.at(-1)).toEqual({ kind: 'end', records: whole.size });
    const joined = new Map([...recordsOf(before), ...recordsOf(resumed.lines)]);
    expect(joined).toEqual(whole);
    // Nothing twice: the resumed part starts after the checkpoint.
    expect(recordsOf(before).size + recordsOf(resumed.lines).size).toBe(whole.size);
  });

  it('takes chosen types, or chosen records, and refuses what it cannot give', async () => {
    const actors = await exportLines(readKey, '?types=Actor');
    expect(new Set(actors.lines.flatMap((line) => (line.kind === 'record' ? [line.type] : [])))).toEqual(
      new Set(['Actor']),
    );
    const some = [...recordsOf(actors.lines).values()].slice(0, 2).map((record) => record.id);
    const chosen = await exportLines(readKey, `?types=Actor&ids=${some.join(',')}`);
    expect([...recordsOf(chosen.lines).values()].map((record) => record.id).sort()).toEqual(some.sort());

    expect((await exportLines(null)).status).toBe(401);
    expect((await exportLines(readKey, '?types=Unicorn')).lines[0]).toMatchObject({
      errors: [{ extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect((await exportLines(readKey, '?resume=bm9wZQ')).status).toBe(400);
    expect((await exportLines(readKey, '?types=Actor&ids=not-an-id')).status).toBe(400);
  });

  it('has a quota of its own per key', async () => {
    const key = (await createKey(federation.env, 'Hungry Desk', 'read')).key;
    for (let export_ = 0; export_ < EXPORTS_PER_HOUR; export_++) {
      expect((await exportLines(key, '?types=Source')).status).toBe(200);
    }
    const refused = await fetch(`${federation.gatewayUrl}/export.ndjson?types=Source`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another key's exports are its own.
    expect((await exportLines(readKey, '?types=Source')).status).toBe(200);
  });
});

describe('the mirror: an export plus the feeds equals a fresh export', () => {
  it('after creates, updates, merges and deletes in every service', async () => {
    const start = await exportLines(readKey);
    const mirror = recordsOf(start.lines);
    const feeds = (start.lines[0] as Extract<Line, { kind: 'cursor' }>).feeds;

    // Changes made by partners and an editor, in every service.
    const place = (name: string) =>
      call(
        writeKey,
        `mutation($input: CreatePlaceInput!) { createPlace(input: $input) { place { id } errors { code } } }`,
        {
          input: { name, region: 'Belgorod Oblast', countryCode: 'RU', geoPrecision: 'SETTLEMENT' },
        },
      ).then((payload) => payload.place!.id);
    const actor = (name: string) =>
      call(
        writeKey,
        `mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } errors { code } } }`,
        {
          input: { name, kind: 'PERSON', description: 'Named in a second report.' },
        },
      ).then((payload) => payload.actor!.id);
    const [kept, dropped] = [await place('Zamostye'), await place('Shebekino outskirts')];
    await call(writeKey, `mutation($input: UpdatePlaceInput!) { updatePlace(input: $input) { errors { code } } }`, {
      input: { id: kept, region: 'Shebekinsky District' },
    });
    await call(writeKey, `mutation($input: DeletePlaceInput!) { deletePlace(input: $input) { errors { code } } }`, {
      input: { id: dropped },
    });
    const [survivor, duplicate] = [await actor('Aleksey Levkin'), await actor('Alexei Levkin')];
    await call(adminKey, `mutation($input: MergeActorsInput!) { mergeActors(input: $input) { errors { code } } }`, {
      input: { from: duplicate, into: survivor },
    });
    // A seeded actor with statements and participations folded into a new record: both other
    // services move their references, and must say so in their feeds.
    const yusov = await postGraphQL(`${federation.gatewayUrl}/graphql`, `{ actor(slug: "andriy-yusov") { id } }`);
    const newYusov = await actor('Andrii Yusov');
    await call(adminKey, `mutation($input: MergeActorsInput!) { mergeActors(input: $input) { errors { code } } }`, {
      input: { from: yusov.body.data!.actor.id, into: newYusov },
    });
    const raid = await postGraphQL(
      `${federation.gatewayUrl}/graphql`,
      `{ event(slug: "belgorod-incursion-2023") { id contestedClaims { id } } }`,
    );
    await call(adminKey, `mutation($input: UpdateEventInput!) { updateEvent(input: $input) { errors { code } } }`, {
      input: { id: raid.body.data!.event.id, summary: 'Armed men crossed from Ukraine into the Belgorod region.' },
    });
    await call(adminKey, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { errors { code } } }`, {
      input: {
        id: raid.body.data!.event.contestedClaims[0].id,
        question: 'Who carried out the raid into the Belgorod region on 22 May 2023?',
      },
    });

    // Follow each feed from the export's cursor: deletions and merges go, the rest is read again.
    const stale = new Set<string>();
    for (const [feed, cursor] of Object.entries(feeds)) {
      let after = cursor;
      for (;;) {
        const { body } = await postGraphQL(
          `${federation.gatewayUrl}/graphql`,
          `query($after: String) { ${feed}(after: $after, first: 50) { nodes { entityType entityId operation survivorId } endCursor hasNextPage } }`,
          { after },
          { authorization: `Bearer ${readKey}` },
        );
        const page = body.data![feed] as {
          nodes: Array<{ entityType: string; entityId: string; operation: string; survivorId: string | null }>;
          endCursor: string | null;
          hasNextPage: boolean;
        };
        for (const entry of page.nodes) {
          const key = `${entry.entityType}:${entry.entityId}`;
          if (entry.operation === 'DELETE' || entry.operation === 'MERGE') {
            mirror.delete(key);
            stale.delete(key);
            if (entry.survivorId) stale.add(`${entry.entityType}:${entry.survivorId}`);
          } else stale.add(key);
        }
        after = page.endCursor;
        if (!page.hasNextPage) break;
      }
    }
    // Each service's feed had something to say: the merge moved Yusov's participations (events)
    // and statements (statements), and the claim was edited.
    const staleTypes = new Set([...stale].map((key) => key.split(':')[0]));
    expect([...staleTypes].sort(), [...stale].join(' ')).toEqual(['Actor', 'Claim', 'Event', 'Place', 'Statement']);
    const byType = new Map<string, string[]>();
    for (const key of stale) {
      const [type, id] = key.split(':') as [string, string];
      byType.set(type, [...(byType.get(type) ?? []), id]);
    }
    for (const [type, ids] of byType) {
      const fresh = recordsOf((await exportLines(readKey, `?types=${type}&ids=${ids.join(',')}`)).lines);
      for (const id of ids) {
        const record = fresh.get(`${type}:${id}`);
        if (record) mirror.set(`${type}:${id}`, record);
        else mirror.delete(`${type}:${id}`);
      }
    }

    const now = recordsOf((await exportLines(readKey)).lines);
    expect([...mirror.keys()].sort()).toEqual([...now.keys()].sort());
    for (const [key, record] of now) expect(mirror.get(key), key).toEqual(record);
    // It did change: the mirror is not simply the first export.
    expect(now).not.toEqual(recordsOf(start.lines));
  }, 120_000);
});
