import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { z } from 'zod';
import { SeqLog, padSeq } from './seq-log.ts';
import { defineRecordKind } from './stored-records.ts';

const RING = defineRecordKind<{ n: number }>({ name: 'ring entry', version: 1, migrations: {}, schema: z.object({ n: z.number() }) });

test('a ring keeps the last N records, numbered without gaps even when appends race', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-seq-'));
  const store = openSqliteStore(join(dir, 'db'));
  try {
    const ring = new SeqLog(store, { name: 'ring', record: RING, keyOf: (s) => `/ring/${padSeq(s)}`, keep: 5 });
    const appended = await Promise.all(Array.from({ length: 12 }, () => ring.append((seq) => ({ n: seq * 10 }))));
    assert.deepEqual(
      appended.map((a) => a.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    assert.equal(await ring.latestSeq(), 12);
    assert.equal((await store.list('/ring/')).length, 5);
    assert.deepEqual(
      (await ring.newest(3)).map((r) => r.n),
      [120, 110, 100],
    );
    assert.deepEqual(
      (await ring.newest(10, 10)).map((r) => r.n),
      [120, 110],
    );
    assert.deepEqual(
      (await ring.after(0, 100)).map((r) => r.n),
      [80, 90, 100, 110, 120],
    );
    assert.deepEqual(
      (await ring.after(9, 2)).map((r) => r.n),
      [100, 110],
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appends that arrive together are committed together; a record that cannot be built fails alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-seq-'));
  const store = openSqliteStore(join(dir, 'db'));
  let txns = 0;
  const counting = Object.assign(Object.create(store) as typeof store, {
    txn: (...args: Parameters<typeof store.txn>) => {
      txns++;
      return store.txn(...args);
    },
  });
  try {
    const log = new SeqLog(counting, { name: 'log', record: RING, keyOf: (s) => `/log/${padSeq(s)}` });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        log.append((seq) => {
          if (i === 7) throw new Error('cannot build this one');
          return { n: seq };
        }),
      ),
    );
    const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : []));
    assert.deepEqual(
      seqs,
      Array.from({ length: 39 }, (_, i) => i + 1),
      'numbered without a gap',
    );
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
    assert.ok(txns <= 3, `40 appends in ${txns} transactions`);
    assert.equal((await store.list('/log/')).length, 39);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
