import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatFigure, renderStats, sparkline } from './stats-view.ts';

test('figures in their units', () => {
  assert.equal(formatFigure('cpu', 0.37), '37%');
  assert.equal(formatFigure('cpu', 0.012), '1.2%');
  assert.equal(formatFigure('memory', 612 * 1024 * 1024), '612 MiB');
  assert.equal(formatFigure('diskWrite', 1.25 * 1024 * 1024), '1.3 MiB/s');
  assert.equal(formatBytes(900), '900 B');
});

test('sparkline: scaled to the peak, squeezed to the width', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([1, 1, 1, 1], 2), '██');
  assert.equal(sparkline([0, 0]), '▁▁');
  assert.equal(sparkline([]), '');
});

test('the table: last, average, peak and trend per figure; a figure with no samples says so', () => {
  const at = '2026-12-06T10:00:00.000Z';
  const text = renderStats('host:proc1', '1h', [
    {
      subject: 'host:proc1',
      metric: 'cpu',
      unit: '',
      stepSeconds: 60,
      points: [
        { at, value: 0.1 },
        { at, value: 0.3 },
      ],
    },
    { subject: 'host:proc1', metric: 'netRx', unit: '', stepSeconds: 60, points: [] },
  ]);
  assert.equal(
    text,
    [
      'host:proc1: the last 1h (2 per-minute samples; CPU in % of one core)',
      'FIGURE  LAST  AVERAGE  PEAK  TREND',
      'CPU      30%      20%   30%  ▃█',
      'net in     -        -     -  no samples yet',
      '',
    ].join('\n'),
  );
});
