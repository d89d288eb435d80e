// Notifications through a real controller to real receivers on loopback: a signed webhook (the
// signature recomputed here), a mail through SMTP, retries when the receiver is busy, and the rules'
// refusals.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { startSmtpSink, startWebhookSink, subjectOf, type SmtpSink, type WebhookSink } from '../../../test/support/notify-sinks.ts';

const SECRET = 'a-shared-secret-of-32-characters';

describe('notifications', () => {
  let h: ControllerHarness;
  let hook: WebhookSink;
  let smtp: SmtpSink;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000, notifyRetry: { attempts: 4, initialDelayMs: 20, maxDelayMs: 100 } });
    hook = await startWebhookSink();
    smtp = await startSmtpSink();
  });
  after(async () => {
    await h.close();
    await hook.close();
    await smtp.close();
  });

  test('targets: added, listed without their secrets; bad input and taken names refused', async () => {
    const added = await h.api('POST', '/api/v1/notify/targets', { name: 'ops-hook', target: { type: 'webhook', url: hook.url, secret: SECRET } });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.destination, hook.url);
    const mail = await h.api('POST', '/api/v1/notify/targets', {
      name: 'ops-mail',
      target: { type: 'smtp', host: smtp.host, port: smtp.port, security: 'none', from: 'grappe@example.org', to: ['ops@example.org'] },
    });
    assert.equal(mail.status, 201, JSON.stringify(mail.body));
    const list = await h.api('GET', '/api/v1/notify/targets');
    assert.deepEqual(
      list.body.map((t: { name: string }) => t.name),
      ['ops-hook', 'ops-mail'],
    );
    assert.doesNotMatch(JSON.stringify(list.body), new RegExp(SECRET), 'the secret is never shown');
    assert.equal((await h.api('POST', '/api/v1/notify/targets', { name: 'ops-hook', target: { type: 'webhook', url: hook.url, secret: SECRET } })).status, 409);
    const short = await h.api('POST', '/api/v1/notify/targets', { name: 'x', target: { type: 'webhook', url: hook.url, secret: 'short' } });
    assert.equal(short.status, 422);
    assert.match(short.body.error.message, /at least 16 characters/);
    assert.equal((await h.api('POST', '/api/v1/notify/targets', { name: 'x', target: { type: 'webhook', url: 'ftp://a/b', secret: SECRET } })).status, 422);
  });

  test('a test send: the webhook gets a body signed with HMAC-SHA256, the relay a mail; a busy receiver is retried', async () => {
    hook.refuseNext(2);
    const sent = await h.api('POST', '/api/v1/notify/targets/ops-hook/test');
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.delivery.attempts, 3, 'two 503s, then accepted');
    const got = hook.received.at(-1)!;
    const expected = `sha256=${createHmac('sha256', SECRET)
      .update(`${String(got.headers['x-grappe-timestamp'])}.${got.body}`)
      .digest('hex')}`;
    assert.equal(got.headers['x-grappe-signature'], expected);
    assert.equal(JSON.parse(got.body).test, true);

    const mailed = await h.api('POST', '/api/v1/notify/targets/ops-mail/test');
    assert.equal(mailed.status, 200, JSON.stringify(mailed.body));
    assert.deepEqual(smtp.mails.at(-1)!.to, ['ops@example.org']);
    assert.match(subjectOf(smtp.mails.at(-1)!), /^\[Grappe [^\]]+\] test: info: test notification to 'ops-mail'/);

    hook.refuseNext(10);
    const failed = await h.api('POST', '/api/v1/notify/targets/ops-hook/test');
    assert.equal(failed.status, 502);
    assert.equal(failed.body.error.code, 'notifyDeliveryFailed');
    assert.match(failed.body.error.message, /after 4 attempt\(s\): the webhook answered HTTP 503/);
    hook.refuseNext(0);
    const shown = (await h.api('GET', '/api/v1/notify/targets')).body.find((t: { name: string }) => t.name === 'ops-hook');
    assert.equal(shown.lastDelivery.ok, false);
  });

  test('rules: an event of a named kind goes to its targets; unknown kinds and targets are refused; a used target is kept', async () => {
    const badKind = await h.api('POST', '/api/v1/notify/rules', { name: 'r', kinds: ['nope'], targets: ['ops-hook'] });
    assert.equal(badKind.status, 422);
    assert.match(badKind.body.error.message, /a kind among: host-down/);
    const badTarget = await h.api('POST', '/api/v1/notify/rules', { name: 'r', kinds: ['task-failed'], targets: ['nobody'] });
    assert.equal(badTarget.status, 404);
    const rule = await h.api('POST', '/api/v1/notify/rules', { name: 'failures', kinds: ['task-failed', 'failover-done'], targets: ['ops-hook', 'ops-mail'] });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));

    const before = { hooks: hook.received.length, mails: smtp.mails.length };
    await h.controller.ctx.events.emit({
      type: 'ha.guest-recovered',
      severity: 'info',
      subject: 'vm:100',
      message: 'guest vm:100 recovered on proc2',
      data: { guest: 'vm:100' },
    });
    await h.controller.ctx.events.emit({ type: 'host.updated', severity: 'info', subject: 'host:1', message: 'routine' });
    await eventually(
      'the webhook and the mail',
      async () => (hook.received.length === before.hooks + 1 && smtp.mails.length === before.mails + 1 ? true : undefined),
      5000,
    );
    const body = JSON.parse(hook.received.at(-1)!.body);
    assert.deepEqual(body.kinds, ['failover-done']);
    assert.equal(body.event.type, 'ha.guest-recovered');

    const inUse = await h.api('DELETE', '/api/v1/notify/targets/ops-hook');
    assert.equal(inUse.status, 409);
    assert.match(inUse.body.error.message, /used by rule\(s\) failures/);
    assert.equal((await h.api('DELETE', '/api/v1/notify/rules/failures')).status, 204);
    assert.equal((await h.api('DELETE', '/api/v1/notify/targets/ops-hook')).status, 204);
    assert.equal((await h.api('DELETE', '/api/v1/notify/rules/failures')).status, 404);
  });
});
