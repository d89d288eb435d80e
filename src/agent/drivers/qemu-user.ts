// The unprivileged user QEMU becomes once set up (qemu-args.ts, -runas). install.sh and the
// grappe-agent package create it; where it is missing QEMU stays root, and the doctor says so.
import { dirname } from 'node:path';
import { runCommand } from '../../process/run-command.ts';

export const DEFAULT_QEMU_USER = 'grappe-qemu';

export async function userExists(name: string): Promise<boolean> {
  return (await runCommand('getent', ['passwd', name])).ok;
}

/** Asks `test` as that user: may it read (-r), write (-w) or enter (-x) `path`, each directory on the way searchable. */
async function userMay(user: string, test: '-r' | '-w' | '-x', path: string): Promise<boolean> {
  return (await runCommand('setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--', 'test', test, path])).ok;
}

async function userHas(user: string, access: 'r' | 'rw', path: string): Promise<boolean> {
  return (await userMay(user, '-r', path)) && (access === 'r' || (await userMay(user, '-w', path)));
}

/** The directories above `path`, outermost first ('/a/b/c.iso' → '/', '/a', '/a/b'). */
export function directoriesAbove(path: string): string[] {
  const dirs: string[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === dirname(d)) return dirs;
  }
}

/**
 * Lets `user` open `path` as libvirt lets its QEMU user open an image: an ACL on the file (read, or read
 * and write) and a search ACL on each directory above it the user cannot enter; owners and the other
 * users' rights stay as they are. Returns why it could not, if it could not.
 */
export async function grantAccess(user: string, path: string, access: 'r' | 'rw'): Promise<string | undefined> {
  if (await userHas(user, access, path)) return undefined;
  for (const dir of directoriesAbove(path)) {
    if (await userMay(user, '-x', dir)) continue;
    const r = await runCommand('setfacl', ['-m', `u:${user}:x`, dir]);
    if (!r.ok) return `cannot let it enter ${dir}: ${r.error}`;
  }
  const what = access === 'r' ? 'read' : 'read and write';
  const r = await runCommand('setfacl', ['-m', `u:${user}:${access}`, path]);
  if (!r.ok) return `cannot let it ${what} ${path}: ${r.error}`;
  return (await userHas(user, access, path)) ? undefined : `it still cannot ${what} ${path} after the ACLs were set`;
}

/**
 * The user to give QEMU: the one asked for (`root`: none), which must exist; by default grappe-qemu
 * when it exists (else none, with a warning for the log).
 */
export async function resolveQemuUser(asked: string | undefined): Promise<{ runAs: string | undefined; warning?: string }> {
  if (asked === 'root') return { runAs: undefined };
  const name = asked ?? DEFAULT_QEMU_USER;
  if (await userExists(name)) return { runAs: name };
  if (asked !== undefined) throw new Error(`--qemu-user ${asked}: no such user on this host`);
  return { runAs: undefined, warning: `no user ${DEFAULT_QEMU_USER} on this host: QEMU runs as root (install.sh or the grappe-agent package creates it)` };
}
