// Option parsers: a bad value is a usage error (exit 2) naming what was expected, before any request.
import { InvalidArgumentError } from 'commander';
import { isIpv4, parseCidr } from '../contract/shared-rules.ts';
import { hostName } from '../contract/common.ts';

export function ipv4Arg(value: string): string {
  if (!isIpv4(value)) throw new InvalidArgumentError(`'${value}' is not an IPv4 address (such as 198.18.0.11)`);
  return value;
}

export function cidrArg(value: string): string {
  if (parseCidr(value) === undefined) throw new InvalidArgumentError(`'${value}' is not an IPv4 CIDR (such as 198.18.0.0/24)`);
  return value;
}

export function portArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new InvalidArgumentError(`'${value}' is not a TCP port (1-65535)`);
  return n;
}

/** A port to listen on: 0 asks the system for a free one. */
export function listenPortArg(value: string): number {
  return value === '0' ? 0 : portArg(value);
}

export function positiveIntArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new InvalidArgumentError(`'${value}' is not a positive whole number`);
  return n;
}

export function hostNameArg(value: string): string {
  const parsed = hostName.safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError(`'${value}' is not a valid host name: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return value;
}

export function urlArg(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL (such as https://127.0.0.1:8443)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(`'${value}' must be an https:// URL`);
  }
  return value;
}
