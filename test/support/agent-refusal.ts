// For tests: awaits a call that must be refused and returns the GrappeError it was refused with.
import assert from 'node:assert/strict';
import { GrappeError } from '../../src/core/errors.ts';

export async function refusal(p: Promise<unknown>): Promise<GrappeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GrappeError, `expected a GrappeError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to be refused');
}
