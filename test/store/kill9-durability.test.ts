// Nothing acknowledged is lost on kill -9: a child writes keys and prints `ack N` once each txn has
// resolved; we SIGKILL it mid-stream, reopen the database, and every acked key must be there, whole.
// Three rounds on the same file, so each round also starts from a database recovered after a kill.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { ackedKey, ackedValue } from './kill9-shapes.ts';

const writer = fileURLToPath(new URL('./kill9-writer.ts', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'grappe-kill9-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  start: number;
  acked: number[];
  signal: NodeJS.Signals | null;
}

/** Runs the writer until it has acked `killAfter` keys, then SIGKILLs it; returns every ack it printed. */
function runAndKill(file: string, killAfter: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let start = -1;
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, num] = line.split(' ');
      if (word === 'start') start = Number(num);
      if (word !== 'ack') return;
      acked.push(Number(num));
      if (!killed && acked.length >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (!killed) reject(new Error(`writer ended before the kill (code ${code}, ${acked.length} acks): ${stderr}`));
      else resolve({ start, acked, signal });
    });
  });
}

test('every acknowledged write survives kill -9 of the writer, three times over', async () => {
  const file = join(dir, 'store.db');
  const allAcked: number[] = [];
  for (const [round, killAfter] of [300, 400, 500].entries()) {
    const result = await runAndKill(file, killAfter);
    assert.equal(result.signal, 'SIGKILL', `round ${round}: the writer was killed, not finished`);
    assert.ok(result.acked.length >= killAfter);
    // Each round resumes exactly after the last write that committed (acked or not) in the previous one.
    assert.ok(result.start >= (allAcked.at(-1) ?? -1) + 1, `round ${round} restarted at ${result.start}`);
    allAcked.push(...result.acked);

    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();

    const store = openSqliteStore(file);
    try {
      const present = new Map((await store.list('/acked/')).map((e) => [e.key, e.value]));
      const missing = allAcked.filter((n) => !present.has(ackedKey(n)));
      assert.deepEqual(missing, [], `round ${round}: acked keys lost after kill -9`);
      for (const n of allAcked) assert.deepEqual(present.get(ackedKey(n)), ackedValue(n));
      const counter = (await store.get('/counter'))?.value;
      assert.ok(typeof counter === 'number' && counter > (allAcked.at(-1) ?? 0));
    } finally {
      await store.close();
    }
  }
});
