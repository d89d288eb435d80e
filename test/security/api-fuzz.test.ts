// The API under hostile input: every route of the OpenAPI document, called without a session and with
// a bounded, seeded corpus of bad inputs. No answer is a 5xx; no route but the public ones answers
// without a session. (bench/fuzz.bench.ts runs a longer corpus and reports the counts by status.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUTE_ACCESS } from '../../src/controller/access/route-access.ts';
import { startControllerHarness } from '../support/controller-harness.ts';
import { seedGuest, seedHost } from '../support/seed-cluster.ts';
import { FUZZ_SKIP, runFuzz } from './fuzz-run.ts';
import type { OpenApiDoc } from './api-fuzzer.ts';

test('fuzzing every route: no 5xx, nothing but the public routes without a session', { timeout: 300_000 }, async (t) => {
  const h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  try {
    const host = await seedHost(h.controller.ctx, { name: 'proc1' });
    await seedGuest(h.controller.ctx, 100, host.id);
    const doc = (await h.api('GET', '/api/v1/openapi.json')).body as OpenApiDoc;
    const login = await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'harness-admin-password' });
    const result = await runFuzz(h.controller.url, String(login.body.token), doc, { seed: 42, perRoute: 6, skip: FUZZ_SKIP });
    t.diagnostic(`${result.requests} requests over ${result.routes} routes: ${JSON.stringify(result.byStatus)}`);
    assert.deepEqual(result.serverErrors.slice(0, 5), [], 'answers ≥ 500');
    const publicRoutes = new Set(
      Object.entries(ROUTE_ACCESS)
        .filter(([, rule]) => 'public' in rule)
        .map(([line]) => line),
    );
    const open = result.openWithoutSession.filter((route) => !publicRoutes.has(route.replace('/api/v1', '')));
    assert.deepEqual(open, [], 'routes that answered without a session');
    assert.ok(result.requests > 400);
  } finally {
    await h.close();
  }
});
