// Child process for the kill -9 durability test: opens the SQLite store and writes keys as fast as it
// can, printing `ack N` only after the txn writing key N has resolved (= acknowledged as durable).
// Each write is a compare-and-swap on a counter plus the key, like the controller's own writes.
// It stops by itself after a bound, so a broken parent can never leave it running.
//   node --import tsx test/store/kill9-writer.ts <db-file>

import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { ackedKey, ackedValue } from './kill9-shapes.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: kill9-writer.ts <db-file>\n');
  process.exit(2);
}

const MAX_WRITES = 20_000;
const MAX_MS = 15_000;

const store = openSqliteStore(file);
const started = Date.now();
const counter = await store.get('/counter');
let next = typeof counter?.value === 'number' ? counter.value : 0;
let counterRev = counter?.modRevision ?? 0;
process.stdout.write(`start ${next}\n`);
for (let i = 0; i < MAX_WRITES && Date.now() - started < MAX_MS; i++, next++) {
  const result = await store.txn(
    [{ key: '/counter', modRevision: counterRev }],
    [
      { put: '/counter', value: next + 1 },
      { put: ackedKey(next), value: ackedValue(next) },
    ],
  );
  if (!result.succeeded) throw new Error(`counter moved under the single writer at ${next}`);
  counterRev = result.revision;
  // stdout to a pipe is synchronous on Linux: the parent sees this line only once the txn committed.
  process.stdout.write(`ack ${next}\n`);
}
await store.close();
process.stdout.write('done\n');
