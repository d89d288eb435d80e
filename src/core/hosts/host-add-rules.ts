// The synchronous checks of "Add host" that need no agent: what applies to which purpose,
// the factory-default password rule, the syslog address, and where the address may sit.

import { errors, GrappeError } from '../errors.ts';
import { isHostAddressIn, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import type { HostPurpose } from './host.ts';
import type { SubnetRef } from './nic-rules.ts';

export const DEFAULT_STORAGE_LOCATION = 'shared-iscsi';
export const DEFAULT_SERVICE_POOL = 'mixed';

const SYSLOG_ADDRESS = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/;

export interface HostAddInput {
  readonly purpose: HostPurpose;
  readonly address: string;
  readonly password: string;
  readonly newPassword?: string | undefined;
  readonly storageLocation?: string | undefined;
  readonly servicePool?: string | undefined;
  readonly syslog?: { readonly enabled: boolean; readonly address?: string | undefined } | undefined;
}

export interface HostAddSettings {
  readonly storageLocation: string | null;
  readonly servicePool: string | null;
  readonly syslog: { readonly enabled: boolean; readonly address: string | null };
}

/** Throws the first refusal (422) or returns the settings the new host will have. */
export function planHostAdd(input: HostAddInput, opts: { factoryPassword: string; subnets: readonly SubnetRef[] }): HostAddSettings {
  if (input.purpose !== 'processing') {
    const given = (['storageLocation', 'servicePool'] as const).filter((k) => input[k] !== undefined);
    if (given.length > 0) {
      throw errors.invalidInput(
        `${given.join(' and ')} only apply to processing hosts, and this is a ${input.purpose} host; leave ${given.length > 1 ? 'them' : 'it'} out`,
        { fields: given, purpose: input.purpose },
      );
    }
  }
  if (input.password === opts.factoryPassword && input.newPassword === undefined) {
    throw new GrappeError('newPasswordRequired', 'the host still has the factory-default password; set a new one with newPassword', {
      field: 'newPassword',
    });
  }
  if (input.newPassword !== undefined && input.newPassword === opts.factoryPassword) {
    throw errors.invalidInput('newPassword must differ from the factory-default password', { field: 'newPassword' });
  }
  const syslogAddress = input.syslog?.address ?? null;
  if (input.syslog?.enabled && !syslogAddress) {
    throw errors.invalidInput('forwarding logs to syslog needs syslog.address (the central syslog server, e.g. 198.18.0.5:514)', {
      field: 'syslog.address',
    });
  }
  if (syslogAddress !== null && !SYSLOG_ADDRESS.test(syslogAddress)) {
    throw errors.invalidInput(`syslog.address '${syslogAddress}' is not host[:port] (e.g. 198.18.0.5:514)`, { field: 'syslog.address' });
  }
  const lan = opts.subnets.find((s) => s.name === 'LAN');
  const lanCidr = lan ? parseCidr(lan.cidr) : undefined;
  const ip = parseIpv4(input.address);
  if (lan && lanCidr && ip !== undefined && !isHostAddressIn(lanCidr, ip) && ip >= lanCidr.network && ip < lanCidr.network + 2 ** (32 - lanCidr.prefix)) {
    throw new GrappeError('ipOutsideSubnet', `${input.address} is the network or broadcast address of LAN ${lan.cidr}, not a host address`, {
      ip: input.address,
      subnet: 'LAN',
      cidr: lan.cidr,
    });
  }
  const processing = input.purpose === 'processing';
  return {
    storageLocation: processing ? (input.storageLocation ?? DEFAULT_STORAGE_LOCATION) : null,
    servicePool: processing ? (input.servicePool ?? DEFAULT_SERVICE_POOL) : null,
    syslog: { enabled: input.syslog?.enabled ?? false, address: syslogAddress },
  };
}
