// /metrics through a real controller: the exposition passes `promtool check metrics` (Prometheus's own
// linter), a metrics token reads it and nothing else, API calls and events show in their series.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { callWithToken, startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe('GET /api/v1/metrics', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  });
  after(() => h.close());

  test('answers the Prometheus text format with the controller, API, store and HA series', async () => {
    await h.api('GET', '/api/v1/hosts');
    const r = await h.api('GET', '/api/v1/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = String(r.body);
    assert.match(text, /^grappe_api_request_duration_seconds_count\{method="GET",route="\/api\/v1\/hosts",status_class="2xx"\} 1$/m);
    assert.match(text, /^grappe_store_operation_duration_seconds_count\{operation="get"\} \d+$/m);
    assert.match(text, /^grappe_controller_leader\{controller="local"\} 1$/m);
    assert.match(text, /^grappe_ha_failovers_total 0$/m);
    assert.match(text, /^grappe_controller_process_cpu_seconds_total \d/m);
  });

  test('promtool check metrics finds nothing to fix', { skip: !promtool && 'promtool is not installed (install.sh --with-test-tools)' }, async () => {
    await h.api('GET', '/api/v1/guests');
    const text = String((await h.api('GET', '/api/v1/metrics')).body);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  });

  test('a scrape reads the records the controller keeps: scrapes add no store watch (a Prometheus scrapes forever)', async () => {
    await h.api('GET', '/api/v1/metrics'); // what a first scrape loads once, it keeps
    const store = h.controller.ctx.store;
    const watch = store.watch.bind(store);
    let watches = 0;
    store.watch = (prefix, listener) => (watches++, watch(prefix, listener));
    try {
      for (let i = 0; i < 3; i++) assert.equal((await h.api('GET', '/api/v1/metrics')).status, 200);
    } finally {
      store.watch = watch;
    }
    assert.equal(watches, 0);
  });

  test('a metrics token reads /metrics and is refused everywhere else; no token is a 401', async () => {
    const made = await h.api('POST', '/api/v1/metrics/token', { ttlDays: 30 });
    assert.equal(made.status, 201);
    assert.equal(made.body.scope, 'metrics');
    const token = String(made.body.token);
    const ok = await callWithToken(h, token, 'GET', '/api/v1/metrics');
    assert.equal(ok.status, 200);
    const refused = await callWithToken(h, token, 'GET', '/api/v1/hosts');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.match(refused.body.error.message, /'metrics' token; it may only read \/api\/v1\/metrics/);
    const anonymous = await callWithToken(h, undefined, 'GET', '/api/v1/metrics');
    assert.equal(anonymous.status, 401);
  });

  test('history: an unknown subject is a 404, a reversed span a 422', async () => {
    assert.equal((await h.api('GET', '/api/v1/history?subject=host:nope&metric=cpu')).status, 404);
    assert.equal((await h.api('GET', '/api/v1/history?subject=guest:vm:999&metric=cpu')).status, 404);
    const reversed = await h.api('GET', '/api/v1/history?subject=host:nope&metric=cpu&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    assert.equal(reversed.status, 422);
    assert.equal((await h.api('GET', '/api/v1/history?subject=host:x&metric=bogus')).status, 422);
  });
});
