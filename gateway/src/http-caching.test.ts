import { describe, expect, it } from 'vitest';
import { matchesEntityTag } from './http-caching';

describe('matchesEntityTag', () => {
  it('matches *, the tag, its weak form and a list holding it; nothing else', () => {
    expect(matchesEntityTag('*', '"a"')).toBe(true);
    expect(matchesEntityTag('"a"', '"a"')).toBe(true);
    expect(matchesEntityTag('W/"a"', '"a"')).toBe(true);
    expect(matchesEntityTag('"b", "a"', '"a"')).toBe(true);
    expect(matchesEntityTag('"b"', '"a"')).toBe(false);
    expect(matchesEntityTag(undefined, '"a"')).toBe(false);
    expect(matchesEntityTag('a', '"a"')).toBe(false);
  });
});
