import { describe, expect, it } from 'vitest';
import { hasOpposingStances } from './contested';

describe('opposing stances', () => {
  it('need one affirming and one rejecting stance', () => {
    expect(hasOpposingStances(new Set(['ASSERTS', 'DENIES']))).toBe(true);
    expect(hasOpposingStances(new Set(['SUPPORTS', 'DISPUTES']))).toBe(true);
    expect(hasOpposingStances(new Set(['ASSERTS', 'SUPPORTS']))).toBe(false);
    expect(hasOpposingStances(new Set(['DENIES', 'DISPUTES']))).toBe(false);
    expect(hasOpposingStances(new Set())).toBe(false);
  });
});
