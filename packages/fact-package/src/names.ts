// How names are compared when a package names an actor the graph already holds: "Vyacheslav
// Hladkov", "vyacheslav hladkov" and "Vyacheslav Hladkov." are one name. Case, accents and
// punctuation aside; letters of every script are kept, so "Вячеслав Гладков" stays itself.

// Marks after letters of these scripts are accents or optional vowel points, and are dropped. In
// others (Devanagari, Bengali, Thai…) a mark is a vowel sign or a virama, part of the spelling:
// dropping them would make मोदी (Modi) and मादा one name.
const ACCENTED_LETTER =
  /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}])\p{M}+/gu;

// Runs of anything but letters (with the marks kept above) and digits; and U+02BC, the apostrophe
// Unicode recommends for Ukrainian (В'ячеслав): a modifier letter to \p{L}, but the same
// apostrophe as ' and ’.
const SEPARATORS = /(?:[^\p{L}\p{M}\p{N}]|\u02BC)+/gu;

/** The form names are compared in: lower case, accents and punctuation dropped, single spaces. */
export function nameKey(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(ACCENTED_LETTER, '$1')
      .toLowerCase()
      // Case folding, which toLowerCase leaves out: Strauß is STRAUSS in capitals.
      .replace(/ß/g, 'ss')
      .replace(SEPARATORS, ' ')
      .trim()
  );
}
