// Quotes are anchored by their words, not by offsets: a statement's quote is looked up in its
// source's text and the span recorded from where it is found. Reports and contributors disagree
// on typography, so curly and straight quote marks, guillemets, and runs of whitespace count as
// the same. Plain functions over strings; nothing here reads data.
import { fieldError, type FieldError, type FieldErrorCode } from './writes';

export interface Span {
  /** Inclusive, in UTF-16 code units of the source's text. */
  start: number;
  /** Exclusive. */
  end: number;
}

const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032`\u00B4]/;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/;
const WHITESPACE = /\s/;

/**
 * The text as matching sees it, with where each of its characters came from: `origin[i]` is the
 * offset in `text` of the normalised character i (a run of whitespace maps to its first one).
 */
export function normalise(text: string): { normalised: string; origin: number[] } {
  // Built as an array of characters and joined once: appending to a string and asking its last
  // character each time flattens it again and again, which is quadratic on a long report.
  const characters: string[] = [];
  const origin: number[] = [];
  let afterWhitespace = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (WHITESPACE.test(char)) {
      if (afterWhitespace) continue;
      afterWhitespace = true;
      characters.push(' ');
    } else {
      afterWhitespace = false;
      if (SINGLE_QUOTES.test(char)) characters.push("'");
      else if (DOUBLE_QUOTES.test(char)) characters.push('"');
      else characters.push(char);
    }
    origin.push(at);
  }
  return { normalised: characters.join(''), origin };
}

const normalisedWords = (text: string) => normalise(text).normalised.trim();

/** A text prepared once for many lookups (a source's text, when all its statements are anchored again). */
export interface Searchable {
  text: string;
  normalised: string;
  origin: number[];
}

export const searchable = (text: string): Searchable => ({ text, ...normalise(text) });

/** Every place the words occur in the normalised text, overlapping ones included. */
function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** Each occurrence of `words` in a text, as spans of the original text. */
export function findAll(within: Searchable | string, words: string): Span[] {
  const needle = normalisedWords(words);
  if (!needle) return [];
  const { normalised, origin } = typeof within === 'string' ? normalise(within) : within;
  // The needle is trimmed, so its last character is never a collapsed run: it maps to one code unit.
  return occurrences(normalised, needle).map((at) => ({
    start: origin[at]!,
    end: origin[at + needle.length - 1]! + 1,
  }));
}

/** Whether the text under `span` reads as `quote` (quote marks and whitespace aside). */
export const spanReads = (text: string, span: Span, quote: string): boolean =>
  normalisedWords(text.slice(span.start, span.end)) === normalisedWords(quote);

export const spanInside = (text: string, span: Span): boolean =>
  Number.isInteger(span.start) &&
  Number.isInteger(span.end) &&
  span.start >= 0 &&
  span.start < span.end &&
  span.end <= text.length;

export type Anchoring =
  | { outcome: 'anchored'; span: Span }
  | { outcome: 'not-found' }
  | { outcome: 'ambiguous'; count: number }
  | { outcome: 'context-not-found' }
  | { outcome: 'quote-not-in-context' }
  | { outcome: 'span-outside' }
  | { outcome: 'span-mismatch'; reads: string };

/**
 * Where a quote sits in a text. An explicit span decides when given (it must lie inside the text
 * and read as the quote); otherwise the quote must occur once, or once within `context`, a
 * passage of the text around it.
 */
export function anchorQuote(
  within: Searchable | string,
  quote: string,
  hints: { span?: Span | null; context?: string | null } = {},
): Anchoring {
  const prepared = typeof within === 'string' ? searchable(within) : within;
  const { text } = prepared;
  if (hints.span) {
    if (!spanInside(text, hints.span)) return { outcome: 'span-outside' };
    if (!spanReads(text, hints.span, quote)) {
      return { outcome: 'span-mismatch', reads: text.slice(hints.span.start, hints.span.end) };
    }
    return { outcome: 'anchored', span: { start: hints.span.start, end: hints.span.end } };
  }
  const found = findAll(prepared, quote);
  if (!found.length) return { outcome: 'not-found' };
  let candidates = found;
  if (hints.context && found.length > 1) {
    const passages = findAll(prepared, hints.context);
    if (!passages.length) return { outcome: 'context-not-found' };
    candidates = found.filter((span) =>
      passages.some((passage) => passage.start <= span.start && span.end <= passage.end),
    );
    if (!candidates.length) return { outcome: 'quote-not-in-context' };
  }
  if (candidates.length > 1) return { outcome: 'ambiguous', count: candidates.length };
  return { outcome: 'anchored', span: candidates[0]! };
}

/** Where a sentence ends: its stop (and any closing quote marks or brackets) before whitespace. */
const SENTENCE_END = /[.!?\u2026]+["'\u201D\u2019\u00BB)\]]*(?=\s|$)/;
const SENTENCE_ENDS = new RegExp(SENTENCE_END.source, 'g');
/** However long a sentence runs, the context shows at most this much on each side of the span. */
const MAX_CONTEXT_SIDE = 400;

/**
 * The sentence (or sentences, when the span crosses one's end) around a span: from the end of the
 * sentence before it to the end of the one it ends in, stopping at line breaks, which end
 * paragraphs and headlines.
 */
export function sentenceAround(text: string, span: Span): string {
  const floor = Math.max(0, span.start - MAX_CONTEXT_SIDE);
  let start = floor;
  for (const match of text.slice(floor, span.start).matchAll(SENTENCE_ENDS))
    start = floor + match.index + match[0].length;
  const lineBreak = text.lastIndexOf('\n', span.start - 1);
  if (lineBreak >= start) start = lineBreak + 1;

  const ceiling = Math.min(text.length, span.end + MAX_CONTEXT_SIDE);
  // Looking from the span's last character on, so that a span ending its sentence (a quote ending
  // in a full stop) ends the context too.
  const from = Math.max(span.start, span.end - 1);
  const stop = SENTENCE_END.exec(text.slice(from, ceiling));
  let end = stop ? from + stop.index + stop[0].length : ceiling;
  const nextBreak = text.indexOf('\n', span.end);
  if (nextBreak >= 0 && nextBreak < end) end = nextBreak;
  return text.slice(start, Math.max(end, span.end)).trim();
}

/**
 * Where a statement's words are in its source's text, or the field errors (at `at(field)`) saying
 * why they cannot be placed. With no text stored, a quote stays unanchored (and a span cannot be
 * checked). The statements service and the importer's dry run both place quotes with it.
 */
export function placeStatement(
  source: { id: string; text: string | Searchable | null },
  quote: string | null | undefined,
  hints: { quoteContext?: string | null; span?: Span | null },
  at: (field: 'quote' | 'quoteContext' | 'span') => Array<string | number> = (field) => ['input', field],
): { span: Span | null; errors: FieldError[] } {
  const refuse = (field: 'quote' | 'quoteContext' | 'span', code: FieldErrorCode, message: string) => ({
    span: null,
    errors: [fieldError(at(field), code, message)],
  });
  if (source.text == null) {
    return hints.span
      ? refuse('span', 'INVALID', `Source ${source.id} has no text stored for a span to point into.`)
      : { span: null, errors: [] };
  }
  const text = typeof source.text === 'string' ? source.text : source.text.text;
  if (!quote) {
    if (hints.quoteContext)
      return refuse('quoteContext', 'INVALID', 'picks among the occurrences of a quote: give the quote');
    if (hints.span && !spanInside(text, hints.span)) {
      return refuse('span', 'INVALID', `must lie inside the source's text (0–${text.length}), start before end`);
    }
    return { span: hints.span ?? null, errors: [] };
  }
  const anchoring = anchorQuote(source.text, quote, { span: hints.span, context: hints.quoteContext });
  switch (anchoring.outcome) {
    case 'anchored':
      return { span: anchoring.span, errors: [] };
    case 'not-found':
      return refuse(
        'quote',
        'QUOTE_NOT_IN_SOURCE',
        `The quote is not in the text of source ${source.id} (quote marks and whitespace aside); quote its words exactly.`,
      );
    case 'ambiguous':
      return refuse(
        'quote',
        'AMBIGUOUS_QUOTE',
        `The quote occurs ${anchoring.count} times in the source's text: give quoteContext (a passage around the one you mean) or span.`,
      );
    case 'context-not-found':
      return refuse('quoteContext', 'INVALID', "is not in the source's text");
    case 'quote-not-in-context':
      return refuse('quoteContext', 'INVALID', 'does not contain the quote');
    case 'span-outside':
      return refuse('span', 'INVALID', `must lie inside the source's text (0–${text.length}), start before end`);
    case 'span-mismatch':
      return refuse(
        'span',
        'INVALID',
        `reads ${JSON.stringify(anchoring.reads.slice(0, 200))}, which is not the quote; a span must cover exactly the quote`,
      );
  }
}
