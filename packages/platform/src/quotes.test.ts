import { describe, expect, it } from 'vitest';
import { anchorQuote, findAll, normalise, sentenceAround } from '@newsfacts/platform/quotes';

const text =
  'Officials met on Monday. The governor said: \u201CThe  situation\nremains tense.\u201D He added that ' +
  '"the situation remains tense" in two districts.\nA new paragraph. Nobody said \u2018yes\u2019 here.';

describe('normalise', () => {
  it('maps curly quote marks and guillemets to straight ones and whitespace runs to one space, keeping origins', () => {
    const { normalised, origin } = normalise('\u00ABa\u201D  \n b\u2019');
    expect(normalised).toBe('"a" b\'');
    expect(origin).toEqual([0, 1, 2, 3, 7, 8]);
  });
});

describe('findAll', () => {
  it('finds words across curly quotes and line breaks, giving offsets into the original text', () => {
    const [span] = findAll(text, '"The situation remains tense."');
    expect(text.slice(span!.start, span!.end)).toBe('\u201CThe  situation\nremains tense.\u201D');
  });

  it('finds every occurrence, ignoring case of nothing', () => {
    expect(findAll(text, 'situation remains tense')).toHaveLength(2);
    expect(findAll(text, 'Situation remains tense')).toHaveLength(0);
  });
});

describe('anchorQuote', () => {
  it('anchors a quote found once', () => {
    const anchoring = anchorQuote(text, "said 'yes' here");
    expect(anchoring.outcome).toBe('anchored');
    if (anchoring.outcome === 'anchored') {
      expect(text.slice(anchoring.span.start, anchoring.span.end)).toBe('said \u2018yes\u2019 here');
    }
  });

  it('refuses a quote not in the text', () => {
    expect(anchorQuote(text, 'The situation is calm')).toEqual({ outcome: 'not-found' });
  });

  it('needs context or a span for a quote found twice', () => {
    expect(anchorQuote(text, 'situation remains tense')).toEqual({ outcome: 'ambiguous', count: 2 });
    const inContext = anchorQuote(text, 'situation remains tense', { context: '"the situation remains tense" in two' });
    expect(inContext).toEqual({
      outcome: 'anchored',
      span: { start: text.indexOf('"the') + 5, end: text.indexOf('" in') },
    });
    expect(anchorQuote(text, 'situation remains tense', { context: 'not in the text' })).toEqual({
      outcome: 'context-not-found',
    });
    expect(anchorQuote(text, 'situation remains tense', { context: 'A new paragraph.' })).toEqual({
      outcome: 'quote-not-in-context',
    });
  });

  it('takes an explicit span that lies inside the text and reads as the quote, and refuses any other', () => {
    const start = text.indexOf('"the') + 1;
    const span = { start, end: start + 'the situation remains tense'.length };
    expect(anchorQuote(text, 'the situation remains tense', { span })).toEqual({ outcome: 'anchored', span });
    expect(anchorQuote(text, 'the situation remains tense', { span: { start, end: start + 10 } })).toMatchObject({
      outcome: 'span-mismatch',
      reads: 'the situat',
    });
    expect(anchorQuote(text, 'x', { span: { start: 0, end: text.length + 1 } })).toEqual({ outcome: 'span-outside' });
    expect(anchorQuote(text, 'x', { span: { start: 5, end: 5 } })).toEqual({ outcome: 'span-outside' });
  });
});

describe('sentenceAround', () => {
  it('gives the sentence a span sits in, ending where the quote ends its sentence', () => {
    const [span] = findAll(text, 'The situation remains tense.');
    expect(sentenceAround(text, span!)).toBe('The governor said: \u201CThe  situation\nremains tense.\u201D');
  });

  it('runs to the end of the sentence, stopping at a line break', () => {
    const [second] = findAll(text, 'the situation remains tense');
    expect(sentenceAround(text, second!)).toBe('He added that "the situation remains tense" in two districts.');
    const [first] = findAll(text, 'A new');
    expect(sentenceAround(text, first!)).toBe('A new paragraph.');
  });
});
