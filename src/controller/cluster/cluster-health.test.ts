import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortReason } from './cluster-health.ts';

test("an unreachable member's reason reads in a few words", () => {
  assert.equal(
    shortReason('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 198.18.0.14:7379. Resolution note: something long'),
    'connection refused (198.18.0.14:7379)',
  );
  assert.equal(shortReason('4 DEADLINE_EXCEEDED: Deadline exceeded after 0.701s', 700), 'no answer within 700 ms');
  assert.equal(shortReason('13 INTERNAL: odd\nsecond line'), '13 INTERNAL: odd');
});
