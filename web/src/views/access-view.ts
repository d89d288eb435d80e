// The Access view: users, groups, roles, grants and API tokens. Everybody sees the roles and manages
// their own tokens; the rest shows with Sys.Audit on /access, and every change button is disabled,
// with the reason, without User.Modify on /access (the controller checks each call anyway).
import { accessApi, type GrantView, type RoleView, type TokenView, type UserView } from '../api/access-api.ts';
import { confirmDialog } from '../dialogs/dialog.ts';
import { openAddGroupDialog, openAddRoleDialog, openAddUserDialog, openGrantDialog, openNewTokenDialog } from '../dialogs/access-dialogs.ts';
import type { AccessData } from '../state/access-sync.ts';
import { rights } from '../state/rights.ts';
import type { Verdict } from '../ui/action-verdict.ts';
import { h } from '../ui/dom.ts';
import { formatDateTime } from '../ui/format.ts';
import { verdictButton } from '../ui/verdict-button.ts';

type Child = Parameters<typeof h>[2];

function table(testId: string, columns: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-scroll' },
    h('table', { 'data-testid': testId }, h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows)),
  );
}

function card(title: string, testId: string, tools: HTMLElement[], body: Child): HTMLElement {
  return h('section', { class: 'card', 'data-testid': testId }, h('header', { class: 'card-head' }, h('h3', {}, title), ...tools), body);
}

/** A change that asks first, then reloads. */
const confirmed = (title: string, question: string, run: () => Promise<unknown>, changed: () => void) => () =>
  confirmDialog(title, question, async () => {
    await run();
    changed();
  });

function usersCard(users: UserView[], manage: Verdict, changed: () => void): HTMLElement {
  const rows = users.map((u) =>
    h(
      'tr',
      { 'data-user': u.username },
      h('td', { class: 'name' }, u.username),
      h('td', {}, u.role),
      h('td', {}, u.groups.join(', ') || '—'),
      h('td', {}, u.disabled ? h('span', { class: 'badge off' }, 'disabled') : 'enabled'),
      h('td', {}, formatDateTime(u.createdAt)),
      h(
        'td',
        { class: 'row-actions' },
        verdictButton({
          action: u.disabled ? 'enable-user' : 'disable-user',
          label: u.disabled ? 'Enable' : 'Disable',
          cls: 'small',
          verdict: manage,
          onClick: confirmed(
            u.disabled ? 'Enable user' : 'Disable user',
            u.disabled ? `Enable user '${u.username}'?` : `Disable user '${u.username}'? Their sessions end at once.`,
            () => accessApi.editUser(u.username, { disabled: !u.disabled }),
            changed,
          ),
        }),
        verdictButton({
          action: 'delete-user',
          label: 'Delete',
          cls: 'small danger',
          verdict: manage,
          onClick: confirmed('Delete user', `Delete user '${u.username}' with their API tokens and grants?`, () => accessApi.deleteUser(u.username), changed),
        }),
      ),
    ),
  );
  const add = verdictButton({ action: 'add-user', label: '+ Add user', cls: 'primary small', verdict: manage, onClick: () => openAddUserDialog(changed) });
  return card('Users', 'users-card', [add], table('users-table', ['User', 'Type', 'Groups', 'State', 'Created', ''], rows, 'No users.'));
}

function groupsCard(groups: NonNullable<AccessData['groups']>, manage: Verdict, changed: () => void): HTMLElement {
  const rows = groups.map((g) =>
    h(
      'tr',
      { 'data-group': g.name },
      h('td', { class: 'name' }, g.name),
      h('td', {}, g.members.join(', ') || '—'),
      h(
        'td',
        { class: 'row-actions' },
        verdictButton({
          action: 'delete-group',
          label: 'Delete',
          cls: 'small danger',
          verdict: manage,
          onClick: confirmed('Delete group', `Delete group '${g.name}' and its grants?`, () => accessApi.deleteGroup(g.name), changed),
        }),
      ),
    ),
  );
  const add = verdictButton({ action: 'add-group', label: '+ Add group', cls: 'small', verdict: manage, onClick: () => openAddGroupDialog(changed) });
  return card('Groups', 'groups-card', [add], table('groups-table', ['Group', 'Members', ''], rows, 'No groups.'));
}

function rolesCard(roles: RoleView[], manage: Verdict, changed: () => void): HTMLElement {
  const rows = roles.map((r) =>
    h(
      'tr',
      { 'data-role': r.name },
      h('td', { class: 'name', title: r.what }, r.name),
      h('td', {}, r.builtIn ? 'built in' : 'custom'),
      h('td', { class: 'privilege-list' }, r.privileges.join(' ')),
      h(
        'td',
        { class: 'row-actions' },
        r.builtIn
          ? null
          : verdictButton({
              action: 'delete-role',
              label: 'Delete',
              cls: 'small danger',
              verdict: manage,
              onClick: confirmed('Delete role', `Delete role '${r.name}'?`, () => accessApi.deleteRole(r.name), changed),
            }),
      ),
    ),
  );
  const add = verdictButton({ action: 'add-role', label: '+ Add role', cls: 'small', verdict: manage, onClick: () => openAddRoleDialog(changed) });
  return card('Roles', 'roles-card', [add], table('roles-table', ['Role', 'Kind', 'Privileges', ''], rows, 'No roles.'));
}

function grantsCard(grants: GrantView[], roles: RoleView[], manage: Verdict, changed: () => void): HTMLElement {
  const rows = grants.map((g) =>
    h(
      'tr',
      { 'data-grant': `${g.path} ${g.subject} ${g.role}` },
      h('td', { class: 'mono' }, g.path),
      h('td', {}, g.subject),
      h('td', {}, g.role),
      h('td', {}, g.propagate ? 'yes' : 'no'),
      h(
        'td',
        { class: 'row-actions' },
        g.builtIn
          ? h('span', { class: 'muted', title: 'An administrator account: change its type to remove it' }, 'built in')
          : verdictButton({
              action: 'revoke-grant',
              label: 'Revoke',
              cls: 'small danger',
              verdict: manage,
              onClick: confirmed('Revoke grant', `Revoke ${g.role} from ${g.subject} on ${g.path}?`, () => accessApi.revoke(g), changed),
            }),
      ),
    ),
  );
  const add = verdictButton({ action: 'grant', label: '+ Grant', cls: 'small', verdict: manage, onClick: () => openGrantDialog(roles, changed) });
  return card('Grants', 'grants-card', [add], table('grants-table', ['Path', 'To', 'Role', 'Below too', ''], rows, 'No grants.'));
}

function tokensCard(tokens: TokenView[], roles: RoleView[], changed: () => void): HTMLElement {
  const rows = tokens.map((t) =>
    h(
      'tr',
      { 'data-token': t.id },
      h('td', { class: 'mono' }, t.id),
      h('td', {}, formatDateTime(t.createdAt)),
      h('td', {}, t.expiresAt ? formatDateTime(t.expiresAt) : 'never'),
      h('td', {}, t.comment || '—'),
      h(
        'td',
        { class: 'row-actions' },
        // One's own tokens are always one's to revoke; others' (listed with Sys.Audit) need User.Modify.
        verdictButton({
          action: 'revoke-token',
          label: 'Revoke',
          cls: 'small danger',
          verdict: t.user === rights.user() ? { allowed: true } : rights.may('User.Modify', '/access'),
          onClick: confirmed('Revoke token', `Revoke API token '${t.id}'? Whatever uses it stops at once.`, () => accessApi.revokeToken(t.id), changed),
        }),
      ),
    ),
  );
  const add = verdictButton({
    action: 'new-token',
    label: '+ New token',
    cls: 'small',
    verdict: { allowed: true },
    onClick: () => openNewTokenDialog(roles, changed),
  });
  return card('API tokens', 'tokens-card', [add], table('tokens-table', ['Token', 'Created', 'Expires', 'Comment', ''], rows, 'No API tokens.'));
}

export function accessPane(data: AccessData | null, error: string | null, changed: () => void): HTMLElement {
  if (!data) return h('p', { class: error ? 'dialog-error' : 'empty' }, error ?? 'Loading…');
  const manage = rights.may('User.Modify', '/access');
  return h(
    'div',
    { class: 'access', 'data-testid': 'access-view' },
    error ? h('p', { class: 'dialog-error' }, error) : null,
    data.users ? usersCard(data.users, manage, changed) : null,
    data.groups ? groupsCard(data.groups, manage, changed) : null,
    data.grants ? grantsCard(data.grants, data.roles, manage, changed) : null,
    rolesCard(data.roles, manage, changed),
    tokensCard(data.tokens, data.roles, changed),
  );
}
