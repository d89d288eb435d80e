// The Access view's forms: add a user, a group, a custom role; grant a role on a path; create an API
// token (its secret is shown once, here, and never again). Each sends one request; the API's message
// shows in the dialog when it refuses.
import { accessApi, type RoleView, type TokenCreated } from '../api/access-api.ts';
import { PRIVILEGES, PRIVILEGE_NAMES } from '../../../src/contract/access.contract.ts';
import { h } from '../ui/dom.ts';
import { field, openDialog } from './dialog.ts';

/** 'a, b  c' → ['a', 'b', 'c'] */
const listOf = (text: string): string[] => text.split(/[\s,]+/).filter((x) => x !== '');

function simpleForm(title: string, testId: string, label: string, fields: HTMLElement[], send: () => Promise<unknown>, done: () => void): void {
  openDialog({
    title,
    body: h('div', { class: 'form' }, ...fields),
    testId,
    primary: {
      label,
      run: async () => {
        await send();
        done();
        return true;
      },
    },
  });
}

export function openAddUserDialog(done: () => void): void {
  const username = h('input', { name: 'username', required: true, autocomplete: 'off' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  const role = h('select', { name: 'role' }, h('option', { value: 'user', selected: true }, 'user'), h('option', { value: 'admin' }, 'admin'));
  const groups = h('input', { name: 'groups', placeholder: 'ops, dev (optional)' });
  simpleForm(
    'Add user',
    'add-user-dialog',
    'Add',
    [field('Username', username), field('Password', password), field('Account type', role), field('Groups', groups)],
    () =>
      accessApi.createUser({
        username: username.value.trim(),
        password: password.value,
        role: role.value as 'admin' | 'user',
        groups: listOf(groups.value),
      }),
    done,
  );
}

export function openAddGroupDialog(done: () => void): void {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const members = h('input', { name: 'members', placeholder: 'alice, bob (optional)' });
  simpleForm(
    'Add group',
    'add-group-dialog',
    'Add',
    [field('Name', name), field('Members', members)],
    () => accessApi.createGroup({ name: name.value.trim(), members: listOf(members.value) }),
    done,
  );
}

export function openAddRoleDialog(done: () => void): void {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const boxes = PRIVILEGE_NAMES.map((p) => h('input', { type: 'checkbox', name: 'privilege', value: p }));
  const list = h(
    'div',
    { class: 'privileges' },
    ...boxes.map((box, i) => h('label', { class: 'check', title: PRIVILEGES[PRIVILEGE_NAMES[i]!] }, box, ` ${PRIVILEGE_NAMES[i]}`)),
  );
  simpleForm(
    'Add role',
    'add-role-dialog',
    'Add',
    [field('Name', name), field('Privileges', list)],
    () => accessApi.createRole({ name: name.value.trim(), privileges: boxes.filter((b) => b.checked).map((b) => b.value) as typeof PRIVILEGE_NAMES }),
    done,
  );
}

export function openGrantDialog(roles: readonly RoleView[], done: () => void): void {
  const path = h('input', { name: 'path', required: true, value: '/', placeholder: "'/', '/hosts/proc1', '/guests/vm:100'" });
  const subject = h('input', { name: 'subject', required: true, placeholder: 'user:alice, group:ops or token:alice!ci' });
  const role = h('select', { name: 'role' }, ...roles.map((r) => h('option', { value: r.name, title: r.what }, r.name)));
  const propagate = h('input', { type: 'checkbox', name: 'propagate', checked: true });
  simpleForm(
    'Grant a role',
    'grant-dialog',
    'Grant',
    [field('Path', path), field('To', subject), field('Role', role), field('Also below the path', propagate)],
    () => accessApi.grant({ path: path.value.trim(), subject: subject.value.trim(), role: role.value, propagate: propagate.checked }),
    done,
  );
}

/** The secret, once: the dialog says it will not be shown again. */
function showSecret(token: TokenCreated): void {
  openDialog({
    title: `API token ${token.id}`,
    testId: 'token-secret-dialog',
    body: h(
      'div',
      {},
      h('p', {}, 'Copy the secret now: it is not stored in clear and will not be shown again.'),
      h('p', {}, 'Send it as ', h('code', {}, 'Authorization: Bearer <token>'), ', or set it in GRAPPE_TOKEN for the CLI.'),
      h('pre', { class: 'secret', 'data-testid': 'token-secret' }, token.secret),
    ),
    cancelLabel: 'Close',
    primary: {
      label: 'Copy',
      run: async () => {
        await navigator.clipboard?.writeText(token.secret).catch(() => undefined);
        return false;
      },
    },
  });
}

export function openNewTokenDialog(roles: readonly RoleView[], done: () => void): void {
  const name = h('input', { name: 'name', required: true, pattern: '[a-z][a-z0-9\\-]{0,31}', autocomplete: 'off', placeholder: 'ci' });
  const role = h('select', { name: 'role' }, h('option', { value: '' }, '(none: grant it later)'), ...roles.map((r) => h('option', { value: r.name }, r.name)));
  const path = h('input', { name: 'path', value: '/' });
  const days = h('input', { name: 'expiresDays', type: 'number', min: 1, max: 3650, placeholder: 'never' });
  const comment = h('input', { name: 'comment', maxlength: 200 });
  openDialog({
    title: 'New API token',
    testId: 'new-token-dialog',
    body: h(
      'div',
      { class: 'form' },
      h('p', { class: 'hint' }, 'A token acts with its own grants, never beyond its user’s.'),
      field('Name', name),
      field('Role', role),
      field('On path', path),
      field('Expires in (days)', days),
      field('Comment', comment),
    ),
    primary: {
      label: 'Create',
      run: async () => {
        const made = await accessApi.createToken({
          name: name.value.trim(),
          ...(role.value ? { role: role.value, path: path.value.trim() } : {}),
          ...(days.value ? { expiresDays: Number(days.value) } : {}),
          comment: comment.value.trim(),
        });
        done();
        showSecret(made);
        return true;
      },
    },
  });
}
