// Sending one notification to one target: a signed webhook POST, or a mail through an SMTP relay
// (nodemailer). Each call is one attempt; retries are the dispatcher's.
import { createHmac, randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { EventView } from '../../contract/event.contract.ts';
import type { TargetConfig } from '../../contract/notify.contract.ts';

const TIMEOUT_MS = 10_000;

export interface Notification {
  readonly cluster: { readonly id: string; readonly name: string };
  readonly kinds: readonly string[];
  readonly event: EventView;
  /** A test from `grappe notify target test`: said in the subject and the body. */
  readonly test?: boolean;
}

/** The signature a receiver recomputes: hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One attempt; resolves with what the receiver said, throws with why it failed. */
export async function sendNotification(target: TargetConfig, n: Notification, nowMs: number): Promise<string> {
  return target.type === 'webhook' ? sendWebhook(target, n, nowMs) : sendMail(target, n);
}

async function sendWebhook(target: Extract<TargetConfig, { type: 'webhook' }>, n: Notification, nowMs: number): Promise<string> {
  const body = JSON.stringify({ cluster: n.cluster, kinds: n.kinds, test: n.test === true, event: n.event });
  const timestamp = String(Math.floor(nowMs / 1000));
  const res = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'grappe-notify',
      'x-grappe-delivery': randomUUID(),
      'x-grappe-event': n.event.type,
      'x-grappe-timestamp': timestamp,
      'x-grappe-signature': webhookSignature(target.secret, timestamp, body),
    },
    body,
    redirect: 'error',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`the webhook answered HTTP ${res.status}`);
  return `HTTP ${res.status}`;
}

async function sendMail(target: Extract<TargetConfig, { type: 'smtp' }>, n: Notification): Promise<string> {
  const transport = createTransport({
    host: target.host,
    port: target.port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    ...(target.username ? { auth: { user: target.username, pass: target.password ?? '' } } : {}),
  });
  try {
    const e = n.event;
    const info = await transport.sendMail({
      from: target.from,
      to: target.to,
      subject: `[Grappe ${n.cluster.name}]${n.test ? ' test:' : ''} ${e.severity}: ${e.message.slice(0, 120)}`,
      text: [
        e.message,
        '',
        `event:    ${e.type} (${n.kinds.join(', ') || 'no kind'})`,
        `severity: ${e.severity}`,
        `subject:  ${e.subject}`,
        `at:       ${e.at}`,
        `cluster:  ${n.cluster.name} (${n.cluster.id})`,
        ...(n.test ? ['', 'This is a test sent by `grappe notify target test`.'] : []),
      ].join('\n'),
    });
    return `accepted by ${target.host}: ${String(info.response ?? '').slice(0, 120)}`;
  } finally {
    transport.close();
  }
}
