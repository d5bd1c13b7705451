import { describe, expect, it } from 'vitest';
import { follows, planDeliveries, type ClaimFacts, type FeedEntry, type SubscriptionRule } from './matching';

const entry = (cursor: string, entityType: string, entityId: string, operation = 'CREATE'): FeedEntry => ({
  cursor,
  entityType,
  entityId,
  operation,
  at: '2026-01-01T00:00:00.000Z',
  fields: ['text'],
  survivorId: null,
});
const rule = (id: string, fields: Partial<SubscriptionRule> = {}): SubscriptionRule => ({
  id,
  types: [],
  operations: [],
  eventId: null,
  contestedOnly: false,
  ...fields,
});

describe('planDeliveries', () => {
  const entries = [
    entry('c1', 'Claim', 'claim-a'),
    entry('c2', 'Statement', 'statement-1'),
    entry('c3', 'Source', 'source-1', 'UPDATE'),
    entry('c4', 'Statement', 'statement-2'),
  ];
  const facts = new Map<string, ClaimFacts>([
    ['claim-a', { claimId: 'claim-a', eventId: 'event-1', contested: false }],
    ['statement-1', { claimId: 'claim-a', eventId: 'event-1', contested: true }],
    ['statement-2', { claimId: 'claim-b', eventId: 'event-2', contested: true }],
  ]);

  it('matches types, operations and the event filter', () => {
    const { deliveries } = planDeliveries(
      'statements',
      entries,
      [
        rule('all'),
        rule('claims', { types: ['Claim'] }),
        rule('updates', { operations: ['UPDATE'] }),
        rule('event-1', { eventId: 'event-1' }),
      ],
      facts,
      new Set(),
    );
    const by = (id: string) => deliveries.filter((d) => d.subscriptionId === id).map((d) => d.cursor);
    expect(by('all')).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(by('claims')).toEqual(['c1']);
    expect(by('updates')).toEqual(['c3']);
    expect(by('event-1')).toEqual(['c1', 'c2']);
    expect(deliveries.find((d) => d.cursor === 'c3')!.payload).toMatchObject({
      type: 'source.update',
      data: { entityType: 'Source', entityId: 'source-1', operation: 'UPDATE', feed: 'statements', cursor: 'c3' },
    });
  });

  it('sends claim.contested once, when a claim not known to be contested is found contested', () => {
    const { deliveries, contestedNow } = planDeliveries(
      'statements',
      entries,
      [rule('contested', { contestedOnly: true }), rule('contested-1', { contestedOnly: true, eventId: 'event-1' })],
      facts,
      new Set(['claim-b']),
    );
    expect(deliveries.map((d) => [d.subscriptionId, d.type, d.payload.data.entityId, d.cursor])).toEqual([
      ['contested', 'claim.contested', 'claim-a', 'c2'],
      ['contested-1', 'claim.contested', 'claim-a', 'c2'],
    ]);
    expect(deliveries[0]!.payload.data.cause).toEqual({
      entityType: 'Statement',
      entityId: 'statement-1',
      operation: 'CREATE',
    });
    expect([...contestedNow].sort()).toEqual(['claim-a', 'claim-b']);
  });

  it('forgets a claim that is no longer contested, so that it can become contested again', () => {
    const { contestedNow } = planDeliveries('statements', [entries[0]!], [], facts, new Set(['claim-a']));
    expect(contestedNow.has('claim-a')).toBe(false);
  });

  it('tells a subscription nothing of what changed before it was made', () => {
    const before = new Date('2026-01-01T00:00:00.001Z');
    const after = new Date('2025-12-31T23:59:59.999Z');
    const { deliveries } = planDeliveries(
      'statements',
      entries,
      [
        rule('late', { createdAt: before }),
        rule('early', { createdAt: after }),
        rule('watcher', { contestedOnly: true, createdAt: before }),
      ],
      facts,
      new Set(),
    );
    expect(new Set(deliveries.map((delivery) => delivery.subscriptionId))).toEqual(new Set(['early']));
  });
});

describe('follows: who is told when a feed cannot be followed', () => {
  it('a subscription hears of a feed that carries a type it wants; claim filters hear of the statements feed only', () => {
    const all = rule('all');
    const places = rule('places', { types: ['Place'] });
    const actorsAndClaims = rule('actors-claims', { types: ['Actor', 'Claim'] });
    const ofEvent = rule('of-event', { eventId: 'event-1' });
    const contested = rule('contested', { contestedOnly: true });
    const who = (feed: 'events' | 'actors' | 'statements') =>
      [all, places, actorsAndClaims, ofEvent, contested].filter((one) => follows(one, feed)).map((one) => one.id);
    expect(who('events')).toEqual(['all', 'places']);
    expect(who('actors')).toEqual(['all', 'actors-claims']);
    expect(who('statements')).toEqual(['all', 'actors-claims', 'of-event', 'contested']);
  });
});
