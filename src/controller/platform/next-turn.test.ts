import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ITEMS_PER_TURN, turnAfter } from './next-turn.ts';

test('a pass gives the event loop back after every ITEMS_PER_TURN items, and only then', async () => {
  assert.equal(turnAfter(0), undefined);
  assert.equal(turnAfter(ITEMS_PER_TURN - 2), undefined);
  let ranBetween = false;
  setImmediate(() => (ranBetween = true));
  await turnAfter(ITEMS_PER_TURN - 1);
  assert.equal(ranBetween, true, 'what was waiting ran before the pass went on');
  assert.ok(turnAfter(5, 3) instanceof Promise);
});
