import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cursorArg, guestListPath, nextPageArgs } from './guest-list-args.ts';

test('the list flags become the API query; the next page repeats them from the cursor', () => {
  assert.equal(guestListPath({}), '/guests');
  assert.equal(guestListPath({ host: 'proc 1', state: 'running', limit: 50, cursor: 0 }), '/guests?host=proc+1&state=running&limit=50&cursor=0');
  assert.equal(nextPageArgs({ state: 'running', limit: 50 }, '149'), '--state running --limit 50 --cursor 149');
  assert.equal(nextPageArgs({ host: "it's" }, '7'), `--host 'it'\\''s' --cursor 7`);
});

test('a cursor is a guest number', () => {
  assert.equal(cursorArg('0'), 0);
  assert.equal(cursorArg('104'), 104);
  for (const bad of ['-1', 'vm:104', '1e3', '']) assert.throws(() => cursorArg(bad), /is not a guest number/);
});
