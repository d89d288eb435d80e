// The route registry end to end, through a test-only module plugged in like the real ones: tasks
// (202 + Location, ?wait=true), progress and log persisted, audit results, SSE, OpenAPI, restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { errors } from '../../core/errors.ts';
import type { RunningController } from '../main.ts';
import { defineRoute } from './routes.ts';
import { RESTART_FAILURE } from './tasks.ts';
import { apiClient, makeTestCluster, readEventStream, startTestController, type TestCluster } from '../../../test/support/test-cluster.ts';
import type { ControllerModule } from './types.ts';

/** A gate a test opens to let a task finish. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const gates = new Map<string, ReturnType<typeof gate>>();

// The test module's lines in the access table (the product's are in access/route-access.ts).
const TEST_ACCESS = {
  'POST /widgets/:id/polish': { privilege: 'Sys.Modify', on: '/' },
  'PUT /widgets/:id': { privilege: 'Sys.Modify', on: '/' },
} as const;

const testModule: ControllerModule = {
  name: 'test-widgets',
  routes: (ctx) => [
    defineRoute({
      method: 'POST',
      url: '/widgets/:id/polish',
      summary: 'Polish a widget (a task)',
      tags: ['test'],
      errors: ['incorrectState'],
      params: z.object({ id: z.number().int().min(1) }),
      body: z.object({ steps: z.number().int().min(1).max(10), fail: z.enum(['no', 'state', 'crash']).default('no'), gate: z.string().optional() }).strict(),
      audit: 'widget.polish',
      handler: async ({ params, body, actor }) => {
        // params.id is a number here: the registry converted the URL string.
        const id: number = params.id;
        const taskId = await ctx.tasks.start({ kind: 'widget.polish', target: `widget:${id}`, actor }, async (task) => {
          for (let i = 1; i <= body.steps; i++) await task.progress(i / body.steps, `step ${i} of ${body.steps}`);
          if (body.gate) await gates.get(body.gate)!.wait;
          if (body.fail === 'state') throw errors.incorrectState(`widget ${id}`, 'DUSTY', 'polish', 'CLEAN');
          if (body.fail === 'crash') throw new Error('the polisher broke');
          await task.log('all shiny');
          return { widget: id, shine: body.steps };
        });
        return { taskId, auditTarget: `widget:${id}` };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/widgets/:id',
      summary: 'Rename a widget (synchronous)',
      tags: ['test'],
      errors: ['notFound'],
      params: z.object({ id: z.number().int().min(1) }),
      body: z.object({ name: z.string().min(1) }).strict(),
      response: z.object({ id: z.number(), name: z.string() }),
      audit: 'widget.rename',
      handler: async ({ params, body }) => {
        if (params.id === 404) throw errors.notFound(`no widget ${params.id}`);
        if (body.name === 'boom') throw new Error('unexpected failure inside the handler');
        if (body.name === 'undeclared') throw errors.noSuchHost('h9');
        return { body: { id: params.id, name: body.name }, auditTarget: `widget:${params.id}` };
      },
    }),
  ],
};

describe('route registry with a task module', () => {
  let cluster: TestCluster;
  let controller: RunningController;
  let api: ReturnType<typeof apiClient>;
  let token: string;

  before(async () => {
    cluster = await makeTestCluster();
    controller = await startTestController(cluster, { extraModules: [testModule], extraAccess: TEST_ACCESS });
    api = apiClient(controller.url, cluster.caCertPem);
    token = await api.login('admin', cluster.password);
  });
  after(async () => {
    await controller.close();
    cluster.remove();
  });

  test('a task route answers 202 with Location; the task records progress, log and result', async () => {
    const r = await api.call('POST', '/api/v1/widgets/7/polish', { token, body: { steps: 3 } });
    assert.equal(r.status, 202);
    assert.match(r.json.taskId, /^T\d{8}$/);
    assert.equal(r.headers['location'], `/api/v1/tasks/${r.json.taskId}`);
    await controller.ctx.tasks.wait(r.json.taskId);
    const t = await api.call('GET', String(r.headers['location']), { token });
    assert.equal(t.status, 200);
    assert.equal(t.json.state, 'succeeded');
    assert.equal(t.json.progress, 1);
    assert.equal(t.json.kind, 'widget.polish');
    assert.equal(t.json.target, 'widget:7');
    assert.equal(t.json.user, 'admin');
    assert.deepEqual(
      t.json.log.map((l: { message: string }) => l.message),
      ['step 1 of 3', 'step 2 of 3', 'step 3 of 3', 'all shiny'],
    );
    assert.deepEqual(t.json.result, { widget: 7, shine: 3 });
    assert.ok(t.json.startedAt && t.json.endedAt);
    // Persisted, not only in memory.
    const stored = await controller.ctx.store.get(`/tasks/${r.json.taskId}`);
    assert.equal((stored?.value as { state: string }).state, 'succeeded');
  });

  test('?wait=true answers 200 with the ended task', async () => {
    const r = await api.call('POST', '/api/v1/widgets/8/polish?wait=true', { token, body: { steps: 2 } });
    assert.equal(r.status, 200);
    assert.equal(r.json.state, 'succeeded');
    assert.deepEqual(r.json.result, { widget: 8, shine: 2 });
  });

  test('?wait=true maps a failed task to its error status with the task id', async () => {
    const refused = await api.call('POST', '/api/v1/widgets/9/polish?wait=true', { token, body: { steps: 1, fail: 'state' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'incorrectState');
    assert.equal(refused.json.error.kind, 'incorrectState');
    assert.match(refused.json.error.message, /cannot polish widget 9: it is DUSTY/);
    assert.match(refused.json.error.details.taskId, /^T\d{8}$/);
    assert.equal(refused.json.error.details.current, 'DUSTY');

    const crashed = await api.call('POST', '/api/v1/widgets/10/polish?wait=true', { token, body: { steps: 1, fail: 'crash' } });
    assert.equal(crashed.status, 500);
    assert.equal(crashed.json.error.kind, 'internal');
    assert.match(crashed.json.error.message, /the polisher broke/);
    const task = await api.call('GET', `/api/v1/tasks/${crashed.json.error.details.taskId}`, { token });
    assert.equal(task.json.state, 'failed');
    assert.equal(task.json.error.code, 'internal');
  });

  test('a bad ?wait value, a bad id and a bad body are 422 naming the field', async () => {
    const w = await api.call('POST', '/api/v1/widgets/1/polish?wait=maybe', { token, body: { steps: 1 } });
    assert.equal(w.status, 422);
    assert.match(w.json.error.message, /query\.wait/);
    const id = await api.call('POST', '/api/v1/widgets/abc/polish', { token, body: { steps: 1 } });
    assert.equal(id.status, 422);
    assert.match(id.json.error.message, /params\.id/);
    const zero = await api.call('POST', '/api/v1/widgets/0/polish', { token, body: { steps: 1 } });
    assert.equal(zero.status, 422);
    assert.match(zero.json.error.message, /params\.id/);
    const body = await api.call('POST', '/api/v1/widgets/1/polish', { token, body: { steps: 99, colour: 'red' } });
    assert.equal(body.status, 422);
    assert.match(body.json.error.message, /body\.steps/);
    assert.match(body.json.error.message, /body\.colour: unknown field/);
  });

  test('synchronous routes: 200, 404 from the catalog, and a logged 500 for a handler bug', async () => {
    const ok = await api.call('PUT', '/api/v1/widgets/3', { token, body: { name: 'gizmo' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { id: 3, name: 'gizmo' });
    const missing = await api.call('PUT', '/api/v1/widgets/404', { token, body: { name: 'x' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.kind, 'notFound');
    const bug = await api.call('PUT', '/api/v1/widgets/5', { token, body: { name: 'boom' } });
    assert.equal(bug.status, 500);
    assert.equal(bug.json.error.code, 'internal');
    assert.doesNotMatch(bug.json.error.message, /unexpected failure inside/); // internals stay in the log
  });

  test('audit records who did what with the right result', async () => {
    const since = (await controller.ctx.audit.list({ limit: 1 }))[0]?.seq ?? 0;
    await api.call('PUT', '/api/v1/widgets/3', { token, body: { name: 'ok' } });
    await api.call('PUT', '/api/v1/widgets/404', { token, body: { name: 'x' } });
    await api.call('PUT', '/api/v1/widgets/5', { token, body: { name: 'boom' } });
    const accepted = await api.call('POST', '/api/v1/widgets/11/polish', { token, body: { steps: 1 } });
    await api.call('POST', '/api/v1/widgets/12/polish?wait=true', { token, body: { steps: 1, fail: 'state' } });
    await api.call('PUT', '/api/v1/widgets/3', { body: { name: 'nobody' } }); // no token: not audited
    await controller.ctx.tasks.wait(accepted.json.taskId);

    const r = await api.call('GET', `/api/v1/audit?sinceSeq=${since}`, { token });
    assert.equal(r.status, 200);
    const entries = r.json as Array<{ seq: number; user: string; action: string; target: string; result: string; message?: string; taskId?: string }>;
    assert.deepEqual(
      entries.map((e) => [e.action, e.target, e.result]),
      [
        ['widget.polish', 'widget:12', 'refused'],
        ['widget.polish', 'widget:11', 'accepted'],
        ['widget.rename', '/api/v1/widgets/5', 'failed'],
        ['widget.rename', '/api/v1/widgets/404', 'refused'],
        ['widget.rename', 'widget:3', 'ok'],
      ],
    );
    assert.ok(entries.every((e) => e.user === 'admin'));
    assert.equal(entries[1]!.taskId, accepted.json.taskId);
    assert.match(entries[0]!.message ?? '', /DUSTY/);
    assert.ok(entries[0]!.seq > entries[1]!.seq, 'newest first');
    const limited = await api.call('GET', `/api/v1/audit?sinceSeq=${since}&limit=2`, { token });
    assert.deepEqual(
      limited.json.map((e: { seq: number }) => e.seq),
      entries.slice(0, 2).map((e) => e.seq),
    );
  });

  test('task list is newest first and honours limit', async () => {
    const r = await api.call('GET', '/api/v1/tasks?limit=3', { token });
    assert.equal(r.status, 200);
    assert.equal(r.json.length, 3);
    const ids = r.json.map((t: { id: string }) => t.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
  });

  test('the event stream delivers task events live, and replays from Last-Event-ID', async () => {
    const g = gate();
    gates.set('sse', g);
    let taskId = '';
    // A browser's EventSource cannot send headers: it brings a one-time ticket, never the token.
    const ticket = (await api.call('POST', '/api/v1/auth/ticket', { token })).json.ticket as string;
    const seen = await readEventStream(
      controller.url,
      cluster.caCertPem,
      `/api/v1/events?ticket=${ticket}`,
      {},
      (messages) =>
        messages.some(
          (m) => m.event === 'task.updated' && JSON.parse(m.data ?? '{}').data?.state === 'succeeded' && JSON.parse(m.data ?? '{}').data?.id === taskId,
        ),
      (status, type) => {
        assert.equal(status, 200);
        assert.match(String(type), /text\/event-stream/);
        void api.call('POST', '/api/v1/widgets/13/polish', { token, body: { steps: 2, gate: 'sse' } }).then((r) => {
          taskId = r.json.taskId;
          g.open();
        });
      },
    );
    const mine = seen.filter((m) => m.event === 'task.updated' && JSON.parse(m.data!).data.id === taskId).map((m) => JSON.parse(m.data!));
    // queued, started, step 1, step 2, "all shiny", succeeded: one event per recorded change.
    assert.deepEqual(
      mine.map((e) => [e.data.state, e.data.lastLog ?? null]),
      [
        ['queued', null],
        ['running', null],
        ['running', 'step 1 of 2'],
        ['running', 'step 2 of 2'],
        ['running', 'all shiny'],
        ['succeeded', 'all shiny'],
      ],
    );
    assert.equal(mine.at(-1).subject, `task:${taskId}`);
    for (const m of seen) assert.equal(m.id, String(JSON.parse(m.data!).seq));

    // Reconnect "after" the first of those events: the rest are replayed from the ring.
    const firstSeq = mine[0].seq as number;
    const replay = await readEventStream(
      controller.url,
      cluster.caCertPem,
      '/api/v1/events',
      { authorization: `Bearer ${token}`, 'last-event-id': String(firstSeq) },
      (messages) => messages.some((m) => Number(m.id) >= (mine.at(-1).seq as number)),
    );
    assert.equal(Number(replay[0]!.id), firstSeq + 1);
    const recent = await api.call('GET', '/api/v1/events/recent?limit=2', { token });
    assert.equal(recent.json.length, 2);
    assert.ok(recent.json[0].seq > recent.json[1].seq, 'newest first');
  });

  test('the event stream refuses a missing, bad or used ticket, and a token in the URL', async () => {
    const statusOf = async (path: string): Promise<number> => {
      let status = 0;
      await readEventStream(
        controller.url,
        cluster.caCertPem,
        path,
        {},
        () => true,
        (s) => (status = s),
      );
      return status;
    };
    assert.equal(await statusOf('/api/v1/events?ticket=nope'), 401);
    assert.equal(await statusOf(`/api/v1/events?token=${token}`), 401, 'the session token is never taken from a URL');
    const ticket = (await api.call('POST', '/api/v1/auth/ticket', { token })).json.ticket as string;
    assert.equal(await statusOf(`/api/v1/events?ticket=${ticket}`), 200);
    assert.equal(await statusOf(`/api/v1/events?ticket=${ticket}`), 401, 'a ticket is good once');
  });

  test('the OpenAPI document lists the module routes with their params and bodies', async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).json;
    const polish = doc.paths['/api/v1/widgets/{id}/polish'].post;
    assert.deepEqual(polish.tags, ['test']);
    assert.deepEqual(
      polish.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`),
      ['path:id', 'query:wait'],
    );
    assert.equal(polish.parameters[0].schema.type, 'integer');
    assert.ok(polish.responses['202']);
    assert.deepEqual(polish.requestBody.content['application/json'].schema.required, ['steps']);
    assert.ok(doc.paths['/api/v1/widgets/{id}'].put.responses['200'].content);
  });

  test("the OpenAPI document lists each route's error codes by status, and the catalog", async () => {
    const doc = (await api.call('GET', '/api/v1/openapi.json')).json;
    const rename = doc.paths['/api/v1/widgets/{id}'].put;
    for (const code of ['notFound', 'invalidInput', 'unauthenticated', 'tokenExpired', 'internal']) assert.ok(rename['x-error-codes'].includes(code), code);
    assert.ok(!rename['x-error-codes'].includes('noSuchHost'));
    assert.match(rename.responses['404'].description, /notFound/);
    assert.match(rename.responses['401'].description, /tokenExpired/);
    assert.match(doc.paths['/api/v1/widgets/{id}/polish'].post.responses['409'].description, /incorrectState/);
    assert.deepEqual(doc.components['x-error-catalog'].noSuchHost, {
      kind: 'notFound',
      message: "no host '{host}' in this cluster",
      fields: ['host'],
      status: 404,
    });
  });

  test('a route answering a code it does not declare is refused as internal (strict error codes)', async () => {
    const r = await api.call('PUT', '/api/v1/widgets/8', { token, body: { name: 'undeclared' } });
    assert.equal(r.status, 500);
    assert.equal(r.json.error.code, 'internal');
    assert.match(r.json.error.message, /route PUT \/widgets\/:id answered error code 'noSuchHost', which it does not declare/);
  });
});

describe('tasks across a controller restart', () => {
  test('a task left running by a stopped controller is failed at the next start', async () => {
    const cluster = await makeTestCluster();
    try {
      const first = await startTestController(cluster, { extraModules: [testModule], extraAccess: TEST_ACCESS });
      const api = apiClient(first.url, cluster.caCertPem);
      const token = await api.login('admin', cluster.password);
      const g = gate();
      gates.set('restart', g);
      const r = await api.call('POST', '/api/v1/widgets/20/polish', { token, body: { steps: 2, gate: 'restart' } });
      assert.equal(r.status, 202);
      // Wait until it is running with its progress recorded, then stop the controller under it.
      for (let i = 0; i < 200 && (await first.ctx.tasks.get(r.json.taskId))?.progress !== 1; i++) await new Promise((res) => setTimeout(res, 10));
      await first.close();

      const second = await startTestController(cluster, { extraModules: [testModule], extraAccess: TEST_ACCESS });
      try {
        const api2 = apiClient(second.url, cluster.caCertPem);
        const token2 = await api2.login('admin', cluster.password);
        const t = await api2.call('GET', `/api/v1/tasks/${r.json.taskId}`, { token: token2 });
        assert.equal(t.json.state, 'failed');
        assert.equal(t.json.error.message, RESTART_FAILURE);
        assert.equal(t.json.progress, 1);
        assert.equal(t.json.log.at(-1).message, RESTART_FAILURE);
        // Sequence numbers continue after the restart.
        const next = await api2.call('POST', '/api/v1/widgets/21/polish?wait=true', { token: token2, body: { steps: 1 } });
        assert.ok(next.json.id > r.json.taskId);
      } finally {
        g.open();
        await second.close();
      }
    } finally {
      cluster.remove();
    }
  });
});
