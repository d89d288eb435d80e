// Logical subnets as stored by `grappe init`: `/subnets/<LAN|SAN|RAN>` = { name, cidr, description }.
import { SUBNET_NAMES, subnet as subnetSchema, type Subnet } from '../../contract/subnet.contract.ts';
import { errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';

export const SUBNETS_PREFIX = '/subnets/';
export const subnetKey = (name: string): string => `${SUBNETS_PREFIX}${name}`;

/** `/subnets/<LAN|SAN|RAN>`: version 1 (its schema is the API's). */
export const SUBNET_RECORD = defineRecordKind<Subnet>({ name: 'logical subnet', version: 1, migrations: {}, schema: subnetSchema.loose() });
export const subnetValue = (s: Subnet) => storedValue(SUBNET_RECORD, s);

export async function listSubnets(store: Store): Promise<Subnet[]> {
  const subnets = (await store.list(SUBNETS_PREFIX)).map((e) => readRecord(SUBNET_RECORD, e.key, e.value));
  const rank = (s: Subnet): number => SUBNET_NAMES.indexOf(s.name);
  return subnets.sort((a, b) => rank(a) - rank(b)); // LAN, SAN, RAN: the order admins read them in
}

/** The subnet and the revision to compare against when changing it; 404 when unknown. */
export async function getSubnet(store: Store, name: string): Promise<{ subnet: Subnet; modRevision: number }> {
  const e = await store.get(subnetKey(name));
  if (!e) throw errors.noSuchSubnet(name);
  return { subnet: readRecord(SUBNET_RECORD, e.key, e.value), modRevision: e.modRevision };
}
