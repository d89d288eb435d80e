// The external fence agent runner with real commands: only exit status 0 confirms a power-off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFenceAgent } from './fence-agent-runner.ts';

test('a fence agent confirms only by exiting 0, and is cut off at its timeout', async () => {
  assert.deepEqual(await runFenceAgent({ command: ['sh', '-c', 'echo Success: Powered OFF'], timeoutMs: 10_000 }), {
    confirmed: true,
    detail: 'exit status 0: Success: Powered OFF',
  });
  const failed = await runFenceAgent({ command: ['sh', '-c', 'echo Failed: Unable to obtain correct plug status >&2; exit 1'], timeoutMs: 10_000 });
  assert.equal(failed.confirmed, false);
  assert.match(failed.detail, /exit status 1: Failed: Unable to obtain/);
  const slow = await runFenceAgent({ command: ['sleep', '30'], timeoutMs: 200 });
  assert.deepEqual(slow, { confirmed: false, detail: 'timed out after 200 ms' });
  const missing = await runFenceAgent({ command: ['/nonexistent/fence_ipmilan', '-o', 'off'], timeoutMs: 1_000 });
  assert.equal(missing.confirmed, false);
  assert.match(missing.detail, /could not run '\/nonexistent\/fence_ipmilan'/);
});
