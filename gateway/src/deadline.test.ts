import { describe, expect, it } from 'vitest';
import { fetchTimeoutMs } from './deadline';

describe('subgraph fetch timeouts', () => {
  it('a fetch gets the per-fetch limit, cut short by what is left of the request deadline', () => {
    const now = 1_000_000;
    expect(fetchTimeoutMs(5_000, now + 10_000, now)).toBe(5_000);
    expect(fetchTimeoutMs(5_000, now + 1_200, now)).toBe(1_200);
    // Past the deadline a fetch fails at once rather than waiting its own full limit.
    expect(fetchTimeoutMs(5_000, now - 50, now)).toBe(1);
    // No deadline header (NaN): the per-fetch limit alone.
    expect(fetchTimeoutMs(5_000, Number.NaN, now)).toBe(5_000);
  });
});
