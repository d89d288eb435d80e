// Builds the "add host" request from the flags, asking on the terminal for what is missing:
// the connector's password, and a new one when it is still the factory default.
import { FACTORY_DEFAULT_PASSWORD } from '../../contract/agent.contract.ts';
import type { HostAddRequest } from '../../contract/host.contract.ts';
import { CliError, usageError } from '../cli-error.ts';
import type { Runtime } from '../runtime.ts';

export const MIN_NEW_PASSWORD = 8;

export interface HostAddFlags {
  purpose: HostAddRequest['purpose'];
  address: string;
  name?: string;
  randomName?: boolean;
  password?: string;
  newPassword?: string;
  port: number;
  storageLocation?: string;
  servicePool?: string;
  syslog?: string;
}

/** Rules that need no terminal: which flags go together. Throws a usage error. */
export function checkAddFlags(f: HostAddFlags): void {
  if (f.name && f.randomName) throw usageError('give either --name or --random-name, not both');
  if (f.purpose !== 'processing' && (f.storageLocation || f.servicePool)) {
    throw usageError(`--storage-location and --service-pool are for processing hosts only, and this is a ${f.purpose} host`);
  }
  if (f.newPassword !== undefined && f.newPassword.length < MIN_NEW_PASSWORD) {
    throw usageError(`the new password must have at least ${MIN_NEW_PASSWORD} characters`);
  }
  if (f.newPassword !== undefined && f.newPassword === FACTORY_DEFAULT_PASSWORD) {
    throw usageError(`the new password must not be the factory default '${FACTORY_DEFAULT_PASSWORD}'`);
  }
}

export async function buildAddRequest(f: HostAddFlags, rt: Runtime): Promise<HostAddRequest> {
  checkAddFlags(f);
  const password = f.password ?? (await askPassword(rt, f.address));
  let newPassword = f.newPassword;
  if (password === FACTORY_DEFAULT_PASSWORD && newPassword === undefined) newPassword = await askNewPassword(rt, f.address);
  return {
    purpose: f.purpose,
    address: f.address,
    password,
    port: f.port,
    ...(f.name ? { name: f.name } : {}), // no name: the controller generates a random one
    ...(newPassword !== undefined ? { newPassword } : {}),
    ...(f.storageLocation ? { storageLocation: f.storageLocation } : {}),
    ...(f.servicePool ? { servicePool: f.servicePool } : {}),
    ...(f.syslog ? { syslog: { enabled: true, address: f.syslog } } : {}),
  };
}

async function askPassword(rt: Runtime, address: string): Promise<string> {
  if (!rt.interactive) throw usageError('no password given: pass --password (the password of the connector on the host)');
  const value = await rt.readHidden(`Password of the connector on ${address}: `);
  if (!value) throw new CliError('no password entered');
  return value;
}

async function askNewPassword(rt: Runtime, address: string): Promise<string> {
  if (!rt.interactive) {
    throw usageError(
      `the host still has the factory-default password '${FACTORY_DEFAULT_PASSWORD}': give a new one with --new-password (at least ${MIN_NEW_PASSWORD} characters)`,
    );
  }
  rt.stderr.write(`The connector on ${address} still has the factory-default password: choose a new one.\n`);
  const first = await rt.readHidden(`New password (at least ${MIN_NEW_PASSWORD} characters): `);
  if (first.length < MIN_NEW_PASSWORD) throw new CliError(`the new password must have at least ${MIN_NEW_PASSWORD} characters`);
  if (first === FACTORY_DEFAULT_PASSWORD) throw new CliError(`the new password must not be the factory default '${FACTORY_DEFAULT_PASSWORD}'`);
  const second = await rt.readHidden('New password again: ');
  if (first !== second) throw new CliError('the two new passwords differ; nothing was changed');
  return first;
}
