// Users, groups, roles, grants and API tokens through a real controller: the access table covers every
// route, and each built-in role can do what it says and nothing more (refusals name what is missing).
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { callWithToken, startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { seedGuest, seedHost } from '../../../test/support/seed-cluster.ts';
import { ROUTE_ACCESS } from './route-access.ts';

const PASSWORD = 'a-long-password-1';

/** GET /events as a stream: resolves once it is open; `ended` resolves when the server ends it. */
function openEventStream(url: string, token: string): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/v1/events', url), { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`event stream: HTTP ${res.statusCode}`));
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
      });
      res.once('data', () => resolve({ ended }));
      res.on('data', () => undefined);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('access: users, roles on paths, API tokens', () => {
  let h: ControllerHarness;
  const as = async (user: string, password = PASSWORD) => {
    const login = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: user, password });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const token = String(login.body.token);
    return (method: string, path: string, body?: unknown) => callWithToken(h, token, method, path, body);
  };

  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
    const host = await seedHost(h.controller.ctx, { name: 'proc1' });
    await seedGuest(h.controller.ctx, 100, host.id);
    await seedGuest(h.controller.ctx, 101, host.id);
  });
  after(() => h.close());

  test('every route has a line in the access table, and every line names a route', async () => {
    const doc = (await h.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/^\/api\/v1/, '').replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    const missing = routes.filter((r) => !(r in ROUTE_ACCESS));
    assert.deepEqual(missing, [], 'routes without an access line');
    const stale = Object.keys(ROUTE_ACCESS).filter((line) => !routes.includes(line));
    assert.deepEqual(stale, [], 'access lines without a route');
  });

  test('users and grants: an Operator runs guests but does not add hosts', async () => {
    assert.equal((await h.api('POST', '/api/v1/users', { username: 'olga', password: PASSWORD })).status, 201);
    assert.equal((await h.api('POST', '/api/v1/groups', { name: 'ops', members: ['olga'] })).status, 201);
    assert.equal((await h.api('POST', '/api/v1/acl', { path: '/', subject: 'group:ops', role: 'Operator' })).status, 201);
    const olga = await as('olga');
    assert.equal((await olga('GET', '/api/v1/hosts')).status, 200);
    const add = await olga('POST', '/api/v1/hosts', { purpose: 'processing', address: '198.18.0.99', password: 'x' });
    assert.equal(add.status, 403);
    assert.equal(add.body.error.code, 'forbidden');
    assert.match(add.body.error.message, /user 'olga' lacks Sys\.Modify on \/hosts/);
    assert.deepEqual(add.body.error.details, { privilege: 'Sys.Modify', path: '/hosts' });
    const migrate = await olga('POST', '/api/v1/guests/vm:100/migrate', { to: 'proc1' });
    assert.notEqual(migrate.status, 403, `an Operator may migrate: ${JSON.stringify(migrate.body)}`);
    assert.equal((await olga('POST', '/api/v1/users', { username: 'eve', password: PASSWORD })).status, 403);
  });

  test('a GuestUser granted /guests/vm:100 sees and uses only that guest', async () => {
    await h.api('POST', '/api/v1/users', { username: 'dev', password: PASSWORD });
    await h.api('POST', '/api/v1/acl', { path: '/guests/vm:100', subject: 'user:dev', role: 'GuestUser' });
    const dev = await as('dev');
    const list = await dev('GET', '/api/v1/guests');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((g: { id: string }) => g.id),
      ['vm:100'],
    );
    assert.equal((await dev('GET', '/api/v1/guests/vm:100')).status, 200);
    const other = await dev('GET', '/api/v1/guests/vm:101');
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, /lacks VM\.Audit on \/guests\/vm:101/);
    assert.equal((await dev('DELETE', '/api/v1/guests/vm:100')).status, 403, 'no VM.Allocate');
    assert.equal((await dev('GET', '/api/v1/hosts')).status, 403);
  });

  test('an Auditor token reads everything and writes nothing; revoked, it stops at once', async () => {
    await h.api('POST', '/api/v1/users', { username: 'mon', password: PASSWORD });
    await h.api('POST', '/api/v1/acl', { path: '/', subject: 'user:mon', role: 'Auditor' });
    const mon = await as('mon');
    const made = await mon('POST', '/api/v1/tokens', { name: 'prom', role: 'Auditor', path: '/' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.match(made.body.secret, /^mon!prom\.[A-Za-z0-9_-]{43}$/);
    const token = String(made.body.secret);
    for (const path of ['/api/v1/hosts', '/api/v1/guests', '/api/v1/audit', '/api/v1/volumes', '/api/v1/acl', '/api/v1/ha/status'])
      assert.equal((await callWithToken(h, token, 'GET', path)).status, 200, path);
    const write = await callWithToken(h, token, 'POST', '/api/v1/volumes', { name: 'x', pool: 'p', sizeMiB: 8 });
    assert.equal(write.status, 403);
    assert.match(write.body.error.message, /Datastore\.Allocate on \/storage/);
    // The refusal is in the audit log: who, with which token, from where.
    const audit = await h.api('GET', '/api/v1/audit?user=mon&object=/volumes');
    assert.equal(audit.status, 200);
    assert.deepEqual(
      audit.body.map((e: { action: string; result: string; token?: string; from?: string }) => [e.action, e.result, e.token, e.from]),
      [['volume.create', 'refused', 'mon!prom', '127.0.0.1']],
    );
    const listed = await h.api('GET', '/api/v1/tokens');
    assert.ok(listed.body.some((t: { id: string }) => t.id === 'mon!prom'));
    assert.doesNotMatch(JSON.stringify(listed.body), /secret/i, 'the secret is never shown again');
    assert.equal((await mon('DELETE', '/api/v1/tokens/mon!prom')).status, 204);
    const after = await callWithToken(h, token, 'GET', '/api/v1/hosts');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'tokenUnknown');
  });

  test('an open event stream ends within a second of its token being revoked, or its right lost', async () => {
    const made = await h.api('POST', '/api/v1/tokens', { name: 'watch', role: 'Auditor', path: '/' });
    assert.equal(made.status, 201);
    const stream = await openEventStream(h.controller.url, String(made.body.secret));
    const t0 = performance.now();
    assert.equal((await h.api('DELETE', '/api/v1/tokens/admin!watch')).status, 204);
    await stream.ended;
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `the stream ended ${Math.round(ms)} ms after the revocation`);

    // A user who loses the right: the grant revoked, the stream ends.
    await h.api('POST', '/api/v1/users', { username: 'viewer', password: PASSWORD });
    await h.api('POST', '/api/v1/acl', { path: '/', subject: 'user:viewer', role: 'Auditor' });
    const login = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'viewer', password: PASSWORD });
    const second = await openEventStream(h.controller.url, String(login.body.token));
    assert.equal((await h.api('DELETE', '/api/v1/acl?path=/&subject=user:viewer&role=Auditor')).status, 204);
    await second.ended;
  });

  test('a token never has more rights than its user', async () => {
    const dev = await as('dev');
    const made = await dev('POST', '/api/v1/tokens', { name: 'ci', role: 'Administrator', path: '/' });
    assert.equal(made.status, 201);
    const r = await callWithToken(h, String(made.body.secret), 'GET', '/api/v1/hosts');
    assert.equal(r.status, 403);
    assert.match(r.body.error.message, /token 'dev!ci' cannot exceed its user 'dev', who lacks Sys\.Audit on \/hosts/);
  });

  test('a disabled user is refused at login and loses their sessions; the last administrator stays', async () => {
    const olga = await as('olga');
    assert.equal((await h.api('PATCH', '/api/v1/users/olga', { disabled: true })).status, 200);
    assert.equal((await olga('GET', '/api/v1/hosts')).status, 401, 'the session ended');
    const login = await callWithToken(h, undefined, 'POST', '/api/v1/auth/login', { username: 'olga', password: PASSWORD });
    assert.equal(login.status, 403);
    assert.equal(login.body.error.code, 'userDisabled');
    const last = await h.api('DELETE', '/api/v1/users/admin');
    assert.equal(last.status, 409);
    assert.equal(last.body.error.code, 'lastAdministrator');
    assert.equal((await h.api('PATCH', '/api/v1/users/admin', { role: 'user' })).status, 409);
    // With another administrator, the first may go.
    await h.api('POST', '/api/v1/users', { username: 'root2', password: PASSWORD, role: 'admin' });
    assert.equal((await h.api('PATCH', '/api/v1/users/admin', { disabled: true })).status, 200);
  });

  test('passwords: one changes their own with the current one; weak ones are refused', async () => {
    const dev = await as('dev');
    const wrong = await dev('POST', '/api/v1/users/dev/password', { password: 'another-long-pass', currentPassword: 'nope-nope' });
    assert.equal(wrong.status, 401);
    const weak = await dev('POST', '/api/v1/users/dev/password', { password: 'short', currentPassword: PASSWORD });
    assert.equal(weak.status, 422);
    assert.equal((await dev('POST', '/api/v1/users/dev/password', { password: 'another-long-pass', currentPassword: PASSWORD })).status, 204);
    assert.equal((await dev('POST', '/api/v1/users/mon/password', { password: 'another-long-pass' })).status, 403, "not another's");
  });
});
