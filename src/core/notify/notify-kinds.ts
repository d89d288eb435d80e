// What a notification rule names: kinds of events an admin wants to hear about, each with the event
// types it covers and why. Pure: an event's type and data in, its kinds out.

export interface EventFacts {
  readonly type: string;
  readonly severity: 'info' | 'warning' | 'error';
  readonly data?: Readonly<Record<string, unknown>> | undefined;
}

interface KindRule {
  readonly kind: string;
  readonly what: string;
  readonly matches: (e: EventFacts) => boolean;
}

const typeIn =
  (...types: string[]) =>
  (e: EventFacts): boolean =>
    types.includes(e.type);

/** Rules as data: the kind, what it means to an admin, and the events it covers. */
export const NOTIFY_KINDS: readonly KindRule[] = [
  { kind: 'host-down', what: 'HA lost a host (no network and no storage heartbeat) or found it isolated', matches: typeIn('ha.host-lost', 'ha.host-isolated') },
  { kind: 'fence', what: 'HA fenced a host, or its fence agent did not confirm the power-off', matches: typeIn('ha.host-fenced', 'ha.fence-agent') },
  { kind: 'failover-done', what: 'an HA guest runs again on another host', matches: typeIn('ha.guest-recovered') },
  {
    kind: 'failover-failed',
    what: 'an HA restart failed, or a guest is left down (no room, or its plan says so)',
    matches: typeIn('ha.recovery-failed', 'ha.guest-left-down', 'ha.guest-not-restarted'),
  },
  {
    kind: 'tolerance-decreased',
    what: 'the pool now survives fewer host failures than before',
    matches: (e) => e.type === 'ha.tolerance-changed' && Number(e.data?.['tolerable']) < Number(e.data?.['previous']),
  },
  {
    kind: 'ha-unhealthy',
    what: 'HA cannot protect guests (heartbeat volume, over-commitment, fencing storm)',
    matches: typeIn('ha.ha-unhealthy', 'ha.storm-guard', 'ha.over-committed'),
  },
  {
    kind: 'certificate-expiring',
    what: 'a certificate of the cluster (CA, controller, an agent) ends within 30 days',
    matches: typeIn('pki.certificate-expiring'),
  },
  { kind: 'quorum-lost', what: 'the controllers lost their majority: no change can be made', matches: typeIn('cluster.quorum-lost') },
  { kind: 'leader-changed', what: 'another controller leads the cluster', matches: typeIn('cluster.leader-changed') },
  {
    kind: 'task-failed',
    what: 'a task (add host, migration, evacuation…) failed',
    matches: (e) => e.type === 'task.updated' && e.data?.['state'] === 'failed',
  },
  { kind: 'undo-failed', what: 'rolling back a failed action left something behind', matches: typeIn('undo.failed') },
  { kind: 'any-error', what: 'every event of severity error', matches: (e) => e.severity === 'error' },
];

export const NOTIFY_KIND_NAMES: readonly string[] = NOTIFY_KINDS.map((k) => k.kind);

/** The kinds an event belongs to (often one, none for routine events). */
export function kindsOf(e: EventFacts): string[] {
  return NOTIFY_KINDS.filter((k) => k.matches(e)).map((k) => k.kind);
}

const SEVERITY_RANK = { info: 0, warning: 1, error: 2 } as const;

export interface RuleFacts {
  readonly kinds: readonly string[];
  readonly minSeverity: 'info' | 'warning' | 'error';
  readonly enabled: boolean;
}

/** Whether a rule fires for an event: enabled, the event of one of its kinds, at least its severity. */
export function ruleMatches(rule: RuleFacts, e: EventFacts): boolean {
  if (!rule.enabled || SEVERITY_RANK[e.severity] < SEVERITY_RANK[rule.minSeverity]) return false;
  const kinds = kindsOf(e);
  return rule.kinds.some((k) => kinds.includes(k));
}
