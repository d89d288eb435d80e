// The scheduler settings route on a real controller, and what the policy does to guest create on two
// hosts without agents (the create is placed and committed, then its task fails at the agent).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { seedGuest, seedHost } from '../../../test/support/seed-cluster.ts';

describe('scheduler settings', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  });
  after(async () => h.close());

  test('defaults: spread, CPU over-committed 4×, memory not over-committed', async () => {
    const r = await h.api('GET', '/api/v1/scheduler');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { policy: 'spread', cpuRatio: 4, memoryRatio: 1 });
  });

  test('bad settings are a 422 naming the field, and change nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ cpuRatio: 0 }, /body\.cpuRatio: must be above 0/],
      [{ memoryRatio: -1 }, /body\.memoryRatio: must be above 0/],
      [{ cpuRatio: 65 }, /body\.cpuRatio: must be at most 64/],
      [{ memoryRatio: 'two' }, /body\.memoryRatio/],
      [{ policy: 'random' }, /body\.policy/],
      [{ ratio: 2 }, /body\.ratio: unknown field/],
    ];
    for (const [body, message] of cases) {
      const r = await h.api('PUT', '/api/v1/scheduler', body);
      assert.equal(r.status, 422, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, message);
    }
    assert.deepEqual((await h.api('GET', '/api/v1/scheduler')).body, { policy: 'spread', cpuRatio: 4, memoryRatio: 1 });
  });

  test('a partial update keeps the rest, is stored, and is audited', async () => {
    const r = await h.api('PUT', '/api/v1/scheduler', { cpuRatio: 2.5 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { policy: 'spread', cpuRatio: 2.5, memoryRatio: 1 });
    assert.deepEqual((await h.api('GET', '/api/v1/scheduler')).body, r.body);
    const audit = (await h.api('GET', '/api/v1/audit')).body as { action: string; result: string }[];
    assert.ok(
      audit.some((a) => a.action === 'scheduler.update' && a.result === 'ok'),
      JSON.stringify(audit),
    );
    await h.api('PUT', '/api/v1/scheduler', { cpuRatio: 4 });
  });

  test('pack and spread really place a new guest on different hosts, and the task logs why', async () => {
    const ctx = h.controller.ctx;
    const busy = await seedHost(ctx, { name: 'busy', cpus: 4, memoryMiB: 4096 });
    await seedHost(ctx, { name: 'idle', cpus: 4, memoryMiB: 4096 });
    await seedGuest(ctx, 500, busy.id, { memoryMiB: 2048, vcpus: 2 });

    const placedOn = async (policy: string): Promise<string[]> => {
      assert.equal((await h.api('PUT', '/api/v1/scheduler', { policy })).status, 200);
      // No agent answers, so the task fails after placement (502) and undoes the guest; its log stays.
      const r = await h.api('POST', '/api/v1/guests?wait=true', { kind: 'ct', name: `c-${policy}`, memoryMiB: 512, explain: true });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      const task = (await h.api('GET', `/api/v1/tasks/${r.body.error.details.taskId}`)).body as { log: { message: string }[] };
      return task.log.map((l) => l.message);
    };
    const spread = await placedOn('spread');
    assert.ok(spread.includes('winner: idle'), spread.join('\n'));
    assert.ok(
      spread.some((l) => /^why: host 'idle' won with the most free capacity after placing \(spread\)/.test(l)),
      spread.join('\n'),
    );
    const pack = await placedOn('pack');
    assert.ok(pack.includes('winner: busy'), pack.join('\n'));
    assert.ok(
      pack.some((l) => /^why: host 'busy' won with the least free capacity that still fits \(pack\), .* ahead of 'idle'/.test(l)),
      pack.join('\n'),
    );
    assert.ok(
      pack.some((l) => /^placing guest 'c-pack' \(1 vCPU\(s\), 512 MiB\), policy pack, over-commit CPU 4\.0 \/ memory 1\.0$/.test(l)),
      pack.join('\n'),
    );
    await h.api('PUT', '/api/v1/scheduler', { policy: 'spread' });
  });

  test('a refused create carries the decision: every host with its reason', async () => {
    const r = await h.api('POST', '/api/v1/guests', { kind: 'ct', name: 'huge', memoryMiB: 8192 });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'guestTooLarge');
    const d = r.body.error.details.decision;
    assert.equal(d.winner, null);
    assert.deepEqual(
      d.candidates.map((c: { host: string; rejectedBy: { filter: string } }) => [c.host, c.rejectedBy.filter]),
      [
        ['busy', 'memory'],
        ['idle', 'memory'],
      ],
    );
  });
});
