import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { repeatRounds } from './repeat-rounds.ts';

test('rounds start one period after the previous ended, the period read each time; a failure is reported and rounds go on', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const started: number[] = [];
    const errors: unknown[] = [];
    let period = 100;
    let now = 0;
    const stop = repeatRounds({
      periodMs: () => period,
      round: async () => {
        started.push(now);
        if (started.length === 2) throw new Error('store hiccup');
      },
      onError: (e) => errors.push(e),
    });
    const tick = async (ms: number): Promise<void> => {
      now += ms;
      mock.timers.tick(ms);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    await tick(99);
    assert.deepEqual(started, []);
    await tick(1);
    assert.deepEqual(started, [100]);
    period = 300; // more hosts: longer rounds, from the round scheduled after this one
    await tick(100);
    assert.deepEqual(started, [100, 200], 'the next round was scheduled with the period read when the first ended');
    assert.equal(errors.length, 1, 'the second round failed, and was reported');
    await tick(299);
    assert.deepEqual(started, [100, 200]);
    await tick(1);
    assert.deepEqual(started, [100, 200, 500], 'a failed round does not stop the loop; the longer period holds');
    await stop();
    await tick(1000);
    assert.equal(started.length, 3, 'no round after stop');
  } finally {
    mock.timers.reset();
  }
});
