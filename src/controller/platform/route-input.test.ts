import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { isGrappeError } from '../../core/errors.ts';
import { coerceUrlValues, parsePart, takeWait } from './route-input.ts';

const query = z.object({ limit: z.number().int().default(10), verbose: z.boolean().optional(), name: z.string().optional(), n: z.coerce.number().optional() });

test('URL strings become numbers and booleans where the schema asks for them', () => {
  assert.deepEqual(coerceUrlValues(query, { limit: '5', verbose: 'true', name: '42', n: '3' }), { limit: 5, verbose: true, name: '42', n: 3 });
  assert.deepEqual(parsePart('query', query, { limit: '5', verbose: 'false' }), { limit: 5, verbose: false });
  assert.deepEqual(parsePart('query', query, {}), { limit: 10 });
});

test('values that are not numbers stay strings and are refused naming the field', () => {
  for (const bad of ['abc', '1e3', '', ' ']) {
    assert.throws(
      () => parsePart('query', query, { limit: bad }),
      (err: unknown) => isGrappeError(err) && err.kind === 'invalidInput' && /query\.limit/.test(err.message),
      bad,
    );
  }
});

test('body issues name every field, unknown fields included', () => {
  const body = z.object({ a: z.string(), b: z.object({ c: z.number() }) }).strict();
  assert.throws(
    () => parsePart('body', body, { b: { c: 'x' }, zz: 1 }),
    (err: unknown) => {
      assert.ok(isGrappeError(err));
      const paths = (err.details['issues'] as Array<{ path: string }>).map((i) => i.path).sort();
      assert.deepEqual(paths, ['body.a', 'body.b.c', 'body.zz']);
      assert.match(err.message, /^invalid input: /);
      return true;
    },
  );
  assert.throws(() => parsePart('body', body, undefined), /body: required/);
  assert.throws(() => parsePart('body', body, 'text'), /body: not JSON/);
});

test('?wait is taken out of the query and must be a boolean', () => {
  assert.deepEqual(takeWait({ wait: 'true', limit: '1' }), { wait: true, rest: { limit: '1' } });
  assert.deepEqual(takeWait({}), { wait: false, rest: {} });
  assert.deepEqual(takeWait({ wait: 'false' }), { wait: false, rest: {} });
  assert.throws(() => takeWait({ wait: 'soon' }), /query\.wait/);
});
