import { describe, expect, it } from 'vitest';
import { browserKeyRefusal } from './authenticate';
import { anyOriginMatches, formatOriginPattern, parseOriginList, parseOriginPattern } from './origins';

describe('origin patterns', () => {
  it('reads exact origins, keeping the port and dropping nothing', () => {
    expect(parseOriginPattern('https://desk.example-news.org')).toEqual({
      kind: 'exact',
      origin: 'https://desk.example-news.org',
    });
    expect(formatOriginPattern(parseOriginPattern('http://127.0.0.1:5173'))).toBe('http://127.0.0.1:5173');
  });

  it.each([
    ['*', /"\*" is not an origin/],
    ['null', /cannot be allowed/],
    ['desk.example-news.org', /not an origin; write scheme:\/\/host/],
    ['https://desk.example-news.org/', /write https:\/\/desk\.example-news\.org$/],
    ['https://desk.example-news.org/live', /no path/],
    ['https://Desk.Example-News.org', /write https:\/\/desk\.example-news\.org$/],
    ['https://desk.example-news.org:443', /write https:\/\/desk\.example-news\.org$/],
    ['ftp://desk.example-news.org', /only http and https/],
    ['https://*.co.uk', /co\.uk is a public suffix/],
    ['https://*.github.io', /github\.io is a public suffix/],
    ['https://*.org', /org is a public suffix/],
    ['https://*.127.0.0.1', /public suffix or not a domain/],
    ['http://*.example-news.org', /wildcard is allowed only as https/],
    ['https://desk.*.example-news.org', /wildcard is allowed only as https/],
    ['https://*.Example-News.org', /write it as https:\/\/\*\.example-news\.org/],
  ])('refuses %s, saying how to write it', (entry, message) => {
    expect(() => parseOriginPattern(entry)).toThrow(message);
  });

  it('matches a wildcard against subdomains at any depth, of its scheme and port only', () => {
    const patterns = parseOriginList('https://*.example-news.org, https://*.desk.example.com:8443');
    expect(anyOriginMatches(patterns, 'https://live.example-news.org')).toBe(true);
    expect(anyOriginMatches(patterns, 'https://a.b.example-news.org')).toBe(true);
    expect(anyOriginMatches(patterns, 'https://example-news.org')).toBe(false); // the domain itself is not a subdomain
    expect(anyOriginMatches(patterns, 'http://live.example-news.org')).toBe(false);
    expect(anyOriginMatches(patterns, 'https://live.example-news.org:8443')).toBe(false);
    expect(anyOriginMatches(patterns, 'https://evilexample-news.org')).toBe(false);
    expect(anyOriginMatches(patterns, 'https://example-news.org.evil.net')).toBe(false);
    expect(anyOriginMatches(patterns, 'https://x.desk.example.com:8443')).toBe(true);
    expect(anyOriginMatches(patterns, 'https://x.desk.example.com')).toBe(false);
    expect(anyOriginMatches(patterns, 'null')).toBe(false);
  });

  it('matches exact origins exactly', () => {
    const patterns = parseOriginList('http://127.0.0.1:5173');
    expect(anyOriginMatches(patterns, 'http://127.0.0.1:5173')).toBe(true);
    expect(anyOriginMatches(patterns, 'http://127.0.0.1:5174')).toBe(false);
    expect(anyOriginMatches(patterns, 'http://127.0.0.1:5173/')).toBe(false);
  });
});

describe('browser keys', () => {
  const origins = ['https://desk.example-news.org', 'https://*.example-news.org'];

  it('are accepted from their origins', () => {
    expect(browserKeyRefusal(origins, 'https://desk.example-news.org')).toBeNull();
    expect(browserKeyRefusal(origins, 'https://live.example-news.org')).toBeNull();
  });

  it('are refused without an Origin, and from any other origin, saying which origins they work from', () => {
    expect(browserKeyRefusal(origins, undefined)).toMatch(/no Origin header.*partner key/);
    expect(browserKeyRefusal(origins, 'https://evil.example')).toBe(
      'This browser key works only from https://desk.example-news.org, https://*.example-news.org; ' +
        'this request came from https://evil.example.',
    );
  });
});
