import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paint, stripAnsi, visibleWidth } from './ansi.ts';
import { renderFields, renderTable } from './table.ts';

test('columns are padded to the widest cell, numbers right-aligned, no trailing spaces', () => {
  const out = renderTable(
    [{ header: 'ID', align: 'right' }, { header: 'NAME' }, { header: 'NOTE' }],
    [
      ['1', 'calm-oak-07', ''],
      ['12', 'x', 'update available'],
    ],
  );
  assert.equal(out, ['ID  NAME         NOTE', ' 1  calm-oak-07', '12  x            update available', ''].join('\n'));
});

test('ANSI colour codes take no width', () => {
  const green = paint(true, 'green', '●');
  assert.equal(visibleWidth(green), 1);
  assert.equal(stripAnsi(green), '●');
  const out = renderTable([{ header: 'C' }, { header: 'N' }], [[green, 'a']]);
  assert.equal(stripAnsi(out), 'C  N\n●  a\n');
});

test('paint leaves text alone without colour', () => {
  assert.equal(paint(false, 'red', 'x'), 'x');
});

test('fields are aligned after their colon', () => {
  assert.equal(
    renderFields([
      ['ID', '3'],
      ['Purpose', 'storage'],
    ]),
    '  ID:      3\n  Purpose: storage\n',
  );
});
