import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { buildReport, printReport, target } from '../../bench/lib/report.ts';

test('a target passes only with a finite figure at or under its maximum', () => {
  assert.equal(target('get.p99', 20, 20).pass, true);
  assert.equal(target('get.p99', 20.001, 20).pass, false);
  assert.equal(target('get.p99', null, 20).pass, false);
  assert.equal(target('get.p99', undefined, 20).actual, null);
  assert.equal(target('get.p99', Number.NaN, 20).pass, false);
});

test('the report passes when every target and the extra condition hold, and prints as one JSON object', async () => {
  const ok = buildReport('b', { rate: 1 }, { x: 1 }, [target('m', 1, 2)]);
  assert.equal(ok.pass, true);
  assert.equal(buildReport('b', {}, {}, [target('m', 1, 2)], false).pass, false);
  assert.equal(buildReport('b', {}, {}, [target('m', 3, 2), target('n', 1, 2)]).pass, false);

  const out = new PassThrough();
  printReport(ok, out);
  out.end();
  let text = '';
  for await (const chunk of out) text += String(chunk);
  assert.deepEqual(JSON.parse(text), {
    bench: 'b',
    params: { rate: 1 },
    results: { x: 1 },
    targets: [{ metric: 'm', actual: 1, max: 2, pass: true }],
    pass: true,
  });
});
