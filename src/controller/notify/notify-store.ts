// Notification targets and rules as stored: `/notify/targets/<name>` (with their secrets, never shown),
// `/notify/rules/<name>`, and each target's last delivery at `/notify/deliveries/<name>`.
import { z } from 'zod';
import {
  deliveryView,
  ruleView,
  targetCreateRequest,
  type DeliveryView,
  type RuleView,
  type TargetConfig,
  type TargetView,
} from '../../contract/notify.contract.ts';
import { notifyErrors } from '../../core/notify/notify-errors.ts';
import type { Store } from '../../store/store.ts';
import { del, put } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';

export const NOTIFY_PREFIX = '/notify/';
const TARGETS = '/notify/targets/';
const RULES = '/notify/rules/';
const DELIVERIES = '/notify/deliveries/';

export interface TargetRecord {
  readonly name: string;
  readonly target: TargetConfig;
  readonly createdAt: string;
}

/** `/notify/targets/<name>`: version 1. */
export const TARGET_RECORD = defineRecordKind<TargetRecord>({
  name: 'notification target',
  version: 1,
  migrations: {},
  schema: targetCreateRequest.extend({ createdAt: z.string() }) as z.ZodType<TargetRecord>,
  fix: 'delete the target (`grappe notify target delete`) and add it again',
});
/** `/notify/rules/<name>`: version 1. */
export const RULE_RECORD = defineRecordKind<RuleView>({ name: 'notification rule', version: 1, migrations: {}, schema: ruleView });
/** `/notify/deliveries/<name>`: version 1. */
export const DELIVERY_RECORD = defineRecordKind<DeliveryView>({ name: 'notification delivery', version: 1, migrations: {}, schema: deliveryView });

export async function listTargets(store: Store): Promise<TargetRecord[]> {
  return (await store.list(TARGETS)).map((e) => readRecord(TARGET_RECORD, e.key, e.value));
}

export async function listRules(store: Store): Promise<RuleView[]> {
  return (await store.list(RULES)).map((e) => readRecord(RULE_RECORD, e.key, e.value));
}

export async function getTarget(store: Store, name: string): Promise<TargetRecord> {
  const e = await store.get(TARGETS + name);
  if (!e)
    throw notifyErrors.noSuchTarget(
      name,
      (await listTargets(store)).map((t) => t.name),
    );
  return readRecord(TARGET_RECORD, e.key, e.value);
}

/** Creates a target or a rule if its name is free. */
async function putNew(store: Store, what: 'target' | 'rule', key: string, value: ReturnType<typeof storedValue>, name: string): Promise<void> {
  const r = await store.txn([{ key, modRevision: 0 }], [{ put: key, value }]);
  if (!r.succeeded) throw notifyErrors.nameTaken(what, name);
}

export const addTarget = (store: Store, t: TargetRecord): Promise<void> => putNew(store, 'target', TARGETS + t.name, storedValue(TARGET_RECORD, t), t.name);
export const addRule = (store: Store, r: RuleView): Promise<void> => putNew(store, 'rule', RULES + r.name, storedValue(RULE_RECORD, r), r.name);

export async function deleteTarget(store: Store, name: string): Promise<void> {
  await getTarget(store, name);
  const users = (await listRules(store)).filter((r) => r.targets.includes(name)).map((r) => r.name);
  if (users.length > 0) throw notifyErrors.targetInUse(name, users);
  await store.txn([], [{ delete: TARGETS + name }, { delete: DELIVERIES + name }]);
}

export async function deleteRule(store: Store, name: string): Promise<void> {
  if (!(await store.get(RULES + name))) throw notifyErrors.noSuchRule(name);
  await del(store, RULES + name);
}

export async function recordDelivery(store: Store, target: string, d: DeliveryView): Promise<void> {
  await put(store, DELIVERIES + target, storedValue(DELIVERY_RECORD, d));
}

export async function lastDeliveries(store: Store): Promise<Map<string, DeliveryView>> {
  const out = new Map<string, DeliveryView>();
  for (const e of await store.list(DELIVERIES)) out.set(e.key.slice(DELIVERIES.length), readRecord(DELIVERY_RECORD, e.key, e.value));
  return out;
}

/** A target as shown: where it sends, without its secret or password. */
export function targetViewOf(t: TargetRecord, last: DeliveryView | undefined): TargetView {
  const c = t.target;
  const destination = c.type === 'webhook' ? c.url : `smtp://${c.host}:${c.port} (${c.security}) → ${c.to.join(', ')}`;
  return { name: t.name, type: c.type, destination, lastDelivery: last ?? null, createdAt: t.createdAt };
}
