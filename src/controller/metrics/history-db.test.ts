import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HISTORY_RETENTION_MS, HISTORY_WRITE_EVERY_MS, HistoryDb } from './history-db.ts';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const MIN = 60_000;

test('samples per minute across hours, read back by span, kept after a reopen; older than a week pruned', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grappe-history-'));
  try {
    const path = join(dir, 'history.sqlite');
    let db = new HistoryDb(path);
    for (let m = 0; m < 150; m++) db.record('guest:vm:100', T0 + m * MIN + 5_000, { cpu: m / 100, memory: 1000 + m });
    db.record('host:proc1', T0, { diskRead: 42 });
    await db.flush(T0 + 150 * MIN);
    const cpu = db.read('guest:vm:100', 'cpu', T0 + 58 * MIN, T0 + 62 * MIN);
    assert.deepEqual(
      cpu.map((p) => [(p.atMs - T0) / MIN, Math.round(p.value * 100)]),
      [
        [58, 58],
        [59, 59],
        [60, 60],
        [61, 61],
        [62, 62],
      ],
      'minute stamps at the start of the minute, over the hour boundary',
    );
    assert.deepEqual(db.read('guest:vm:100', 'netRx', T0, T0 + 150 * MIN), [], 'a figure never sampled has no points');
    const disk = db.read('host:proc1', 'diskRead', T0, T0 + MIN);
    assert.equal(disk.length, 1);
    assert.ok(Math.abs(disk[0]!.value - 42) < 42 * 0.001, `stored within 0.1 % (${disk[0]!.value})`);
    db.close();

    db = new HistoryDb(path);
    assert.equal(db.read('guest:vm:100', 'memory', T0, T0 + 150 * MIN).length, 150, 'every minute survived the reopen');
    // A sample in an hour already on disk is merged into it, not written over it.
    db.record('guest:vm:100', T0 + 149 * MIN + 30_000, { netTx: 7 });
    await db.flush(T0 + 150 * MIN);
    assert.equal(db.read('guest:vm:100', 'memory', T0 + 120 * MIN, T0 + 150 * MIN).length, 30);
    // A week and two hours later, the first hours are gone.
    const later = T0 + HISTORY_RETENTION_MS + 2 * 3600_000;
    db.record('guest:vm:100', later, { cpu: 1 });
    await db.flush(later);
    assert.deepEqual(db.read('guest:vm:100', 'cpu', T0, T0 + 60 * MIN), []);
    assert.ok(db.sizeBytes() > 0);
    db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('16-bit figures: 0.1 % precision from zero to beyond 2^40, no sample kept apart from zero', async () => {
  const { quantize, dequantize } = await import('./history-chunk.ts');
  for (const v of [0, 0.001, 0.5, 1, 37.2, 1e6, 2.5e9, 2 ** 40]) {
    const back = dequantize(quantize(v));
    assert.ok(Math.abs(back - v) <= Math.max(0.001, v * 0.001), `${v} came back as ${back}`);
  }
  assert.ok(Number.isNaN(dequantize(quantize(Number.NaN))));
  assert.equal(quantize(0), 1, 'zero is a sample, not a gap');
});

test('hours are written every few minutes, readable before they are, and written by close', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grappe-history-'));
  try {
    const path = join(dir, 'history.sqlite');
    const onDisk = (subject: string): number => {
      const peek = new HistoryDb(path);
      try {
        return peek.read(subject, 'cpu', T0, T0 + 3 * 3600_000).length;
      } finally {
        peek.close();
      }
    };
    const db = new HistoryDb(path);
    db.record('guest:vm:1', T0 + 58 * MIN, { cpu: 1 });
    await db.flush(T0 + 58 * MIN);
    assert.equal(onDisk('guest:vm:1'), 1, 'the first flush writes');
    // The hour ends: the minute after it opens the next hour; the one before waits for the next write.
    db.record('guest:vm:1', T0 + 59 * MIN, { cpu: 2 });
    db.record('guest:vm:1', T0 + 61 * MIN, { cpu: 3 });
    await db.flush(T0 + 61 * MIN);
    assert.equal(onDisk('guest:vm:1'), 1, 'not due yet');
    assert.equal(db.read('guest:vm:1', 'cpu', T0, T0 + 2 * 3600_000).length, 3, 'read from memory meanwhile, across the hour');
    for (let n = 2; n < 250; n++) db.record(`guest:vm:${n}`, T0 + 61 * MIN, { cpu: n });
    await db.flush(T0 + 58 * MIN + HISTORY_WRITE_EVERY_MS);
    assert.equal(onDisk('guest:vm:1'), 3, 'due: both hours written');
    assert.equal(onDisk('guest:vm:249'), 1, 'every slice written');
    db.record('guest:vm:1', T0 + 62 * MIN, { cpu: 4 });
    db.close();
    assert.equal(onDisk('guest:vm:1'), 4, 'close writes what was not written');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
