// One catalog of errors: every entry is well-formed, and no code outside it can reach a client —
// the source is scanned for errors built around the catalog (a literal code it does not have, a raw
// HTTP status handed to an error, a cast to ErrorCode that would let any string through).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOG, ERROR_CODES, ERROR_KINDS, isErrorCode, statusOfCode } from '../../src/core/error-catalog.ts';
import { GrappeError } from '../../src/core/errors.ts';
import { AgentError } from '../../src/agent/agent-error.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}
const sources = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'web', 'src'))].map((path) => ({
  file: relative(root, path),
  text: readFileSync(path, 'utf8'),
}));

test('every catalog entry has a kind, a status, a message shape and distinct fields', () => {
  for (const code of ERROR_CODES) {
    const e = ERROR_CATALOG[code];
    assert.ok(Object.hasOwn(ERROR_KINDS, e.kind), `${code}: unknown kind ${e.kind}`);
    const status = statusOfCode(code);
    assert.ok(status >= 400 && status <= 599, `${code}: status ${status}`);
    assert.ok(e.message.length > 10, `${code}: the message shape says nothing`);
    assert.equal(new Set(e.fields).size, e.fields.length, `${code}: a field is listed twice`);
    assert.match(code, /^[a-z][A-Za-z]+$/, `${code}: codes are camelCase words`);
  }
});

test('errors take their kind and status from the catalog, on both sides', () => {
  const g = new GrappeError('noSuchHost', "no host 'x' in this cluster", { host: 'x' });
  assert.equal(g.kind, 'notFound');
  assert.deepEqual(g.toJSON().error, { code: 'noSuchHost', kind: 'notFound', message: "no host 'x' in this cluster", details: { host: 'x' } });
  assert.equal(new AgentError('bodyTooLarge', 'too big').status, 413);
  assert.equal(new AgentError('guestRunning', 'running').status, 409);
  assert.equal(isErrorCode('noSuchHost'), true);
  assert.equal(isErrorCode('noSuchThing'), false);
});

test('no error is built outside the catalog', () => {
  const problems: string[] = [];
  const literal = /\b(?:new (?:GrappeError|AgentError)|relayedError)\(\s*'([A-Za-z]+)'/g;
  for (const { file, text } of sources) {
    for (const m of text.matchAll(literal)) {
      if (!isErrorCode(m[1] as string)) problems.push(`${file}: code '${m[1]}' is not in the catalog`);
    }
    if (/new AgentError\(\s*\d/.test(text)) problems.push(`${file}: an AgentError with a raw HTTP status (the catalog gives it)`);
    if (/\bas ErrorCode\b/.test(text)) problems.push(`${file}: a cast to ErrorCode (check with isErrorCode instead)`);
    if (/sendJson\(\s*res,\s*\d{3}/.test(text)) problems.push(`${file}: an error answered with a raw HTTP status`);
  }
  assert.deepEqual(problems, []);
});

test('the scan sees the places that raise errors (it would notice one built outside the catalog)', () => {
  const raising = sources.filter(({ text }) => /new (?:GrappeError|AgentError)\(/.test(text)).length;
  assert.ok(raising > 40, `only ${raising} files raise errors: is the scan looking at the right tree?`);
  assert.ok(!isErrorCode('refused'), 'the inline "refused" escape hatch is gone');
});
