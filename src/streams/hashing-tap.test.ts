import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { hashingTap } from './hashing-tap.ts';

test('the tap passes every byte on unchanged and reports their count and SHA-256', async () => {
  const parts = [Buffer.from('grappe '), Buffer.alloc(70_000, 7), Buffer.from('end')];
  const whole = Buffer.concat(parts);
  const tap = hashingTap();
  const got: Buffer[] = [];
  await pipeline(
    Readable.from(parts),
    tap.stream,
    new Writable({
      write(c: Buffer, _e, done) {
        got.push(c);
        done();
      },
    }),
  );
  assert.deepEqual(Buffer.concat(got), whole);
  assert.deepEqual(tap.result(), { bytes: whole.length, sha256: createHash('sha256').update(whole).digest('hex') });
});
