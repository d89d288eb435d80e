import { z } from 'zod';
import { NOTIFY_KIND_NAMES } from '../core/notify/notify-kinds.ts';

export { NOTIFY_KINDS, NOTIFY_KIND_NAMES } from '../core/notify/notify-kinds.ts';

// Notification targets (where to send) and rules (which events go to which targets).
const targetName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, starting with a letter (at most 32)');
const email = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an e-mail address such as ops@example.org');

export const webhookTarget = z
  .object({
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    /** Signs each delivery (X-Grappe-Signature: sha256=HMAC(secret, timestamp + "." + body)); write-only. */
    secret: z.string().min(16, 'the secret must have at least 16 characters').max(256),
  })
  .strict();

export const smtpTarget = z
  .object({
    type: z.literal('smtp'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(587),
    /** none: plain SMTP (a local relay); starttls: upgrade required; tls: TLS from the first byte (465). */
    security: z.enum(['none', 'starttls', 'tls']).default('starttls'),
    from: email,
    to: z.array(email).min(1).max(20),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(), // write-only
  })
  .strict();

export const targetCreateRequest = z.object({ name: targetName, target: z.discriminatedUnion('type', [webhookTarget, smtpTarget]) }).strict();
export type TargetCreateRequest = z.infer<typeof targetCreateRequest>;
export type TargetConfig = TargetCreateRequest['target'];

export const deliveryView = z.object({ at: z.string(), ok: z.boolean(), attempts: z.number().int(), detail: z.string(), event: z.string() });
export type DeliveryView = z.infer<typeof deliveryView>;

export const targetView = z.object({
  name: z.string(),
  type: z.enum(['webhook', 'smtp']),
  /** Where it goes, secrets left out: the URL, or 'smtp://host:port → a@b, c@d'. */
  destination: z.string(),
  lastDelivery: deliveryView.nullable(),
  createdAt: z.string(),
});
export type TargetView = z.infer<typeof targetView>;

export const ruleCreateRequest = z
  .object({
    name: targetName,
    kinds: z.array(z.string().refine((k) => NOTIFY_KIND_NAMES.includes(k), { message: `a kind among: ${NOTIFY_KIND_NAMES.join(', ')}` })).min(1),
    targets: z.array(targetName).min(1),
    minSeverity: z.enum(['info', 'warning', 'error']).default('info'),
    enabled: z.boolean().default(true),
  })
  .strict();
export type RuleCreateRequest = z.infer<typeof ruleCreateRequest>;
export const ruleView = ruleCreateRequest.extend({ createdAt: z.string() });
export type RuleView = z.infer<typeof ruleView>;

export const notifyTestView = z.object({ target: z.string(), delivery: deliveryView });
