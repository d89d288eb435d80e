import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { SocketTurns } from './socket-turns.ts';

test('holders of one socket take turns in arrival order; other sockets do not wait', async () => {
  const turns = new SocketTurns();
  const order: string[] = [];
  const first = await turns.take('/a', 1000);
  const second = turns.take('/a', 1000).then((release) => {
    order.push('second');
    release();
  });
  const other = await turns.take('/b', 1000);
  order.push('other socket');
  other();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ['other socket']);
  first();
  await second;
  assert.deepEqual(order, ['other socket', 'second']);
  (await turns.take('/a', 10))(); // free again
});

test('a caller that waits too long gets a clear error and does not hold up those behind it', async () => {
  const turns = new SocketTurns();
  const holder = await turns.take('/a', 1000);
  const late = turns.take('/a', 20);
  const behind = turns.take('/a', 1000);
  await assert.rejects(late, (e: unknown) => e instanceof AgentError && e.code === 'qmpTimeout' && /\/a stayed busy for 20 ms/.test(e.message));
  holder();
  (await behind)();
});
