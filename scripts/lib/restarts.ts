// When a crashed service is started again, as Compose's `restart: unless-stopped` and a
// Kubernetes pod's restartPolicy would: at once-ish, then backing off, and not at all once it
// keeps crashing, so that a service that cannot start does not spin the machine.

export interface RestartPolicy {
  /** The wait before the first restart; each crash in the window doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** This many crashes within `windowMs` and the service is left stopped. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 8_000,
  maxCrashes: 5,
  windowMs: 60_000,
};

export type RestartDecision =
  { restart: true; delayMs: number; crashesInWindow: number } | { restart: false; crashesInWindow: number };

/** One service's recent crashes, and what the next one means. */
export class CrashHistory {
  private crashes: number[] = [];

  constructor(private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY) {}

  crashed(now: number = Date.now()): RestartDecision {
    this.crashes = this.crashes.filter((at) => now - at < this.policy.windowMs);
    this.crashes.push(now);
    const crashesInWindow = this.crashes.length;
    if (crashesInWindow >= this.policy.maxCrashes) return { restart: false, crashesInWindow };
    const delayMs = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** (crashesInWindow - 1));
    return { restart: true, delayMs, crashesInWindow };
  }
}
