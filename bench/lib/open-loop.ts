// Open-loop, fixed-rate load: request i is due at start + i/rate whatever happened to earlier ones,
// and its latency is measured from that due time, not from when it was actually sent. A closed loop
// (send, wait, send) hides server stalls because it stops sending while stalled ("coordinated
// omission"); here a stall shows up as the latency every request due during it really saw.
// Bounded: exactly floor(rate × duration) requests, at most `maxInFlight` at once (the rest are
// counted as dropped), and a drain bound after the last send (still-pending ones count as timed out).

import { summarize, round, type Summary } from './stats.ts';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface FixedRateOptions {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** One request; resolves when the whole response is in, rejects on any failure (incl. a wrong status). */
  request: () => Promise<void>;
  maxInFlight?: number;
  /** How long to wait for stragglers after the last request is sent. */
  drainTimeoutMs?: number;
  clock?: Clock;
}

export interface FixedRateResult {
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  /** Not sent because `maxInFlight` requests were already pending. */
  readonly dropped: number;
  /** Still pending when the drain bound ran out. */
  readonly timedOut: number;
  /** One per completed request, ms from its due time to its completion. */
  readonly latenciesMs: readonly number[];
  readonly elapsedMs: number;
  /** Up to 5 distinct error messages, to say why requests failed. */
  readonly errorSamples: readonly string[];
}

const MAX_REQUESTS = 10_000_000;

export async function runFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const { rate, durationMs, request } = options;
  const maxInFlight = options.maxInFlight ?? 1000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const clock = options.clock ?? realClock;
  if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`runFixedRate: rate must be > 0, got ${rate}`);
  if (!(durationMs > 0 && Number.isFinite(durationMs))) {
    throw new RangeError(`runFixedRate: durationMs must be > 0, got ${durationMs}`);
  }
  if (!(Number.isSafeInteger(maxInFlight) && maxInFlight >= 1)) {
    throw new RangeError(`runFixedRate: maxInFlight must be an integer ≥ 1, got ${maxInFlight}`);
  }
  const scheduled = Math.floor((rate * durationMs) / 1000);
  if (scheduled > MAX_REQUESTS) throw new RangeError(`runFixedRate: ${scheduled} requests is more than ${MAX_REQUESTS}`);

  const intervalMs = 1000 / rate;
  const latenciesMs: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let finished = false; // late completions after the drain bound are ignored
  let onIdle: (() => void) | undefined;

  const issue = (dueAt: number): void => {
    if (inFlight >= maxInFlight) {
      dropped++;
      return;
    }
    inFlight++;
    let promise: Promise<void>;
    try {
      promise = request();
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise
      .then(
        () => {
          if (!finished) latenciesMs.push(clock.now() - dueAt);
        },
        (err: unknown) => {
          if (finished) return;
          errors++;
          if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
        },
      )
      .finally(() => {
        inFlight--;
        if (inFlight === 0) onIdle?.();
      });
  };

  const start = clock.now();
  let next = 0;
  while (next < scheduled) {
    const now = clock.now();
    // Catch up on everything due: a late timer must not thin out the schedule.
    while (next < scheduled && start + next * intervalMs <= now) {
      issue(start + next * intervalMs);
      next++;
    }
    if (next < scheduled) await clock.sleep(Math.max(0, start + next * intervalMs - clock.now()));
  }

  const drainDeadline = clock.now() + drainTimeoutMs;
  while (inFlight > 0 && clock.now() < drainDeadline) {
    const idle = new Promise<void>((resolve) => (onIdle = resolve));
    await Promise.race([idle, clock.sleep(Math.min(50, Math.max(0, drainDeadline - clock.now())))]);
  }
  finished = true;
  onIdle = undefined;
  return {
    scheduled,
    completed: latenciesMs.length,
    errors,
    dropped,
    timedOut: inFlight,
    latenciesMs,
    elapsedMs: clock.now() - start,
    errorSamples: [...errorSamples],
  };
}

export interface RunSummary {
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  readonly dropped: number;
  readonly timedOut: number;
  readonly achievedRatePerSec: number;
  readonly latencyMs: Summary;
  readonly errorSamples: readonly string[];
}

/** The report-friendly view of a run: counts, achieved rate and latency percentiles. */
export function summarizeRun(result: FixedRateResult): RunSummary {
  return {
    scheduled: result.scheduled,
    completed: result.completed,
    errors: result.errors,
    dropped: result.dropped,
    timedOut: result.timedOut,
    achievedRatePerSec: result.elapsedMs > 0 ? round((result.completed * 1000) / result.elapsedMs, 1) : 0,
    latencyMs: summarize(result.latenciesMs),
    errorSamples: result.errorSamples,
  };
}

/** True when every scheduled request completed. */
export const allSucceeded = (s: RunSummary): boolean => s.completed === s.scheduled;
