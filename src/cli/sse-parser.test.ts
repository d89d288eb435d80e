import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sse-parser.ts';

test('parses events split across chunks', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed('event: host.state\nda'), []);
  assert.deepEqual(p.feed('ta: {"a":1}\nid: 7\n'), []);
  assert.deepEqual(p.feed('\n'), [{ event: 'host.state', data: '{"a":1}', id: '7' }]);
});

test('joins multi-line data, ignores comments, defaults the event type', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed(': keep-alive\n\ndata: one\ndata: two\n\n'), [{ event: 'message', data: 'one\ntwo', id: undefined }]);
});

test('handles CRLF, even with the CR and LF in different chunks', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed('data: x\r'), []);
  assert.deepEqual(p.feed('\n\r\n'), [{ event: 'message', data: 'x', id: undefined }]);
});
