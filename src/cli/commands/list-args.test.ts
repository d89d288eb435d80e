import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cursorArgOf, listPath, nextPageArgs } from './list-args.ts';

test('the list flags become the API query; the next page repeats them from the cursor', () => {
  assert.equal(listPath('/guests', { filters: {} }), '/guests');
  assert.equal(
    listPath('/guests', { filters: { host: 'proc 1', state: 'running' }, limit: 50, cursor: 0 }),
    '/guests?host=proc+1&state=running&limit=50&cursor=0',
  );
  assert.equal(listPath('/hosts', { filters: { state: undefined, purpose: 'storage' } }), '/hosts?purpose=storage');
  assert.equal(nextPageArgs({ filters: { state: 'running' }, limit: 50 }, '149'), '--state running --limit 50 --cursor 149');
  assert.equal(nextPageArgs({ filters: { host: "it's" } }, '7'), `--host 'it'\\''s' --cursor 7`);
});

test('a cursor is a whole number, named in the error', () => {
  const cursorArg = cursorArgOf('guest number such as 104');
  assert.equal(cursorArg('0'), 0);
  assert.equal(cursorArg('104'), 104);
  for (const bad of ['-1', 'vm:104', '1e3', '']) assert.throws(() => cursorArg(bad), /is not a guest number such as 104/);
});
