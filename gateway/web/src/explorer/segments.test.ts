import { describe, expect, it } from 'vitest';
import { findQuote, innermost, layoutText, type Layout } from './segments';

/** Each run as [its text, its statements' ids], read back from the layout. */
const runsOf = (text: string, layout: Layout) =>
  layout.runs.map((run) => [text.slice(run.start, run.end), run.ids.join(' ')]);

/** The words each statement's highlight covers, put together from every run that holds it. */
function highlighted(text: string, layout: Layout) {
  const words = new Map<string, string>();
  for (const run of layout.runs)
    for (const id of run.ids) words.set(id, (words.get(id) ?? '') + text.slice(run.start, run.end));
  return Object.fromEntries(words);
}

describe('layoutText', () => {
  const text = 'Alpha said one. Beta said two. Gamma said three.';
  const at = (words: string) => ({ start: text.indexOf(words), end: text.indexOf(words) + words.length });

  it('leaves a text without spans as one plain run', () => {
    expect(runsOf(text, layoutText(text, []))).toEqual([[text, '']]);
    expect(layoutText('', []).runs).toEqual([]);
  });

  it('cuts the text at each span, covering all of it once, in order', () => {
    const layout = layoutText(text, [
      { id: 'b', span: at('Beta said two.') },
      { id: 'a', span: at('Alpha said one.') },
    ]);
    expect(runsOf(text, layout)).toEqual([
      ['Alpha said one.', 'a'],
      [' ', ''],
      ['Beta said two.', 'b'],
      [' Gamma said three.', ''],
    ]);
  });

  it('keeps touching spans apart', () => {
    const layout = layoutText(text, [
      { id: 'a', span: at('Alpha said one.') },
      { id: 'b', span: at(' Beta said two.') },
    ]);
    expect(runsOf(text, layout).slice(0, 2)).toEqual([
      ['Alpha said one.', 'a'],
      [' Beta said two.', 'b'],
    ]);
  });

  it('splits overlapping and nested spans into runs that name every statement covering them', () => {
    const statements = [
      { id: 'outer', span: at('Alpha said one. Beta said two.') },
      { id: 'inner', span: at('said one') },
      { id: 'across', span: at('one. Beta') },
      { id: 'twin', span: at('Alpha said one. Beta said two.') },
    ];
    const layout = layoutText(text, statements);
    expect(runsOf(text, layout)).toEqual([
      ['Alpha ', 'outer twin'],
      ['said ', 'outer inner twin'],
      ['one', 'outer inner across twin'],
      ['. Beta', 'outer across twin'],
      [' said two.', 'outer twin'],
      [' Gamma said three.', ''],
    ]);
    // Put back together, each statement's runs read exactly as its span.
    expect(highlighted(text, layout)).toEqual(
      Object.fromEntries(statements.map(({ id, span }) => [id, text.slice(span.start, span.end)])),
    );
    // A run leads to the statement most particular to it.
    expect(layout.runs.slice(0, 5).map((run) => innermost(run, layout.placed))).toEqual([
      'outer',
      'inner',
      'across',
      'across',
      'outer',
    ]);
  });

  it('lists statements without a span, or with one that does not fit the text, as unplaced', () => {
    const layout = layoutText(text, [
      { id: 'none', span: null },
      { id: 'past-the-end', span: { start: 40, end: text.length + 1 } },
      { id: 'empty', span: { start: 3, end: 3 } },
      { id: 'backwards', span: { start: 9, end: 2 } },
      { id: 'fits', span: { start: 0, end: text.length } },
    ]);
    expect(layout.unplaced).toEqual(['none', 'past-the-end', 'empty', 'backwards']);
    expect(runsOf(text, layout)).toEqual([[text, 'fits']]);
  });

  it('marks each quote inside its span, across the runs it falls in', () => {
    const layout = layoutText(text, [
      { id: 'a', span: at('Alpha said one. Beta said two.'), quote: 'one. Beta said' },
      { id: 'b', span: at('Beta said two.'), quote: 'two' },
    ]);
    const pieces = layout.runs.flatMap((run) =>
      run.pieces.map((piece) => [text.slice(piece.start, piece.end), piece.quoteOf.join(' ')]),
    );
    expect(pieces).toEqual([
      ['Alpha said ', ''],
      ['one. ', 'a'],
      ['Beta said', 'a'],
      [' ', ''],
      ['two', 'b'],
      ['.', ''],
    ]);
  });

  it('counts offsets in UTF-16 code units, as the API does', () => {
    const emoji = '🙂 Delta said “four”.';
    const layout = layoutText(emoji, [{ id: 'd', span: { start: 3, end: emoji.length }, quote: 'four' }]);
    expect(runsOf(emoji, layout)).toEqual([
      ['🙂 ', ''],
      ['Delta said “four”.', 'd'],
    ]);
    expect(layout.placed.get('d')!.quote).toEqual({ start: 15, end: 19 });
  });

  it('lays out a million characters with many spans in one pass', () => {
    const long = 'x'.repeat(1_000_000);
    const spans = Array.from({ length: 1_000 }, (_, index) => ({
      id: String(index),
      span: { start: index * 997, end: index * 997 + 1_500 },
    }));
    const started = performance.now();
    const layout = layoutText(long, spans);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(layout.runs.reduce((length, run) => length + run.end - run.start, 0)).toBe(long.length);
    expect(layout.runs.length).toBeLessThanOrEqual(2 * spans.length + 1);
  });
});

describe('findQuote', () => {
  it('finds the words exactly, or with other quote marks and spacing, inside the span only', () => {
    const text = 'He said: “It’s over.” Later: It’s over.';
    const span = { start: 0, end: 21 };
    expect(findQuote(text, span, 'It’s over.')).toEqual({ start: 10, end: 20 });
    expect(findQuote(text, span, "It's   over.")).toEqual({ start: 10, end: 20 });
    expect(findQuote(text, { start: 21, end: text.length }, 'It’s over.')).toEqual({ start: 29, end: 39 });
    expect(findQuote(text, span, 'Not said')).toBeNull();
    expect(findQuote(text, span, null)).toBeNull();
  });
});
