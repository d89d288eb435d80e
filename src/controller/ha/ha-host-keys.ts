// The HA manager names hosts by their names (its log and events are read by admins); the stored
// state names them by id, so a host renamed while the controller was down is still recognised.
import type { HaGuestRecord, HaState, HaHostRecord } from '../../core/ha/ha-types.ts';

type Rename = (key: string) => string | undefined;

/** Every host reference in `state` through `rename`; hosts it does not know are dropped. */
export function renameHosts(state: HaState, rename: Rename): HaState {
  const hosts: Record<string, HaHostRecord> = {};
  for (const [key, rec] of Object.entries(state.hosts)) {
    const to = rename(key);
    if (to !== undefined) hosts[to] = rec;
  }
  const guests: Record<string, HaGuestRecord> = {};
  for (const [id, rec] of Object.entries(state.guests)) guests[id] = renameGuestHosts(rec, rename);
  return { hosts, guests, pool: state.pool };
}

/** The guest's record with every host it names through `rename` (a host it does not know is dropped). */
export function renameGuestHosts(rec: HaGuestRecord, rename: Rename): HaGuestRecord {
  const r: { -readonly [K in keyof HaGuestRecord]: HaGuestRecord[K] } = { ...rec };
  for (const field of ['host', 'target', 'maybeOn', 'recoveredFrom'] as const) {
    const v = rec[field];
    if (v === undefined) continue;
    const to = rename(v);
    if (to === undefined) delete r[field];
    else r[field] = to;
  }
  return r;
}
