import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderProgressBar } from './progress-bar.ts';

test('renders the bar, the percentage and the message', () => {
  assert.equal(renderProgressBar(0.4, 'pushing connector…'), '[########------------] 40% pushing connector…');
  assert.equal(renderProgressBar(0, ''), '[--------------------] 0%');
  assert.equal(renderProgressBar(1, 'done'), '[####################] 100% done');
});

test('clamps out-of-range and non-numeric fractions', () => {
  assert.equal(renderProgressBar(1.7, ''), '[####################] 100%');
  assert.equal(renderProgressBar(-1, ''), '[--------------------] 0%');
  assert.equal(renderProgressBar(Number.NaN, ''), '[--------------------] 0%');
});

test('never shows 100% before the end', () => {
  assert.equal(renderProgressBar(0.999, ''), '[###################-] 99%');
});

test('cuts the message to the terminal width and flattens whitespace', () => {
  const line = renderProgressBar(0.5, 'a very long\nmessage that does not fit', { width: 10, columns: 30 });
  assert.equal(line, '[#####-----] 50% a very long…');
  assert.ok(line.length <= 29);
});

test('a terminal too narrow for the message shows the bar alone', () => {
  assert.equal(renderProgressBar(0.5, 'message', { width: 10, columns: 5 }), '[#####-----] 50%');
});

test('custom width', () => {
  assert.equal(renderProgressBar(0.25, 'x', { width: 4 }), '[#---] 25% x');
});
