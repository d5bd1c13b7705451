import { describe, expect, it } from 'vitest';
import { bodyOf, documentOf, foldAccents } from './documents';

describe('search documents', () => {
  it('an event is its title and summary; without a summary, its title', () => {
    expect(bodyOf('Event', { id: 'e', title: 'Drone incident', summary: 'Two drones over the Kremlin.' })).toBe(
      'Drone incident. Two drones over the Kremlin.',
    );
    expect(bodyOf('Event', { id: 'e', title: 'Drone incident', summary: null })).toBe('Drone incident');
  });

  it('an actor is its name and every alias, in order', () => {
    expect(
      bodyOf('Actor', { id: 'a', name: 'Vyacheslav Gladkov', aliases: [{ name: 'Hladkov' }, { name: 'Gladkov V.' }] }),
    ).toBe('Vyacheslav Gladkov (Gladkov V. · Hladkov)');
    expect(bodyOf('Actor', { id: 'a', name: 'Hanna Malyar', aliases: [] })).toBe('Hanna Malyar');
  });

  it('a statement is its quote and paraphrase, whichever it has', () => {
    expect(bodyOf('Statement', { id: 's', quote: 'These are patriots', paraphrase: null })).toBe('These are patriots');
    expect(bodyOf('Statement', { id: 's', quote: null, paraphrase: 'He denied it.' })).toBe('He denied it.');
    expect(bodyOf('Statement', { id: 's', quote: 'No.', paraphrase: 'He denied it.' })).toBe('No. He denied it.');
  });

  it('keeps a form without accents for near spellings', () => {
    expect(foldAccents('Hladkóv, Zelenskyy, Želiezka')).toBe('Hladkov, Zelenskyy, Zeliezka');
    expect(documentOf('Source', { id: 's', title: 'Ukraïnska Pravda' })).toEqual({
      type: 'Source',
      id: 's',
      body: 'Ukraïnska Pravda',
      folded: 'Ukrainska Pravda',
    });
  });
});
