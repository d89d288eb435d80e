// The names HA events carry on the event stream ('ha.host-lost', …): one per HA manager event type,
// plus the controller's own. Keyed by the core's type, so a type added there and missing here is a
// compile error rather than an event the UI never hears.
import type { HaEventType } from '../../../src/contract/shared-rules.ts';

const MANAGER_TYPES: Record<HaEventType, true> = {
  'host-lost': true,
  'host-back': true,
  fencing: true,
  'host-fenced': true,
  'host-isolated': true,
  'guest-recovered': true,
  'guest-restarted': true,
  'guest-found': true,
  'guest-left-down': true,
  'guest-not-restarted': true,
  'guest-stray-stopped': true,
  'guest-moved': true,
  'maintenance-draining': true,
  'maintenance-blocked': true,
  'maintenance-entered': true,
  'maintenance-exited': true,
  'ha-armed': true,
  'tolerance-changed': true,
  'over-committed': true,
  'ha-unhealthy': true,
  'ha-healthy': true,
  'storm-guard': true,
  'storm-lifted': true,
  'controller-restarted': true,
};
const CONTROLLER_TYPES = ['enabled', 'disabled', 'recovery-failed', 'fence-agent'];

export const HA_EVENT_NAMES: readonly string[] = [...Object.keys(MANAGER_TYPES), ...CONTROLLER_TYPES].map((t) => `ha.${t}`);
