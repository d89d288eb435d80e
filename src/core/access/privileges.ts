// Who may do what, where: privileges on paths, granted through roles (as Proxmox VE does it). Pure:
// the grants and the groups come in, the verdict (with the missing privilege named) goes out.

/** Each privilege and what it lets one do. */
export const PRIVILEGES = {
  'Sys.Audit': 'read the cluster: hosts, subnets, tasks, events, the audit log, metrics, doctor, controllers',
  'Sys.Modify': 'change the cluster: add, enable, maintain, remove and edit hosts; subnets, scheduler, HA, notifications, controllers',
  'Datastore.Audit': 'read storage: pools, volumes, images, guest networks',
  'Datastore.Allocate': 'create, resize and delete volumes, images and guest networks',
  'VM.Audit': 'read a guest',
  'VM.PowerMgmt': 'start, stop, reboot a guest',
  'VM.Console': "open a guest's console",
  'VM.Migrate': 'migrate a guest, evacuate a host',
  'VM.Allocate': 'create and delete guests',
  'VM.Config': "change a guest's CD and HA plan",
  'User.Modify': 'manage users, groups, roles, grants and API tokens',
} as const;
export type Privilege = keyof typeof PRIVILEGES;
export const PRIVILEGE_NAMES = Object.keys(PRIVILEGES) as Privilege[];

export const BUILTIN_ROLES: Readonly<Record<string, { readonly what: string; readonly privileges: readonly Privilege[] }>> = {
  Administrator: { what: 'everything', privileges: PRIVILEGE_NAMES },
  Operator: {
    what: "runs the guests: their lifecycle, consoles, migrations and evacuations; reads everything; never changes the cluster's hosts or users",
    privileges: ['Sys.Audit', 'Datastore.Audit', 'VM.Audit', 'VM.PowerMgmt', 'VM.Console', 'VM.Migrate', 'VM.Allocate', 'VM.Config'],
  },
  Auditor: { what: 'reads everything, changes nothing', privileges: ['Sys.Audit', 'Datastore.Audit', 'VM.Audit'] },
  GuestUser: {
    what: 'uses the guests granted to them: sees them, starts and stops them, opens their console',
    privileges: ['VM.Audit', 'VM.PowerMgmt', 'VM.Console'],
  },
};

/** A role given to a user, a group or a token on a path ('/', '/hosts/proc1', '/guests/vm:100', '/pools/x'). */
export interface Grant {
  readonly path: string;
  readonly subject: string; // 'user:alice', 'group:ops', 'token:alice!ci'
  readonly role: string;
  /** Also on everything under the path (default). */
  readonly propagate: boolean;
}

export type Roles = Readonly<Record<string, { readonly privileges: readonly Privilege[] }>>;

const PATH = /^\/([a-z][a-z-]*(\/[^/\s]+)?)?$/;

/** A path as grants and routes name it: '/' or '/<area>' or '/<area>/<name>'. */
export const isAccessPath = (path: string): boolean => PATH.test(path);

/** The path and its parents, nearest first: '/guests/vm:100' → ['/guests/vm:100', '/guests', '/']. */
export function pathChain(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(`/${parts.slice(0, i).join('/')}`);
  out.push('/');
  return out;
}

/** The privileges `subjects` (a user and their groups, or a token) hold on `path`. */
export function privilegesOn(grants: readonly Grant[], roles: Roles, subjects: ReadonlySet<string>, path: string): Set<Privilege> {
  const chain = pathChain(path);
  const out = new Set<Privilege>();
  for (const g of grants) {
    if (!subjects.has(g.subject)) continue;
    const at = chain.indexOf(g.path);
    if (at < 0 || (at > 0 && !g.propagate)) continue;
    for (const p of roles[g.role]?.privileges ?? []) out.add(p);
  }
  return out;
}

export interface Caller {
  readonly user: string;
  readonly groups: readonly string[];
  /** An API token acts with its own grants, never beyond its user's. */
  readonly token?: string | undefined;
}

export type Verdict = { readonly allowed: true } | { readonly allowed: false; readonly why: string };

/** Whether the caller holds `privilege` on `path`; the refusal names what is missing and where. */
export function checkPrivilege(grants: readonly Grant[], roles: Roles, caller: Caller, privilege: Privilege, path: string): Verdict {
  const userSubjects = new Set([`user:${caller.user}`, ...caller.groups.map((g) => `group:${g}`)]);
  const userHas = privilegesOn(grants, roles, userSubjects, path).has(privilege);
  if (caller.token === undefined) {
    return userHas ? { allowed: true } : { allowed: false, why: `user '${caller.user}' lacks ${privilege} on ${path}` };
  }
  const tokenHas = privilegesOn(grants, roles, new Set([`token:${caller.token}`]), path).has(privilege);
  if (tokenHas && userHas) return { allowed: true };
  return {
    allowed: false,
    why: tokenHas
      ? `token '${caller.token}' cannot exceed its user '${caller.user}', who lacks ${privilege} on ${path}`
      : `token '${caller.token}' lacks ${privilege} on ${path}`,
  };
}

/** A caller's own grants and their roles' privileges: enough to check anything for that caller (GET /auth/me
 * gives them to clients, which hide or disable what the caller may not do). */
export interface CallerRights {
  readonly caller: Caller;
  readonly grants: readonly Grant[];
  readonly roles: Roles;
}

export const checkRights = (rights: CallerRights, privilege: Privilege, path: string): Verdict =>
  checkPrivilege(rights.grants, rights.roles, rights.caller, privilege, path);

/** The enabled users who hold every privilege on '/' (who could give back any right): never none. */
export function administrators(
  users: ReadonlyArray<{ readonly username: string; readonly disabled: boolean }>,
  grants: readonly Grant[],
  roles: Roles,
  groupsOf: (user: string) => readonly string[],
): string[] {
  return users
    .filter((u) => !u.disabled)
    .filter((u) => {
      const held = privilegesOn(grants, roles, new Set([`user:${u.username}`, ...groupsOf(u.username).map((g) => `group:${g}`)]), '/');
      return PRIVILEGE_NAMES.every((p) => held.has(p));
    })
    .map((u) => u.username);
}
