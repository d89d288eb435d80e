// The docs show what the code does: the HA transition table and the error catalog are generated from
// the code, and this test fails until `npm run docs` has been run after a change to either.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from '../../scripts/docs/generated-docs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the generated docs (HA transition table, error catalog) match the code', () => {
  for (const [path, content] of Object.entries(generatedDocs(root))) {
    assert.equal(readFileSync(path, 'utf8'), content, `${relative(root, path)} is out of date: run \`npm run docs\``);
  }
});
