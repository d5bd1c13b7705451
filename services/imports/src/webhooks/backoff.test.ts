import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_CEILINGS, retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const base = 5_000;

  it('follows the documented ceilings: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h', () => {
    const ceilings = RETRY_CEILINGS.map((_, index) => retryDelayMs(index + 1, base, () => 1));
    expect(ceilings).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000]);
  });

  it('jitters over the whole range below each ceiling', () => {
    expect(retryDelayMs(1, base, () => 0)).toBe(0);
    expect(retryDelayMs(3, base, () => 0.5)).toBe(60_000);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const delay = retryDelayMs(attempt, base)!;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(RETRY_CEILINGS[attempt - 1]! * base);
    }
  });

  it('gives up after the ninth attempt', () => {
    expect(MAX_ATTEMPTS).toBe(9);
    expect(retryDelayMs(8, base, () => 1)).toBe(14_400_000);
    expect(retryDelayMs(9, base)).toBeNull();
    expect(retryDelayMs(0, base)).toBeNull();
  });

  it('scales with the base', () => {
    expect(retryDelayMs(2, 100, () => 1)).toBe(600);
  });
});
