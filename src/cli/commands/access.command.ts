// `grappe user|group|role|acl|token …`: who may do what. Rights are roles granted on paths
// (`grappe acl grant /guests/vm:100 user:dev GuestUser`); `grappe role list` says what each role holds.
import { Option, type Command } from 'commander';
import { grantView, groupView, roleView, tokenCreatedView, tokenView, userView } from '../../contract/access.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import { renderGrantList, renderGroupList, renderRoleList, renderTokenList, renderUserList } from '../output/access-views.ts';
import type { Runtime } from '../runtime.ts';
import { askPassword } from './login.command.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const enc = encodeURIComponent;

async function confirmOrYes(rt: Runtime, yes: boolean | undefined, question: string, what: string): Promise<void> {
  if (yes) return;
  if (!rt.interactive) throw usageError(`${what} needs confirmation: add --yes (there is no terminal to ask on)`);
  if (!(await rt.confirm(question))) throw new CliError(`cancelled: ${what} was not done`);
}

export function registerAccess(program: Command, rt: Runtime): void {
  const user = program.command('user').description('users: rights come from roles granted on paths (`grappe acl`)');
  withJson(
    user
      .command('add')
      .description('add a user')
      .argument('<name>')
      .option('--password <password>', 'the password (asked when omitted on a terminal)')
      .addOption(new Option('--role <role>', 'user: rights from grants; admin: every right on /').choices(['user', 'admin']).default('user'))
      .option('--groups <groups>', 'groups to join, comma-separated', list, []),
  ).action(async (name: string, opts: JsonFlag & { password?: string; role: string; groups: string[] }) => {
    const password = opts.password ?? (await askPassword(rt, name));
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/users', { username: name, password, role: opts.role, groups: opts.groups });
      const v = client.parse(userView, res.body, 'POST /users');
      if (opts.json) return printJson(rt, v);
      rt.stdout.write(`user '${v.username}' added (${v.role}); give it rights with: grappe acl grant <path> user:${v.username} <role>\n`);
    });
  });
  withJson(user.command('list').description('list the users')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/users');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderUserList(parseList(client, userView, res.body, 'users', 'GET /users')));
    });
  });
  withJson(user.command('show').description('show a user').argument('<name>')).action(async (name: string, opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', `/users/${enc(name)}`);
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderUserList([client.parse(userView, res.body, 'GET /users/:name')]));
    });
  });
  user
    .command('passwd')
    .description("change a password: your own (asks the current one), or another user's with User.Modify")
    .argument('<name>')
    .option('--password <password>', 'the new password (asked when omitted on a terminal)')
    .option('--current <password>', 'your current password (for your own)')
    .action(async (name: string, opts: { password?: string; current?: string }) => {
      const password = opts.password ?? (await askPassword(rt, `${name} (new)`));
      await withClient(rt, async (client) => {
        await client.request('POST', `/users/${enc(name)}/password`, { password, ...(opts.current ? { currentPassword: opts.current } : {}) });
        rt.stdout.write(`password of '${name}' changed\n`);
      });
    });
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(verb)
      .description(disabled ? 'disable a user: refused at login, their sessions end (never the last administrator)' : 'enable a user again')
      .argument('<name>')
      .action(async (name: string) => {
        await withClient(rt, async (client) => {
          await client.request('PATCH', `/users/${enc(name)}`, { disabled });
          rt.stdout.write(`user '${name}' ${disabled ? 'disabled' : 'enabled'}\n`);
        });
      });
  }
  user
    .command('delete')
    .description('delete a user with their sessions, API tokens, memberships and grants')
    .argument('<name>')
    .option('--yes', 'do not ask for confirmation')
    .action(async (name: string, opts: { yes?: boolean }) => {
      await confirmOrYes(rt, opts.yes, `Delete user '${name}', their API tokens and grants?`, `deleting user '${name}'`);
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/users/${enc(name)}`);
        rt.stdout.write(`user '${name}' deleted\n`);
      });
    });

  const group = program.command('group').description('groups of users (grant a role to group:<name>)');
  group
    .command('add')
    .argument('<name>')
    .option('--members <users>', 'comma-separated', list, [])
    .action(async (name: string, opts: { members: string[] }) => {
      await withClient(rt, async (client) => {
        await client.request('POST', '/groups', { name, members: opts.members });
        rt.stdout.write(`group '${name}' added\n`);
      });
    });
  withJson(group.command('list')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/groups');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderGroupList(parseList(client, groupView, res.body, 'groups', 'GET /groups')));
    });
  });
  group
    .command('members')
    .description("set a group's members")
    .argument('<name>')
    .argument('<users>', 'comma-separated (empty: none)')
    .action(async (name: string, users: string) => {
      await withClient(rt, async (client) => {
        await client.request('PUT', `/groups/${enc(name)}`, { members: list(users) });
        rt.stdout.write(`group '${name}': ${list(users).join(', ') || 'no members'}\n`);
      });
    });
  group
    .command('delete')
    .argument('<name>')
    .action(async (name: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/groups/${enc(name)}`);
        rt.stdout.write(`group '${name}' deleted\n`);
      });
    });

  const role = program.command('role').description('roles: sets of privileges (Administrator, Operator, Auditor, GuestUser, and custom ones)');
  withJson(role.command('list')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/roles');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderRoleList(parseList(client, roleView, res.body, 'roles', 'GET /roles')));
    });
  });
  role
    .command('add')
    .argument('<name>')
    .requiredOption('--privileges <privileges>', 'comma-separated, e.g. VM.Audit,VM.Console', list)
    .action(async (name: string, opts: { privileges: string[] }) => {
      await withClient(rt, async (client) => {
        await client.request('POST', '/roles', { name, privileges: opts.privileges });
        rt.stdout.write(`role '${name}' added\n`);
      });
    });
  role
    .command('delete')
    .argument('<name>')
    .action(async (name: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/roles/${enc(name)}`);
        rt.stdout.write(`role '${name}' deleted\n`);
      });
    });

  const acl = program
    .command('acl')
    .description('grants: a role to a user, group or token on a path (/, /hosts/NAME, /guests/ID, /storage, /cluster, /access)');
  withJson(acl.command('list')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/acl');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderGrantList(parseList(client, grantView, res.body, 'grants', 'GET /acl')));
    });
  });
  acl
    .command('grant')
    .argument('<path>', "e.g. '/', '/guests/vm:100'")
    .argument('<subject>', 'user:NAME, group:NAME or token:USER!NAME')
    .argument('<role>')
    .option('--no-propagate', 'on this path only, not below it')
    .action(async (path: string, subject: string, roleName: string, opts: { propagate: boolean }) => {
      await withClient(rt, async (client) => {
        await client.request('POST', '/acl', { path, subject, role: roleName, propagate: opts.propagate });
        rt.stdout.write(`granted ${roleName} to ${subject} on ${path}${opts.propagate ? ' and below' : ''}\n`);
      });
    });
  acl
    .command('revoke')
    .argument('<path>')
    .argument('<subject>')
    .argument('<role>')
    .action(async (path: string, subject: string, roleName: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/acl?${new URLSearchParams({ path, subject, role: roleName }).toString()}`);
        rt.stdout.write(`revoked ${roleName} from ${subject} on ${path}\n`);
      });
    });

  const token = program.command('token').description('API tokens: for scripts and monitoring; never more rights than their user');
  withJson(
    token
      .command('create')
      .argument('<name>')
      .option('--user <user>', 'whose token (default: you; another user needs User.Modify)')
      .option('--role <role>', 'a role the token holds on --path')
      .option('--path <path>', 'where the role holds', '/')
      .option('--expires <days>', 'valid this many days (default: until revoked)', (v) => positiveIntArg(v.replace(/d$/, '')))
      .option('--comment <text>', 'what it is for', ''),
  ).action(async (name: string, opts: JsonFlag & { user?: string; role?: string; path: string; expires?: number; comment: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/tokens', {
        name,
        path: opts.path,
        comment: opts.comment,
        ...(opts.user ? { user: opts.user } : {}),
        ...(opts.role ? { role: opts.role } : {}),
        ...(opts.expires ? { expiresDays: opts.expires } : {}),
      });
      const v = client.parse(tokenCreatedView, res.body, 'POST /tokens');
      if (opts.json) return printJson(rt, v);
      rt.stdout.write(
        `API token ${v.id} (shown once; ${v.expiresAt ? `valid until ${v.expiresAt}` : 'valid until revoked'}):\n  ${v.secret}\nuse it as: Authorization: Bearer ${v.secret.split('.')[0]}.…\n`,
      );
    });
  });
  withJson(token.command('list')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/tokens');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderTokenList(parseList(client, tokenView, res.body, 'tokens', 'GET /tokens')));
    });
  });
  token
    .command('revoke')
    .argument('<id>', 'USER!NAME')
    .action(async (id: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/tokens/${enc(id)}`);
        rt.stdout.write(`API token ${id} revoked: it stops working now\n`);
      });
    });
}
