import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogRing } from './log-ring.ts';

test('lines are numbered, read after a number or since a time, the newest kept within the capacity', () => {
  const ring = new LogRing(3);
  ring.push('{"time":1000,"msg":"a"}\n{"time":"1970-01-01T00:00:02.000Z","msg":"b"}\n');
  ring.push('{"time":3000,"msg":"c"}\n\n');
  assert.deepEqual(
    ring.read({ limit: 10 }).lines.map((l) => [l.seq, l.timeMs]),
    [
      [1, 1000],
      [2, 2000],
      [3, 3000],
    ],
  );
  assert.deepEqual(
    ring.read({ afterSeq: 2, limit: 10 }).lines.map((l) => l.seq),
    [3],
  );
  assert.deepEqual(
    ring.read({ sinceMs: 2000, limit: 10 }).lines.map((l) => l.seq),
    [2, 3],
  );
  ring.push('{"msg":"no time"}\n');
  const all = ring.read({ limit: 2 });
  assert.deepEqual(
    all.lines.map((l) => l.seq),
    [3, 4],
    'the newest two',
  );
  assert.equal(all.lastSeq, 4);
  assert.deepEqual(
    ring.read({ limit: 10 }).lines.map((l) => l.seq),
    [2, 3, 4],
    'capacity 3: the first line is gone',
  );
  assert.deepEqual(
    ring.read({ sinceMs: 2500, limit: 10 }).lines.map((l) => l.seq),
    [3, 4],
    'a line without a time is never too old',
  );
});
