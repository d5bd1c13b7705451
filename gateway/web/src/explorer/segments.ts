// A source's text cut into the runs the page renders: plain stretches, and highlighted stretches
// each covered by the same set of statements' spans, with their quoted words marked inside.
// Spans may overlap, nest or touch; the text may hold a million characters. So the text is cut
// only where some span or quote starts or ends: one sort of those points, then one pass over
// them, giving at most one run or piece per point however long the text is.

/** Offsets into a text: `start` inclusive, `end` exclusive, in UTF-16 code units (as JavaScript counts). */
export interface Range {
  start: number;
  end: number;
}

export interface Placeable {
  id: string;
  span?: Range | null;
  quote?: string | null;
}

/** A stretch of a highlighted run: inside the quoted words of `quoteOf` (ids), or not (empty). */
export interface Piece extends Range {
  quoteOf: string[];
}

/** A stretch of the text covered by the spans of exactly `ids` (none for plain text). */
export interface Run extends Range {
  ids: string[];
  pieces: Piece[];
}

export interface Layout {
  runs: Run[];
  /** Where each placed statement's span and quote are. */
  placed: Map<string, { span: Range; quote: Range | null }>;
  /** The ids of statements with no span, or one that does not fit the text, in the order given. */
  unplaced: string[];
}

const fits = (range: Range | null | undefined, length: number): range is Range =>
  !!range &&
  Number.isInteger(range.start) &&
  Number.isInteger(range.end) &&
  range.start >= 0 &&
  range.start < range.end &&
  range.end <= length;

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

const QUOTE_MARKS = /['‘’‚‛"“”„‟«»]/;

/**
 * Where a statement's quote is inside its span: the first exact occurrence or, failing that, one
 * where quote marks (curly or straight) and runs of whitespace differ, as the statements service
 * matches them when it anchors a quote.
 */
export function findQuote(text: string, span: Range, quote: string | null | undefined): Range | null {
  const words = quote?.trim();
  if (!words) return null;
  const passage = text.slice(span.start, span.end);
  const exact = passage.indexOf(words);
  if (exact >= 0) return { start: span.start + exact, end: span.start + exact + words.length };
  const pattern = words
    .split(/\s+/)
    .map((word) =>
      [...word]
        .map((char) => (QUOTE_MARKS.test(char) ? QUOTE_MARKS.source : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join(''),
    )
    .join('\\s+');
  const loose = new RegExp(pattern, 'u').exec(passage);
  return loose ? { start: span.start + loose.index, end: span.start + loose.index + loose[0].length } : null;
}

/** Cuts `text` into runs by the statements' spans (and pieces by their quotes). */
export function layoutText(text: string, statements: readonly Placeable[]): Layout {
  const placed = new Map<string, { span: Range; quote: Range | null }>();
  const unplaced: string[] = [];
  const order = new Map<string, number>();
  // Each point where a span or quote starts (+1) or ends (-1).
  const points: Array<{ at: number; kind: 'span' | 'quote'; id: string; delta: 1 | -1 }> = [];
  for (const statement of statements) {
    if (placed.has(statement.id)) continue;
    if (!fits(statement.span, text.length)) {
      unplaced.push(statement.id);
      continue;
    }
    const span = { start: statement.span.start, end: statement.span.end };
    const quote = findQuote(text, span, statement.quote);
    placed.set(statement.id, { span, quote });
    order.set(statement.id, order.size);
    points.push({ at: span.start, kind: 'span', id: statement.id, delta: 1 });
    points.push({ at: span.end, kind: 'span', id: statement.id, delta: -1 });
    if (quote) {
      points.push({ at: quote.start, kind: 'quote', id: statement.id, delta: 1 });
      points.push({ at: quote.end, kind: 'quote', id: statement.id, delta: -1 });
    }
  }
  points.sort((a, b) => a.at - b.at);

  const bySpanOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
  const spans = new Set<string>();
  const quotes = new Set<string>();
  const runs: Run[] = [];
  let at = 0;
  /** Adds [at, to) under the spans and quotes open now: to the last run when it has the same spans. */
  const emit = (to: number) => {
    if (to <= at) return;
    const ids = [...spans].sort(bySpanOrder);
    let run = runs.at(-1);
    if (!run || !same(run.ids, ids)) {
      run = { start: at, end: at, ids, pieces: [] };
      runs.push(run);
    }
    run.end = to;
    if (ids.length) {
      const quoteOf = [...quotes].sort(bySpanOrder);
      const piece = run.pieces.at(-1);
      if (piece && same(piece.quoteOf, quoteOf)) piece.end = to;
      else run.pieces.push({ start: at, end: to, quoteOf });
    }
    at = to;
  };
  for (const point of points) {
    emit(point.at);
    const open = point.kind === 'span' ? spans : quotes;
    if (point.delta === 1) open.add(point.id);
    else open.delete(point.id);
  }
  emit(text.length);
  return { runs, placed, unplaced };
}

/**
 * Which statement a highlighted run leads to: of those whose spans cover it, the one that starts
 * last (then the shortest), being the most particular to those words.
 */
export function innermost(run: Run, placed: Layout['placed']): string | undefined {
  let best: string | undefined;
  for (const id of run.ids) {
    const span = placed.get(id)!.span;
    const current = best === undefined ? undefined : placed.get(best)!.span;
    if (!current || span.start > current.start || (span.start === current.start && span.end < current.end)) best = id;
  }
  return best;
}
