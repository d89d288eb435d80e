// The controller's log lines through GET /logs: each request's lines carry its request id (the
// caller's X-Request-Id when well formed, else a new one), which the answer echoes.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';

function getWithRequestId(url: string, requestId: string): Promise<{ status: number; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/v1/health', url), { headers: { 'x-request-id': requestId }, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: res.headers['x-request-id'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/v1/logs', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000, logLevel: 'info' });
  });
  after(() => h.close());

  test("a caller's request id is echoed and names the request's log lines; a malformed one is replaced", async () => {
    const ok = await getWithRequestId(h.controller.url, 'trace-me-123');
    assert.deepEqual(ok, { status: 200, requestId: 'trace-me-123' });
    const bad = await getWithRequestId(h.controller.url, 'bad id with spaces');
    assert.match(bad.requestId ?? '', /^[0-9a-f-]{36}$/, 'a fresh UUID instead');
    const logs = await h.api('GET', '/api/v1/logs?limit=100');
    assert.equal(logs.status, 200);
    const mine = logs.body.lines.filter((l: { entry: { requestId?: string } }) => l.entry.requestId === 'trace-me-123');
    assert.ok(mine.length >= 1, 'the request is in the log with its id');
    const next = await h.api('GET', `/api/v1/logs?after=${logs.body.lastSeq}`);
    assert.ok(next.body.lines.every((l: { seq: number }) => l.seq > logs.body.lastSeq));
    assert.equal((await h.api('GET', '/api/v1/logs?limit=0')).status, 422);
    assert.equal((await h.api('GET', '/api/v1/hosts/nope/logs')).status, 404);
  });
});
