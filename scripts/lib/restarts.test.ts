import { describe, expect, it } from 'vitest';
import { CrashHistory } from './restarts';

const policy = { firstDelayMs: 500, maxDelayMs: 4_000, maxCrashes: 5, windowMs: 60_000 };

describe('CrashHistory', () => {
  it('backs off, doubling up to the ceiling, then gives up on the fifth crash in the window', () => {
    const history = new CrashHistory(policy);
    const decisions = [0, 1_000, 2_000, 3_000, 4_000].map((at) => history.crashed(at));
    expect(decisions).toEqual([
      { restart: true, delayMs: 500, crashesInWindow: 1 },
      { restart: true, delayMs: 1_000, crashesInWindow: 2 },
      { restart: true, delayMs: 2_000, crashesInWindow: 3 },
      { restart: true, delayMs: 4_000, crashesInWindow: 4 },
      { restart: false, crashesInWindow: 5 },
    ]);
  });

  it('forgets crashes older than the window, so a service that crashes now and then is always restarted', () => {
    const history = new CrashHistory(policy);
    for (let crash = 0; crash < 20; crash++) {
      expect(history.crashed(crash * 30_000)).toMatchObject({ restart: true });
    }
    expect(history.crashed(20 * 30_000)).toEqual({ restart: true, delayMs: 1_000, crashesInWindow: 2 });
  });
});
