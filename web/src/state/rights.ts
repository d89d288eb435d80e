// The caller's rights (GET /auth/me), held for the session as its token is: views and buttons ask
// them before offering anything, and a button the caller may not use is disabled with the reason
// (the privilege and the path it is missing on, as the API's 403 would say it). The controller
// checks every call anyway: this only spares the user a refusal.
import type { WhoAmI } from '../../../src/contract/auth.contract.ts';
import { checkRights, type Privilege } from '../../../src/contract/access.contract.ts';
import type { Verdict } from '../ui/action-verdict.ts';

let current: WhoAmI['rights'] | null = null;

export const rights = {
  set(r: WhoAmI['rights'] | null): void {
    current = r;
  },

  /** The logged-in user (a token's user when the session is a token). */
  user(): string | null {
    return current?.caller.user ?? null;
  },

  /** Whether the caller holds `privilege` on `path`; the refusal says what is missing, where. */
  may(privilege: Privilege, path: string): Verdict {
    if (!current) return { allowed: false, reason: 'your rights are not known yet' };
    const v = checkRights(current, privilege, path);
    return v.allowed ? { allowed: true } : { allowed: false, reason: `you may not: ${v.why}` };
  },

  /** On the path or anything under it (a list of which the caller sees a part, as GET /guests). */
  mayUnder(privilege: Privilege, path: string): boolean {
    if (!current) return false;
    const below = current.grants.map((g) => g.path).filter((p) => p.startsWith(`${path}/`));
    return [path, ...below].some((p) => this.may(privilege, p).allowed);
  },
};

/** The first refusal among the verdicts (a right first, then the state of things), or allowed. */
export function firstRefusal(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.allowed) ?? { allowed: true };
}

/** What the caller may read, as the API's route table asks it (controller/access/route-access.ts). */
export const canRead = {
  hosts: (): boolean => rights.may('Sys.Audit', '/hosts').allowed,
  /** Tasks, events (and their live stream), the audit log. */
  activity: (): boolean => rights.may('Sys.Audit', '/').allowed,
  guests: (): boolean => rights.mayUnder('VM.Audit', '/guests'),
  /** HA, the controllers, subnets. */
  cluster: (): boolean => rights.may('Sys.Audit', '/cluster').allowed,
  access: (): boolean => rights.may('Sys.Audit', '/access').allowed,
};
