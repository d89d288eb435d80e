// The controller over real HTTPS with a real SQLite store: auth, error shapes, health, docs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from './main.ts';
import { FakeClock, apiClient, makeTestCluster, startTestController, type TestCluster } from '../../test/support/test-cluster.ts';

describe('controller platform over HTTPS', () => {
  let cluster: TestCluster;
  let controller: RunningController;
  let api: ReturnType<typeof apiClient>;
  const clock = new FakeClock();

  before(async () => {
    cluster = await makeTestCluster();
    controller = await startTestController(cluster, { clock, webRoot: join(cluster.dataDir, 'no-web-ui') });
    api = apiClient(controller.url, cluster.caCertPem);
  });
  after(async () => {
    await controller.close();
    cluster.remove();
  });

  test('health needs no token and names the cluster', async () => {
    const r = await api.call('GET', '/api/v1/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok', version: '0.1.0', clusterId: cluster.clusterId, clusterName: 'test' });
  });

  test('login with the right password returns a token that works', async () => {
    const r = await api.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: cluster.password } });
    assert.equal(r.status, 200);
    assert.equal(r.json.username, 'admin');
    assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Date.parse(r.json.expiresAt), clock.now() + 12 * 3600_000);
    const me = await api.call('GET', '/api/v1/auth/me', { token: r.json.token });
    assert.equal(me.status, 200);
    const body = me.json as { username: string; role: string; rights: { grants: { path: string; role: string }[] } };
    assert.equal(body.username, 'admin');
    assert.equal(body.role, 'admin');
    // The rights a client needs to offer only what the caller may do: the admin's grant on '/'.
    assert.deepEqual(
      body.rights.grants.map((g) => [g.path, g.role]),
      [['/', 'Administrator']],
    );
  });

  test('a wrong password and an unknown user get the same 401', async () => {
    const wrong = await api.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'nope-nope' } });
    const unknown = await api.call('POST', '/api/v1/auth/login', { body: { username: 'mallory', password: 'nope-nope' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.json.error.message, unknown.json.error.message);
    assert.match(wrong.json.error.message, /wrong username or password/);
    assert.equal(wrong.headers['www-authenticate'], 'Bearer');
  });

  const protectedRoutes: Array<[string, string]> = [
    ['GET', '/api/v1/tasks'],
    ['GET', '/api/v1/tasks/T00000001'],
    ['GET', '/api/v1/audit'],
    ['GET', '/api/v1/events'],
    ['GET', '/api/v1/events/recent'],
    ['GET', '/api/v1/auth/me'],
    ['POST', '/api/v1/auth/logout'],
  ];

  test('every protected route answers 401 without a token, saying so', async () => {
    for (const [method, path] of protectedRoutes) {
      const r = await api.call(method, path);
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.equal(r.json.error.kind, 'unauthenticated');
      assert.match(r.json.error.message, /authentication required/);
    }
  });

  test('every route the OpenAPI document marks as protected answers 401 without a token', async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (Array.isArray(op.security) && op.security.length === 0) continue; // public: health, login, openapi
        const concrete = path.replace(/\{[^}]+\}/g, '1');
        const r = await api.call(method.toUpperCase(), concrete, method === 'get' ? {} : { body: {} });
        assert.equal(r.status, 401, `${method} ${concrete}: ${r.text}`);
        assert.equal(r.json.error.kind, 'unauthenticated');
        checked++;
      }
    }
    assert.ok(checked >= protectedRoutes.length);
  });

  test('a malformed header, an unknown token and a malformed token each get their own 401', async () => {
    for (const [method, path] of protectedRoutes) {
      const malformed = await api.call(method, path, { headers: { authorization: 'Basic abc' } });
      assert.equal(malformed.status, 401);
      assert.equal(malformed.json.error.code, 'authorizationMalformed');
      const unknown = await api.call(method, path, { token: 'A'.repeat(43) });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.json.error.code, 'tokenUnknown');
      const garbage = await api.call(method, path, { token: 'short' });
      assert.equal(garbage.status, 401);
      assert.equal(garbage.json.error.code, 'tokenMalformed');
    }
  });

  test('a token expires after 12 hours of the injected clock', async () => {
    const token = await api.login('admin', cluster.password);
    clock.advance(12 * 3600_000 - 1000);
    assert.equal((await api.call('GET', '/api/v1/tasks', { token })).status, 200);
    clock.advance(2000);
    for (const [method, path] of protectedRoutes) {
      const r = await api.call(method, path, { token });
      assert.equal(r.status, 401, `${method} ${path}`);
      // The first call finds it expired and forgets it; later ones no longer know it.
      assert.match(r.json.error.code, /^token(Expired|Unknown)$/);
    }
    const fresh = await api.login('admin', cluster.password);
    const expiredAgain = fresh;
    clock.advance(13 * 3600_000);
    const r = await api.call('GET', '/api/v1/audit', { token: expiredAgain });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'tokenExpired');
    assert.match(r.json.error.message, /token expired at .*: log in again/);
  });

  test('logout makes the token unknown', async () => {
    const token = await api.login('admin', cluster.password);
    assert.equal((await api.call('POST', '/api/v1/auth/logout', { token })).status, 204);
    const r = await api.call('GET', '/api/v1/tasks', { token });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'tokenUnknown');
  });

  test('malformed JSON is a 400 JSON error, not a 500', async () => {
    const r = await api.call('POST', '/api/v1/auth/login', { rawBody: '{"username": "admin",', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'malformedJson');
    assert.match(r.json.error.message, /not valid JSON/);
  });

  test('a request that is not even valid HTTP gets a 400 JSON error', async () => {
    const { connect } = await import('node:tls');
    const url = new URL(controller.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: cluster.caCertPem }, () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, 'malformedRequest');
  });

  test('an empty JSON body, a wrong content type and a huge body get clear 4xx errors', async () => {
    const empty = await api.call('POST', '/api/v1/auth/login', { rawBody: '', headers: { 'content-type': 'application/json' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, 'malformedJson');
    const xml = await api.call('POST', '/api/v1/auth/login', { rawBody: '<login/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.equal(xml.json.error.code, 'unsupportedMediaType');
    const huge = await api.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'x'.repeat(2 * 1024 * 1024) } });
    assert.equal(huge.status, 413);
    assert.equal(huge.json.error.code, 'bodyTooLarge');
  });

  test('schema violations are 422 naming each field', async () => {
    const r = await api.call('POST', '/api/v1/auth/login', { body: { username: 42, extra: true } });
    assert.equal(r.status, 422);
    assert.equal(r.json.error.code, 'invalidInput');
    assert.match(r.json.error.message, /body\.username/);
    assert.match(r.json.error.message, /body\.password/);
    assert.match(r.json.error.message, /body\.extra: unknown field/);
    const paths = r.json.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['body.extra', 'body.password', 'body.username']);
    const missing = await api.call('POST', '/api/v1/auth/login');
    assert.equal(missing.status, 422);
    assert.match(missing.json.error.message, /body: required/);
  });

  test('query values are converted and checked: limit must be a number in range', async () => {
    const token = await api.login('admin', cluster.password);
    assert.equal((await api.call('GET', '/api/v1/audit?limit=2', { token })).json.length, 2);
    for (const bad of ['abc', '0', '20000', '1.5']) {
      const r = await api.call('GET', `/api/v1/audit?limit=${bad}`, { token });
      assert.equal(r.status, 422, bad);
      assert.match(r.json.error.message, /query\.limit/);
    }
  });

  test('unknown routes are 404 JSON, a wrong method is 405 with Allow', async () => {
    const token = await api.login('admin', cluster.password);
    const r = await api.call('GET', '/api/v1/nothing-here', { token });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'noSuchRoute');
    const m = await api.call('DELETE', '/api/v1/tasks/T00000001', { token });
    assert.equal(m.status, 405);
    assert.equal(m.headers['allow'], 'GET');
    assert.equal(m.json.error.code, 'methodNotAllowed');
  });

  test('an unknown task id is 404 noSuchTask', async () => {
    const token = await api.login('admin', cluster.password);
    const r = await api.call('GET', '/api/v1/tasks/T99999999', { token });
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'noSuchTask');
  });

  test('/ answers a page pointing at the OpenAPI document when no web UI is built', async () => {
    const r = await api.call('GET', '/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.match(r.text, /\/api\/v1\/openapi\.json/);
  });

  test('the OpenAPI document is valid JSON describing the core routes with bearer security', async () => {
    const r = await api.call('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    const doc = JSON.parse(r.text);
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/api/v1/health', '/api/v1/auth/login', '/api/v1/tasks', '/api/v1/tasks/{id}', '/api/v1/audit', '/api/v1/events']) {
      assert.ok(doc.paths[path], path);
    }
    assert.deepEqual(doc.paths['/api/v1/health'].get.security, []);
    assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
    const login = doc.paths['/api/v1/auth/login'].post;
    assert.deepEqual(login.requestBody.content['application/json'].schema.required.sort(), ['password', 'username']);
    const limit = doc.paths['/api/v1/tasks'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.equal(limit.in, 'query');
    assert.equal(limit.schema.type, 'integer');
  });
});

describe('starting the controller', () => {
  test('refuses an uninitialised data dir, saying to run grappe init', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'grappe-test-'));
    try {
      await assert.rejects(startController({ dataDir: join(parent, 'empty'), port: 0, host: '127.0.0.1', logLevel: 'silent' }), (err: Error) => {
        assert.match(err.message, /run `grappe init` first/);
        return true;
      });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('serves the web UI from its build directory, with index.html for app paths', async () => {
    const cluster = await makeTestCluster();
    const webRoot = mkdtempSync(join(tmpdir(), 'grappe-web-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(webRoot, 'index.html'), '<html>grappe ui</html>');
    writeFileSync(join(webRoot, 'app.js'), 'console.log(1)');
    const controller = await startTestController(cluster, { webRoot });
    try {
      const api = apiClient(controller.url, cluster.caCertPem);
      assert.match((await api.call('GET', '/')).text, /grappe ui/);
      const js = await api.call('GET', '/app.js');
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.equal(js.text, 'console.log(1)');
      assert.match((await api.call('GET', '/hosts/3')).text, /grappe ui/);
      const escape = await api.call('GET', '/..%2f..%2f..%2fetc%2fpasswd');
      assert.match(escape.text, /grappe ui/);
      assert.doesNotMatch(escape.text, /root:/);
      assert.equal((await api.call('GET', '/api/v1/nope')).status, 404);
    } finally {
      await controller.close();
      cluster.remove();
      rmSync(webRoot, { recursive: true, force: true });
    }
  });
});
