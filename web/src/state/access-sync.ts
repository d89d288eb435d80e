// Loads the Access view's data (users, groups, roles, grants, tokens) and the Audit view's entries
// when their view shows, after each change made there, and (the audit log) as events arrive.
import { accessApi, type GrantView, type GroupView, type RoleView, type TokenView, type UserView } from '../api/access-api.ts';
import { ApiError } from '../api/api-client.ts';
import { canRead } from './rights.ts';
import type { AppState, Store } from './store.ts';
import { coalesced, messageOf, same } from './sync.ts';

export interface AccessData {
  /** null: the caller may not read them (Sys.Audit on /access); roles and their own tokens, anyone may. */
  users: UserView[] | null;
  groups: GroupView[] | null;
  grants: GrantView[] | null;
  roles: RoleView[];
  tokens: TokenView[];
}

export class AccessSync {
  readonly refreshAccess = coalesced(() => this.loadAccess());
  readonly refreshAudit = coalesced(() => this.loadAudit());
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly store: Store) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((s, changed) => this.onChange(s, changed));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private onChange(s: AppState, changed: ReadonlySet<keyof AppState>): void {
    if (changed.has('view') && s.view === 'access') this.refreshAccess();
    if ((changed.has('view') || changed.has('auditFilter') || changed.has('events')) && s.view === 'audit') this.refreshAudit();
  }

  async loadAccess(): Promise<void> {
    const readable = canRead.access();
    const all = <T>(load: () => Promise<T>): Promise<T | null> => (readable ? load() : Promise.resolve(null));
    try {
      const [users, groups, grants, roles, tokens] = await Promise.all([
        all(accessApi.users),
        all(accessApi.groups),
        all(accessApi.grants),
        accessApi.roles(),
        accessApi.tokens(),
      ]);
      const access: AccessData = { users, groups, grants, roles, tokens };
      if (!same(access, this.store.state.access)) this.store.set({ access });
      if (this.store.state.accessError !== null) this.store.set({ accessError: null });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) this.store.set({ accessError: messageOf(err) });
    }
  }

  async loadAudit(): Promise<void> {
    if (!canRead.activity()) return;
    try {
      const audit = await accessApi.audit(this.store.state.auditFilter);
      if (!same(audit, this.store.state.audit)) this.store.set({ audit });
      if (this.store.state.auditError !== null) this.store.set({ auditError: null });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) this.store.set({ auditError: messageOf(err) });
    }
  }
}
