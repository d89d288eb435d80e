import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installApiMetrics } from './api-metrics.ts';

test('a slow API answer is logged at warn with its route, time and request id; a fast one and the event stream are not', async () => {
  const lines: Record<string, unknown>[] = [];
  const app = Fastify({
    requestIdHeader: 'x-request-id',
    logger: { level: 'warn', stream: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } },
  });
  const timed: string[] = [];
  installApiMetrics(app, { apiRequest: (method, route) => void timed.push(`${method} ${route}`) }, 30);
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  app.get('/api/v1/slow/:id', async () => (await wait(60), {}));
  app.get('/api/v1/fast', async () => ({}));
  app.get('/api/v1/events', async () => (await wait(60), {}));
  await app.inject({ method: 'GET', url: '/api/v1/slow/7', headers: { 'x-request-id': 'r-1' } });
  await app.inject({ method: 'GET', url: '/api/v1/fast' });
  await app.inject({ method: 'GET', url: '/api/v1/events' });
  await app.close();
  assert.deepEqual(timed, ['GET /api/v1/slow/:id', 'GET /api/v1/fast', 'GET /api/v1/events']);
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line?.msg, 'slow API request');
  assert.equal(line?.route, '/api/v1/slow/:id');
  assert.equal(line?.reqId, 'r-1');
  assert.ok(Number(line?.ms) >= 30);
});
