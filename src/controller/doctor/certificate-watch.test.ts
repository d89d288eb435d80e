// The certificate watch on a real controller whose clock is set near the end of its certificates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startControllerHarness } from '../../../test/support/controller-harness.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { FakeClock } from '../../../test/support/test-cluster.ts';

const DAY = 86_400_000;

test('certificates near their end are an event, and a notification kind', async () => {
  // The harness's certificates are made now: the CA is good 10 years, leaf certificates 5.
  const clock = new FakeClock(Date.now() + 3650 * DAY - 20 * DAY);
  const h = await startControllerHarness({ monitorIntervalMs: 60_000, clock });
  try {
    const events = await eventually(
      'the certificate events',
      async () => {
        const all = (await h.controller.ctx.events.recent(100)).filter((e) => e.type === 'pki.certificate-expiring');
        return all.length >= 3 ? all : undefined;
      },
      5000,
    );
    const ca = events.find((e) => e.subject === 'certificate:cluster CA');
    assert.ok(ca, JSON.stringify(events.map((e) => e.message)));
    assert.equal(ca.severity, 'warning');
    assert.match(ca.message, /certificate of the cluster CA: expires in 1[89] days/);
    const api = events.find((e) => e.subject === 'certificate:controller API');
    assert.equal(api?.severity, 'error', 'a 5-year certificate is long expired by then');
    assert.match(api?.message ?? '', /expired on/);
    const kinds = await h.api('GET', '/api/v1/notify/kinds');
    assert.ok(kinds.body.some((k: { kind: string }) => k.kind === 'certificate-expiring'));
  } finally {
    await h.close();
  }
});
