import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFixedRate, summarizeRun, type Clock } from '../../bench/lib/open-loop.ts';

/**
 * A clock that only moves when the load generator sleeps; `lag` makes every sleep overshoot. Time moves
 * on the next macrotask, so requests that already finished (pending promise callbacks) finish first.
 */
function fakeClock(lag = 0): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      clock.t += ms + lag;
    },
  };
  return clock;
}

test('sends exactly rate × duration requests, on schedule', async () => {
  const clock = fakeClock();
  const sentAt: number[] = [];
  const result = await runFixedRate({
    rate: 100,
    durationMs: 100,
    clock,
    request: async () => {
      sentAt.push(clock.now());
    },
  });
  assert.equal(result.scheduled, 10);
  assert.equal(result.completed, 10);
  assert.deepEqual(sentAt, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(result.latenciesMs, Array(10).fill(0));
});

test('latency counts from the due time: a late sender does not hide the delay (no coordinated omission)', async () => {
  // Every sleep overshoots by 25 ms, so requests due at 0,10,20,30 go out in bursts, late.
  const clock = fakeClock(25);
  const result = await runFixedRate({ rate: 100, durationMs: 40, clock, request: async () => {} });
  assert.equal(result.scheduled, 4);
  // Due 0 → sent at 0. Then the sleep to 10 ends at 35: 10, 20, 30 are sent at 35.
  assert.deepEqual(result.latenciesMs, [0, 25, 15, 5]);
});

test('failures are counted with a sample of their messages, not timed', async () => {
  let n = 0;
  const result = await runFixedRate({
    rate: 1000,
    durationMs: 10,
    clock: fakeClock(),
    request: async () => {
      n++;
      if (n % 2 === 0) throw new Error('HTTP 500');
      if (n === 5) throw 'plain string';
    },
  });
  assert.equal(result.scheduled, 10);
  assert.equal(result.errors, 6);
  assert.equal(result.completed, 4);
  assert.deepEqual([...result.errorSamples].sort(), ['HTTP 500', 'plain string']);
  const summary = summarizeRun(result);
  assert.equal(summary.latencyMs.count, 4);
});

test('maxInFlight bounds pending requests; the drain bound ends the run with stragglers timed out', async () => {
  const release: (() => void)[] = [];
  const clock = fakeClock();
  const result = await runFixedRate({
    rate: 1000,
    durationMs: 20,
    maxInFlight: 5,
    drainTimeoutMs: 200,
    clock,
    request: () => new Promise<void>((resolve) => release.push(resolve)),
  });
  assert.equal(result.scheduled, 20);
  assert.equal(result.dropped, 15);
  assert.equal(result.timedOut, 5);
  assert.equal(result.completed, 0);
  // The last request was due at 19 ms; the run waited out the whole 200 ms drain bound after it.
  assert.ok(result.elapsedMs >= 19 + 200, `elapsed ${result.elapsedMs}`);
  // Completions after the run ended do not change its result.
  for (const r of release) r();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(result.completed, 0);
  assert.equal(result.latenciesMs.length, 0);
});

test('refuses nonsense parameters', async () => {
  const request = async (): Promise<void> => {};
  await assert.rejects(runFixedRate({ rate: 0, durationMs: 10, request }), RangeError);
  await assert.rejects(runFixedRate({ rate: 10, durationMs: -1, request }), RangeError);
  await assert.rejects(runFixedRate({ rate: 10, durationMs: 10, maxInFlight: 0, request }), RangeError);
  await assert.rejects(runFixedRate({ rate: 1e9, durationMs: 1e9, request }), RangeError);
});
