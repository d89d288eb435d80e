// Reads `tgtadm --op show --mode target` output: targets, their LUNs, ACL and logged-in sessions.
// Pure text in, data out.

export interface TgtLun {
  lun: number;
  type: string;
  backingPath: string | null;
}

export interface TgtSession {
  nexus: number;
  initiator: string;
  addresses: string[];
}

export interface TgtTargetInfo {
  tid: number;
  iqn: string;
  luns: TgtLun[];
  acl: string[];
  /** CHAP users bound to the target (incoming accounts): an initiator must log in as one of them. */
  accounts: string[];
  sessions: TgtSession[];
}

type Section = 'none' | 'nexus' | 'lun' | 'account' | 'acl';

export function parseTgtShow(text: string): TgtTargetInfo[] {
  const targets: TgtTargetInfo[] = [];
  let t: TgtTargetInfo | undefined;
  let section: Section = 'none';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const target = /^Target (\d+): (\S+)$/.exec(raw);
    if (target) {
      t = { tid: Number(target[1]), iqn: target[2]!, luns: [], acl: [], accounts: [], sessions: [] };
      targets.push(t);
      section = 'none';
      continue;
    }
    if (!t || !line) continue;
    if (line === 'I_T nexus information:') section = 'nexus';
    else if (line === 'LUN information:') section = 'lun';
    else if (line === 'Account information:') section = 'account';
    else if (line === 'ACL information:') section = 'acl';
    else if (line === 'System information:') section = 'none';
    else if (section === 'nexus') parseNexusLine(t, line);
    else if (section === 'lun') parseLunLine(t, line);
    else if (section === 'acl') t.acl.push(line);
    else if (section === 'account') t.accounts.push(line);
  }
  return targets;
}

function parseNexusLine(t: TgtTargetInfo, line: string): void {
  const nexus = /^I_T nexus: (\d+)$/.exec(line);
  if (nexus) {
    t.sessions.push({ nexus: Number(nexus[1]), initiator: '', addresses: [] });
    return;
  }
  const s = t.sessions.at(-1);
  if (!s) return;
  const initiator = /^Initiator: (\S+)/.exec(line);
  if (initiator) s.initiator = initiator[1]!;
  const ip = /^IP Address: (\S+)$/.exec(line);
  if (ip) s.addresses.push(ip[1]!);
}

function parseLunLine(t: TgtTargetInfo, line: string): void {
  const lun = /^LUN: (\d+)$/.exec(line);
  if (lun) {
    t.luns.push({ lun: Number(lun[1]), type: '', backingPath: null });
    return;
  }
  const l = t.luns.at(-1);
  if (!l) return;
  const type = /^Type: (.+)$/.exec(line);
  if (type) l.type = type[1]!;
  const path = /^Backing store path: (.+)$/.exec(line);
  if (path) l.backingPath = path[1] === 'None' ? null : path[1]!;
}

export const IQN_PREFIX = 'iqn.2026-11.org.grappe';
const VOLUME_NAME = /^[a-z0-9][a-z0-9.-]{0,62}$/;

/** Volume names become part of an IQN, which allows only lower case, digits, '.', '-' and ':'. */
export const isValidVolumeName = (name: string): boolean => VOLUME_NAME.test(name);
export const volumeIqn = (volume: string): string => `${IQN_PREFIX}:${volume}`;

/** The lowest target id not in use (tgt ids start at 1). */
export function nextTid(targets: readonly TgtTargetInfo[]): number {
  const used = new Set(targets.map((t) => t.tid));
  let tid = 1;
  while (used.has(tid)) tid++;
  return tid;
}

/** "Portal: 127.0.0.1:3260,1" lines → ['127.0.0.1:3260']. */
export function parsePortals(text: string): string[] {
  return [...text.matchAll(/^Portal:\s*(\S+?)(?:,\d+)?$/gm)].map((m) => m[1]!);
}

/** The difference between an ACL and the wanted one. */
export function aclChanges(current: readonly string[], wanted: readonly string[]): { bind: string[]; unbind: string[] } {
  return { bind: wanted.filter((a) => !current.includes(a)), unbind: current.filter((a) => !wanted.includes(a)) };
}
