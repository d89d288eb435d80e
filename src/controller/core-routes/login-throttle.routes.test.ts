// Brute force on POST /auth/login, on a controller with an injected clock: after a few failures, 429
// with Retry-After, even for the right password, until the wait is over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWithToken, startControllerHarness } from '../../../test/support/controller-harness.ts';
import { FakeClock } from '../../../test/support/test-cluster.ts';

test('200 wrong logins: locked out with Retry-After; the right password works once the wait is over', async () => {
  const clock = new FakeClock(Date.now());
  const h = await startControllerHarness({ monitorIntervalMs: 60_000, clock });
  try {
    await h.api('POST', '/api/v1/users', { username: 'alice', password: 'the-right-password' });
    const statuses = new Map<number, number>();
    let last;
    for (let i = 0; i < 200; i++) {
      last = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'alice', password: `guess-${i}` });
      statuses.set(last.status, (statuses.get(last.status) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 401: 6, 429: 194 }, 'five free failures and the one that starts the wait');
    assert.equal(last!.headers['retry-after'], '1');
    assert.equal(last!.body.error.code, 'tooManyAttempts');
    const locked = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'alice', password: 'the-right-password' });
    assert.equal(locked.status, 429, 'even the right password waits');
    // An unknown user is counted the same way: nothing tells it apart from a known one.
    for (let i = 0; i < 6; i++) await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'nobody', password: `x-${i}` });
    assert.equal((await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'nobody', password: 'x' })).status, 429);

    clock.advance(1_001);
    const ok = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'alice', password: 'the-right-password' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  } finally {
    await h.close();
  }
});
