// Every kind of record the controller keeps, with where it lives: what the doctor reads through to
// find damaged records (each parsed by its kind's schema, as every reader does).
import { ACL_KEY, ACL_RECORD, API_TOKEN_RECORD, API_TOKENS_PREFIX, GROUP_RECORD, GROUPS_PREFIX, ROLE_RECORD, ROLES_PREFIX } from '../access/access-store.ts';
import { TOKEN_RECORD } from '../auth/tokens.ts';
import { USER_RECORD, USERS_PREFIX } from '../auth/users.ts';
import { DELIVERY_RECORD, RULE_RECORD, TARGET_RECORD } from '../notify/notify-store.ts';
import { ACTIVE_KEY, ACTIVE_RECORD, EVACUATIONS_PREFIX, EVACUATION_RECORD } from '../evacuation/evacuation-store.ts';
import { GUEST_RECORD, GUESTS_PREFIX } from '../guests/guest-record.ts';
import { HA_CONFIG_KEY, HA_CONFIG_RECORD } from '../ha/ha-config-store.ts';
import { HA_GUEST_STATE_RECORD, HA_GUEST_STATES_PREFIX, HA_STATE_KEY, HA_STATE_RECORD } from '../ha/ha-state-store.ts';
import { HA_PLAN_RECORD, HA_PLANS_PREFIX } from '../ha/ha-plan-store.ts';
import { HOSTS_PREFIX, HOST_RECORD } from '../hosts/host-record.ts';
import { IMAGES_PREFIX, IMAGE_RECORD } from '../images/image-store.ts';
import { HISTORY_RECORD } from '../migration/move-history.ts';
import { NETWORKS_PREFIX, NETWORK_RECORD } from '../networks/network-store.ts';
import { AUDIT_RECORD } from '../platform/audit.ts';
import { EVENT_RECORD } from '../platform/events.ts';
import type { RecordKind } from '../platform/stored-records.ts';
import { TASK_RECORD } from '../platform/tasks.ts';
import { SCHEDULER_SETTINGS_KEY, SCHEDULER_SETTINGS_RECORD } from '../scheduling/scheduler-settings.ts';
import { PROBES_PREFIX, PROBE_RECORD } from '../storage/storage-probe.ts';
import { VOLUMES_PREFIX, VOLUME_RECORD } from '../storage/volume-store.ts';
import { SUBNETS_PREFIX, SUBNET_RECORD } from '../subnets/subnet-store.ts';

/** A key prefix (ending in '/') or one exact key, and the kind of record stored there. */
export interface StoredPlace {
  readonly at: string;
  readonly kind: RecordKind<unknown>;
}

export const STORED_PLACES: readonly StoredPlace[] = [
  { at: HOSTS_PREFIX, kind: HOST_RECORD },
  { at: USERS_PREFIX, kind: USER_RECORD },
  { at: ACL_KEY, kind: ACL_RECORD },
  { at: GROUPS_PREFIX, kind: GROUP_RECORD },
  { at: ROLES_PREFIX, kind: ROLE_RECORD },
  { at: API_TOKENS_PREFIX, kind: API_TOKEN_RECORD },
  { at: '/notify/targets/', kind: TARGET_RECORD },
  { at: '/notify/rules/', kind: RULE_RECORD },
  { at: '/notify/deliveries/', kind: DELIVERY_RECORD },
  { at: GUESTS_PREFIX, kind: GUEST_RECORD },
  { at: VOLUMES_PREFIX, kind: VOLUME_RECORD },
  { at: IMAGES_PREFIX, kind: IMAGE_RECORD },
  { at: NETWORKS_PREFIX, kind: NETWORK_RECORD },
  { at: SUBNETS_PREFIX, kind: SUBNET_RECORD },
  { at: PROBES_PREFIX, kind: PROBE_RECORD },
  { at: EVACUATIONS_PREFIX, kind: EVACUATION_RECORD },
  { at: ACTIVE_KEY, kind: ACTIVE_RECORD },
  { at: HA_CONFIG_KEY, kind: HA_CONFIG_RECORD },
  { at: HA_STATE_KEY, kind: HA_STATE_RECORD },
  { at: HA_GUEST_STATES_PREFIX, kind: HA_GUEST_STATE_RECORD },
  { at: HA_PLANS_PREFIX, kind: HA_PLAN_RECORD },
  { at: SCHEDULER_SETTINGS_KEY, kind: SCHEDULER_SETTINGS_RECORD },
  { at: '/migration/history/', kind: HISTORY_RECORD },
  { at: '/tasks/', kind: TASK_RECORD },
  { at: '/events/', kind: EVENT_RECORD },
  { at: '/audit/', kind: AUDIT_RECORD },
  { at: '/tokens/', kind: TOKEN_RECORD },
];
