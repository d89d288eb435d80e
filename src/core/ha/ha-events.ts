// Events and alerts of the HA manager, and how they read for an admin.

export type HaEvent =
  | { type: 'host-lost'; host: string; lastNetAt: number; guests: number }
  | { type: 'host-back'; host: string; wasState: string }
  | { type: 'fencing'; host: string; deadline: number; fenceAgent: boolean }
  | { type: 'host-fenced'; host: string; reason: string }
  | { type: 'host-isolated'; host: string }
  | { type: 'guest-recovered'; guest: string; from: string; to: string; tookMs: number }
  | { type: 'guest-restarted'; guest: string; host: string }
  | { type: 'guest-found'; guest: string; host: string; expected: string }
  | { type: 'guest-left-down'; guest: string; reason: string }
  | { type: 'guest-not-restarted'; guest: string; host: string }
  | { type: 'guest-stray-stopped'; guest: string; host: string; placedOn: string }
  | { type: 'guest-moved'; guest: string; from: string; to: string }
  | { type: 'maintenance-draining'; host: string; guests: number }
  | { type: 'maintenance-blocked'; host: string; guest: string }
  | { type: 'maintenance-entered'; host: string }
  | { type: 'maintenance-exited'; host: string }
  | { type: 'ha-armed'; tolerable: number; configured: number }
  | { type: 'tolerance-changed'; tolerable: number; previous: number; configured: number }
  | { type: 'over-committed'; tolerable: number; configured: number }
  | { type: 'ha-unhealthy'; reasons: string }
  | { type: 'ha-healthy' }
  | { type: 'storm-guard'; why: string; hosts: readonly string[] }
  | { type: 'storm-lifted' }
  | { type: 'controller-restarted'; fencePending: number; recovering: number };

export type HaEventType = HaEvent['type'];

const ALERTS: ReadonlySet<HaEventType> = new Set<HaEventType>([
  'host-lost',
  'host-isolated',
  'guest-left-down',
  'guest-stray-stopped',
  'maintenance-blocked',
  'over-committed',
  'ha-unhealthy',
  'storm-guard',
]);

export const isAlert = (e: HaEvent): boolean => ALERTS.has(e.type) || (e.type === 'tolerance-changed' && e.tolerable < e.previous);

/** Milliseconds as the admin reads them: t=12.3s. */
export const formatTime = (ms: number): string => `t=${(ms / 1000).toFixed(1)}s`;
export const formatDuration = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** `at` formats the times an event carries: simulated seconds by default, wall-clock times in the controller. */
export function describeEvent(e: HaEvent, at: (ms: number) => string = formatTime): string {
  switch (e.type) {
    case 'host-lost':
      return `host lost: ${e.host} (no network heartbeat since ${at(e.lastNetAt)}; ${e.guests} guest(s) frozen until it is known fenced)`;
    case 'host-back':
      return e.wasState === 'fenced'
        ? `host ${e.host} rejoined the pool (it was fenced; its guests run elsewhere now)`
        : `host ${e.host} answers again before being fenced (it was ${e.wasState}): its guests stay with it`;
    case 'fencing':
      return `fencing ${e.host}: its self-fence deadline is ${at(e.deadline)}` + (e.fenceAgent ? '; fence agent asked to power it off' : '');
    case 'host-fenced':
      return `host fenced: ${e.host} (${e.reason})`;
    case 'host-isolated':
      return `host ${e.host} is isolated but still writes its storage heartbeat without a self-fence mark: not recovering its guests until it stops or is fenced`;
    case 'guest-recovered':
      return `guest recovered: ${e.guest} ${e.from} → ${e.to} (${formatDuration(e.tookMs)} after ${e.from}'s last heartbeat)`;
    case 'guest-restarted':
      return `guest ${e.guest} was not running on ${e.host}: started it there again`;
    case 'guest-found':
      return `guest ${e.guest} found running on ${e.host} (HA expected it on ${e.expected}): HA follows it there`;
    case 'guest-left-down':
      return `guest ${e.guest} left down: ${e.reason}`;
    case 'guest-not-restarted':
      return `guest ${e.guest} not restarted (plan: never); its host ${e.host} is fenced`;
    case 'guest-stray-stopped':
      return `guest ${e.guest} found running on ${e.host} while HA runs it on ${e.placedOn}: stopped the copy on ${e.host}`;
    case 'guest-moved':
      return `guest ${e.guest} moved ${e.from} → ${e.to} for maintenance`;
    case 'maintenance-draining':
      return `host ${e.host} entering maintenance: moving its ${e.guests} HA guest(s) away first`;
    case 'maintenance-blocked':
      return `host ${e.host} cannot enter maintenance yet: no host has room for ${e.guest}`;
    case 'maintenance-entered':
      return `host ${e.host} in maintenance: no HA guest left on it`;
    case 'maintenance-exited':
      return `host ${e.host} out of maintenance`;
    case 'ha-armed':
      return `HA armed: the pool can survive ${e.tolerable} host failure(s) (configured ${e.configured})`;
    case 'tolerance-changed':
      return `failures tolerated ${e.tolerable < e.previous ? 'decreased' : 'increased'} to ${e.tolerable} (configured ${e.configured})`;
    case 'over-committed':
      return `HA over-committed: the pool can survive only ${e.tolerable} host failure(s), ${e.configured} configured`;
    case 'ha-unhealthy':
      return `HA unhealthy: ${e.reasons}`;
    case 'ha-healthy':
      return 'HA healthy';
    case 'storm-guard':
      return `fencing-storm guard: ${e.why} (${e.hosts.join(', ')}); fencing nothing and waiting — check the controller's network`;
    case 'storm-lifted':
      return 'fencing-storm guard lifted: fencing resumes';
    case 'controller-restarted':
      return `controller restarted: HA state rebuilt from the persisted state (${e.fencePending} host(s) being fenced, ${e.recovering} guest(s) waiting for recovery)`;
  }
}
