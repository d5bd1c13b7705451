import { describe, expect, it } from 'vitest';
import { InFlightFetches, inFlightKey, isQueryBody, type FetchedAnswer } from './in-flight';

const answer = (text: string): FetchedAnswer => ({
  status: 200,
  statusText: 'OK',
  headers: [],
  body: Buffer.from(text),
});
const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/** A fetch that answers when told to, counting how often it was started. */
function heldFetch() {
  let started = 0;
  const releases: Array<(outcome: FetchedAnswer | Error) => void> = [];
  return {
    get started() {
      return started;
    },
    fetch: () => {
      started++;
      return new Promise<FetchedAnswer>((resolve, reject) =>
        releases.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome))),
      );
    },
    release: (outcome: FetchedAnswer | Error) => releases.shift()!(outcome),
  };
}

describe('inFlightKey', () => {
  it('keys queries by subgraph, principal and body', () => {
    const query = body('query Q($id: ID!) { event(id: $id) { title } }', { id: '1' });
    expect(inFlightKey('events', 'anon', query)).toBe(inFlightKey('events', 'anon', query));
    expect(inFlightKey('events', 'anon', query)).not.toBe(inFlightKey('actors', 'anon', query));
    expect(inFlightKey('events', 'anon', query)).not.toBe(inFlightKey('events', 'key-1', query));
    expect(inFlightKey('events', 'anon', query)).not.toBe(
      inFlightKey('events', 'anon', body('query Q($id: ID!) { event(id: $id) { title } }', { id: '2' })),
    );
    expect(inFlightKey('events', 'anon', body('{ events { totalCount } }'))).not.toBeNull();
  });

  it('gives no key to a mutation, or to a body it cannot read', () => {
    expect(inFlightKey('events', 'k', body('mutation M { deletePlace(input: { id: "1" }) { errors { code } } }'))).toBe(
      null,
    );
    expect(inFlightKey('events', 'k', body('  mutation { x }'))).toBeNull();
    expect(inFlightKey('events', 'k', 'not json')).toBeNull();
    expect(inFlightKey('events', 'k', JSON.stringify({ variables: {} }))).toBeNull();
  });
});

describe('InFlightFetches', () => {
  it('sends one fetch for identical ones in flight together, and each gets its answer', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const waiting = [1, 2, 3].map(() => inFlight.share('k', held.fetch));
    expect(held.started).toBe(1);
    held.release(answer('the answer'));
    const results = await Promise.all(waiting);
    expect(results.map((result) => result.answer.body.toString())).toEqual(['the answer', 'the answer', 'the answer']);
    expect(results.map((result) => result.shared)).toEqual([false, true, true]);
    expect(inFlight.size).toBe(0);
  });

  it('sends a fetch again once the first has answered: it shares what is in flight, and keeps nothing', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const first = inFlight.share('k', held.fetch);
    held.release(answer('one'));
    await first;
    const second = inFlight.share('k', held.fetch);
    expect(held.started).toBe(2);
    held.release(answer('two'));
    expect((await second).answer.body.toString()).toBe('two');
  });

  it('never shares under no key, or across keys', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const all = [inFlight.share(null, held.fetch), inFlight.share(null, held.fetch), inFlight.share('a', held.fetch)];
    all.push(inFlight.share('b', held.fetch));
    expect(held.started).toBe(4);
    for (let index = 0; index < 4; index++) held.release(answer(String(index)));
    expect((await Promise.all(all)).map((result) => result.shared)).toEqual([false, false, false, false]);
  });

  it('gives a failure to the fetches that waited on it, and to no later one', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const waiting = [inFlight.share('k', held.fetch), inFlight.share('k', held.fetch)];
    held.release(new Error('connection reset'));
    for (const result of await Promise.allSettled(waiting)) expect(result.status).toBe('rejected');
    const after = inFlight.share('k', held.fetch);
    expect(held.started).toBe(2);
    held.release(answer('recovered'));
    expect((await after).answer.body.toString()).toBe('recovered');
  });

  it('lets no fetch join one sent before a mutation answered, and still answers those already waiting', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const before = [inFlight.share('k', held.fetch), inFlight.share('k', held.fetch)];
    inFlight.forgetUnderway();
    const after = [inFlight.share('k', held.fetch), inFlight.share('k', held.fetch)];
    expect(held.started).toBe(2);
    held.release(answer('read before the write'));
    held.release(answer('read after the write'));
    expect((await Promise.all(before)).map((result) => result.answer.body.toString())).toEqual([
      'read before the write',
      'read before the write',
    ]);
    expect((await Promise.all(after)).map((result) => result.answer.body.toString())).toEqual([
      'read after the write',
      'read after the write',
    ]);
    // The earlier fetch answering first did not drop the later one's place.
    expect(inFlight.size).toBe(0);
  });

  it('keeps the later fetch joinable when the forgotten one answers', async () => {
    const inFlight = new InFlightFetches();
    const held = heldFetch();
    const forgotten = inFlight.share('k', held.fetch);
    inFlight.forgetUnderway();
    const later = inFlight.share('k', held.fetch);
    held.release(answer('old'));
    await forgotten;
    expect(inFlight.size).toBe(1);
    const joining = inFlight.share('k', held.fetch);
    expect(held.started).toBe(2);
    held.release(answer('new'));
    expect((await joining).shared).toBe(true);
    expect((await later).answer.body.toString()).toBe('new');
  });
});

describe('isQueryBody', () => {
  it("reads the gateway's own bodies without parsing them, and others by parsing", () => {
    expect(isQueryBody(body('query Q { a }'))).toBe(true);
    expect(isQueryBody(body('{ a }'))).toBe(true);
    expect(isQueryBody(body('mutation M { a }'))).toBe(false);
    expect(isQueryBody(body('queryX { a }'))).toBe(false);
    expect(isQueryBody(JSON.stringify({ variables: {}, query: '  query Q { a }' }))).toBe(true);
    expect(isQueryBody(JSON.stringify({ variables: {}, query: 'mutation { a }' }))).toBe(false);
  });
});
