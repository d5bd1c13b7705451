/**
 * How long to wait before each retry, as ceilings in multiples of the base (WEBHOOK_RETRY_BASE_MS,
 * 5 s by default): 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h. Eight retries after the first
 * attempt, nine attempts over about eight hours, then the delivery is FAILED.
 */
export const RETRY_CEILINGS = [1, 6, 24, 120, 360, 720, 1_440, 2_880] as const;
export const MAX_ATTEMPTS = RETRY_CEILINGS.length + 1;

/**
 * The wait after `failedAttempts` failures, or null when that was the last attempt. Full jitter
 * (anywhere from 0 to the ceiling): endpoints that come back after an outage are not met by every
 * queued delivery at the same instant.
 */
export function retryDelayMs(
  failedAttempts: number,
  baseMs: number,
  random: () => number = Math.random,
): number | null {
  if (failedAttempts < 1 || failedAttempts >= MAX_ATTEMPTS) return null;
  const ceiling = RETRY_CEILINGS[failedAttempts - 1]! * baseMs;
  return Math.floor(random() * ceiling);
}
