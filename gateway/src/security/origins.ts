import { getDomain } from 'tldts';

/**
 * Which browser origins something is allowed from: the CORS allow-list (CORS_ORIGINS) and each
 * browser key's own list (`keys create --origins`) use the same two forms.
 *   https://desk.example-news.org      one exact origin (scheme, host, port if not the default)
 *   https://*.example-news.org         any subdomain (at any depth) of one registered domain, over https;
 *                                      not the domain itself, which needs its own exact entry
 * A wildcard must sit below a registrable domain ("*.co.uk" or "*.github.io" would admit sites
 * anyone can register), which tldts decides from the Public Suffix List.
 */
export type OriginPattern =
  { kind: 'exact'; origin: string } | { kind: 'subdomains'; scheme: 'https:'; domain: string; port: string };

export class OriginPatternError extends Error {
  override name = 'OriginPatternError';
}

const WILDCARD = /^https:\/\/\*\.([^/:]+)(?::(\d{1,5}))?$/i;

/** Reads one entry, or throws an OriginPatternError whose message says how to write it. */
export function parseOriginPattern(text: string): OriginPattern {
  const entry = text.trim();
  if (entry === '*') throw new OriginPatternError('"*" is not an origin: list each origin, or https://*.<domain>');
  if (entry === 'null') throw new OriginPatternError('"null" (sandboxed or file: pages) cannot be allowed');
  const wildcard = WILDCARD.exec(entry);
  if (wildcard) {
    const domain = wildcard[1]!.toLowerCase();
    const port = wildcard[2] ?? '';
    const registrable = getDomain(domain, { allowPrivateDomains: true });
    // Only a subdomain of something one party registered: not a public suffix, not an IP address.
    if (!registrable || !(domain === registrable || domain.endsWith(`.${registrable}`))) {
      throw new OriginPatternError(
        `${entry}: a wildcard covers subdomains of one registered domain (https://*.example-news.org), ` +
          `and ${domain} is a public suffix or not a domain`,
      );
    }
    const normalised = `https://*.${domain}${port && port !== '443' ? `:${port}` : ''}`;
    if (normalised !== entry) throw new OriginPatternError(`${entry}: write it as ${normalised}`);
    return { kind: 'subdomains', scheme: 'https:', domain, port: port === '443' ? '' : port };
  }
  if (entry.includes('*'))
    throw new OriginPatternError(`${entry}: a wildcard is allowed only as https://*.<registered domain>`);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new OriginPatternError(
      `${entry}: not an origin; write scheme://host[:port], e.g. https://desk.example-news.org`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OriginPatternError(`${entry}: only http and https pages can be allowed`);
  if (url.origin !== entry) {
    throw new OriginPatternError(
      `${entry}: an origin is scheme://host[:port] only, with no path, query or trailing slash; write ${url.origin}`,
    );
  }
  return { kind: 'exact', origin: url.origin };
}

export function formatOriginPattern(pattern: OriginPattern): string {
  return pattern.kind === 'exact'
    ? pattern.origin
    : `${pattern.scheme}//*.${pattern.domain}${pattern.port ? `:${pattern.port}` : ''}`;
}

/** Reads a comma- or space-separated list; every entry must be valid. */
export function parseOriginList(text: string): OriginPattern[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parseOriginPattern);
}

/** True when the request's Origin header names an origin the pattern allows. */
export function originMatches(pattern: OriginPattern, origin: string): boolean {
  if (pattern.kind === 'exact') return origin === pattern.origin;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // A browser's Origin header is already serialised; anything else is not one we allow.
  if (url.origin !== origin || url.protocol !== pattern.scheme || url.port !== pattern.port) return false;
  return url.hostname.endsWith(`.${pattern.domain}`);
}

export const anyOriginMatches = (patterns: readonly OriginPattern[], origin: string) =>
  patterns.some((pattern) => originMatches(pattern, origin));
