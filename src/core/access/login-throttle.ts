// Brute force on the login: after a few failures for one user name or from one address, each further
// attempt must wait, twice as long after each failure, up to a cap; a success clears its keys. Pure,
// with the time passed in. Unknown users are throttled exactly like known ones (the key is the name).

export interface ThrottleRules {
  /** Failures allowed before any wait. */
  readonly freeFailures: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** A key with no failure for this long is forgotten. */
  readonly forgetAfterMs: number;
}

/** Per user name: 5 free failures. */
export const USER_THROTTLE: ThrottleRules = { freeFailures: 5, firstDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/** Per source address: more room (several people behind one address), then the same doubling. */
export const ADDRESS_THROTTLE: ThrottleRules = { ...USER_THROTTLE, freeFailures: 20 };

interface KeyState {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly rules: ThrottleRules) {}

  /** Milliseconds the caller must still wait before trying (0: may try now), over all its keys. */
  waitMs(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const s = this.fresh(k, now);
      if (s) wait = Math.max(wait, s.blockedUntil - now);
    }
    return Math.max(0, wait);
  }

  failed(keys: readonly string[], now: number): void {
    for (const k of keys) {
      const s = this.fresh(k, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
      s.failures++;
      s.lastFailureAt = now;
      const over = s.failures - this.rules.freeFailures;
      if (over > 0) s.blockedUntil = now + Math.min(this.rules.maxDelayMs, this.rules.firstDelayMs * 2 ** (over - 1));
      this.keys.set(k, s);
    }
    if (this.keys.size > 100_000) this.sweep(now); // never unbounded, whatever an attacker sends
  }

  succeeded(keys: readonly string[]): void {
    for (const k of keys) this.keys.delete(k);
  }

  private fresh(key: string, now: number): KeyState | undefined {
    const s = this.keys.get(key);
    if (s && now - s.lastFailureAt > this.rules.forgetAfterMs) {
      this.keys.delete(key);
      return undefined;
    }
    return s;
  }

  private sweep(now: number): void {
    for (const k of [...this.keys.keys()]) this.fresh(k, now);
  }
}
