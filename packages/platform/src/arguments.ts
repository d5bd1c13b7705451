import { badUserInput } from './errors';
import { UUID_PATTERN } from './ids';

// Checks for query arguments that GraphQL's types cannot express. Each failure is a
// BAD_USER_INPUT naming the argument, so a client knows what to fix.

export const MAX_TEXT_ARGUMENT = 200;

export function checkText(argument: string, value: string): string {
  if (value.length > MAX_TEXT_ARGUMENT) {
    throw badUserInput(`${argument} must be at most ${MAX_TEXT_ARGUMENT} characters.`, { argument });
  }
  return value;
}

export function checkId(id: string, argument = 'id'): string {
  if (!UUID_PATTERN.test(id)) {
    throw badUserInput(`${argument} must be a UUID; got ${JSON.stringify(id.slice(0, 64))}.`, { argument });
  }
  return id;
}

export function checkCountryCode(code: string, argument = 'countryCode'): string {
  if (!/^[A-Za-z]{2}$/.test(code)) {
    throw badUserInput(`${argument} must be a two-letter ISO 3166-1 code such as RU.`, { argument });
  }
  return code.toUpperCase();
}

/** For lookups by id or slug: exactly one of the two must be given. */
export function idOrSlug(
  id: string | null | undefined,
  slug: string | null | undefined,
): { id: string; slug?: never } | { slug: string; id?: never } {
  if ((id == null) === (slug == null)) throw badUserInput('Give exactly one of id or slug.');
  return id != null ? { id: checkId(id) } : { slug: checkText('slug', slug!) };
}

/** Prisma's `contains` becomes a LIKE pattern without escaping `%` and `_`; a search is literal text. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, '\\$&');
