import { describe, expect, it } from 'vitest';
import { nameKey } from './names';

describe('nameKey', () => {
  it('reads the ways a package may write Gladkov’s Ukrainian transliteration as one name', () => {
    for (const name of [
      'Vyacheslav Hladkov',
      'vyacheslav  HLADKOV.',
      'Vyachesláv Hladkov',
      ' Vyacheslav\tHladkov ',
      'VYACHESLAV HLADKOV',
      // é written as e and a combining acute, and as one character: the same key.
      'Vyache\u0301slav Hladkov',
      'Vyachéslav Hladkov',
    ]) {
      expect(nameKey(name), name).toBe('vyacheslav hladkov');
    }
  });

  it('keeps other names apart', () => {
    expect(nameKey('Vyacheslav Gladkov')).toBe('vyacheslav gladkov');
    expect(nameKey('Vyacheslav Hladkov')).not.toBe(nameKey('Vyacheslav Gladkov'));
  });

  it('makes every run of punctuation and spaces one space, and trims it', () => {
    expect(nameKey('Freedom-of-Russia Legion')).toBe('freedom of russia legion');
    expect(nameKey('«Wagner»')).toBe('wagner');
    expect(nameKey('U.K. Ministry of Defence')).toBe('u k ministry of defence');
    expect(nameKey('Ministry of Defence (UK)')).toBe('ministry of defence uk');
    expect(nameKey('Kyiv\u00a0/\u2009Kiev')).toBe('kyiv kiev');
    expect(nameKey('Line one\nline two')).toBe('line one line two');
  });

  it('keeps digits', () => {
    expect(nameKey('47th Mechanized Brigade')).toBe('47th mechanized brigade');
    expect(nameKey('Brigade No. 47')).toBe('brigade no 47');
  });

  it('keeps letters of other scripts, lower-cased and without their accents', () => {
    expect(nameKey('Вячеслав Гладков')).toBe('вячеслав гладков');
    expect(nameKey('ВЯЧЕСЛАВ ГЛАДКОВ')).toBe('вячеслав гладков');
    // A stress mark, as dictionaries print it.
    expect(nameKey('Вячесла\u0301в Гла\u0301дков')).toBe('вячеслав гладков');
    expect(nameKey('Ολυμπιακός')).toBe('ολυμπιακος');
    expect(nameKey('习近平')).toBe('习近平');
  });

  it('reads compatibility forms as their plain letters', () => {
    expect(nameKey('ＩＳＷ')).toBe('isw');
    expect(nameKey('ﬁnance ministry')).toBe('finance ministry');
    expect(nameKey('İstanbul')).toBe('istanbul');
  });

  it('folds ß with SS, as a case-insensitive comparison does', () => {
    expect(nameKey('STRAUSS')).toBe(nameKey('Strauß'));
    expect(nameKey('Strauß')).toBe('strauss');
    expect(nameKey('STRAẞE')).toBe('strasse');
  });

  it('reads the Ukrainian apostrophe however it is typed', () => {
    // В'ячеслав: the apostrophe, the right single quotation mark, and U+02BC, the form Unicode
    // recommends for Ukrainian (a modifier letter, so not punctuation to \p{L}).
    const key = nameKey("В'ячеслав Гладков");
    expect(key).toBe('в ячеслав гладков');
    expect(nameKey('В’ячеслав Гладков')).toBe(key);
    expect(nameKey('Вʼячеслав Гладков')).toBe(key);
  });

  it('keeps the vowel signs of scripts where a mark is part of the spelling', () => {
    // Devanagari vowel signs and the virama are combining marks, but dropping them would make
    // मोदी (Modi) and मादा, or नरेन्द्र and नरन्द्र, one name.
    expect(nameKey('नरेन्द्र मोदी')).toBe('नरेन्द्र मोदी');
    expect(nameKey('मोदी')).not.toBe(nameKey('मादा'));
    expect(nameKey('สมชาย')).toBe('สมชาย');
  });

  it('drops the optional vowel points of Arabic and Hebrew, as accents elsewhere', () => {
    expect(nameKey('مُحَمَّد')).toBe(nameKey('محمد'));
    expect(nameKey('שָׁלוֹם')).toBe(nameKey('שלום'));
  });

  it('reads a name with no letter or digit as nothing', () => {
    expect(nameKey('')).toBe('');
    expect(nameKey(' … – ')).toBe('');
  });

  it('is its own key', () => {
    for (const name of ['Vyachesláv  HLADKOV.', 'Strauß', 'В’ячеслав', 'नरेन्द्र मोदी', 'ＩＳＷ', 'İstanbul']) {
      expect(nameKey(nameKey(name)), name).toBe(nameKey(name));
    }
  });
});
