// RFC 5424 syslog messages and the `host[:port]` address of a collector. Pure.
import type { LogLevel } from './logger.ts';

export const DEFAULT_SYSLOG_PORT = 514;
const FACILITY_DAEMON = 3;
const SEVERITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

export interface SyslogMessage {
  level: LogLevel;
  time: Date;
  hostname: string;
  appName: string;
  procId: number;
  msg: string;
}

// RFC 5424 header fields are printable US-ASCII without spaces; "-" is the nil value.
const headerField = (s: string, max: number): string => {
  const clean = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
};

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG` with facility daemon. */
export function formatRfc5424(m: SyslogMessage): string {
  const pri = FACILITY_DAEMON * 8 + SEVERITY[m.level];
  return `<${pri}>1 ${m.time.toISOString()} ${headerField(m.hostname, 255)} ${headerField(m.appName, 48)} ${m.procId} - - ${m.msg}`;
}

export interface SyslogAddress {
  host: string;
  port: number;
}

/** Parses `host[:port]` (default port 514); undefined when malformed. */
export function parseSyslogAddress(address: string): SyslogAddress | undefined {
  const m = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(address.trim());
  if (!m) return undefined;
  const port = m[2] === undefined ? DEFAULT_SYSLOG_PORT : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}
