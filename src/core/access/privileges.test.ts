import assert from 'node:assert/strict';
import { test } from 'node:test';
import { administrators, BUILTIN_ROLES, checkPrivilege, isAccessPath, pathChain, privilegesOn, type Grant } from './privileges.ts';

const grants: Grant[] = [
  { path: '/', subject: 'user:root', role: 'Administrator', propagate: true },
  { path: '/', subject: 'group:ops', role: 'Operator', propagate: true },
  { path: '/guests/vm:100', subject: 'user:dev', role: 'GuestUser', propagate: true },
  { path: '/', subject: 'token:mon!prom', role: 'Auditor', propagate: true },
  { path: '/', subject: 'user:mon', role: 'Auditor', propagate: true },
  { path: '/guests', subject: 'token:dev!ci', role: 'Administrator', propagate: true },
  { path: '/hosts', subject: 'user:lead', role: 'Auditor', propagate: false },
];

test('paths: the chain up to the root; what a grant may name', () => {
  assert.deepEqual(pathChain('/guests/vm:100'), ['/guests/vm:100', '/guests', '/']);
  assert.deepEqual(pathChain('/'), ['/']);
  assert.equal(isAccessPath('/hosts/proc1'), true);
  assert.equal(isAccessPath('/guests/vm:100'), true);
  assert.equal(isAccessPath('/a/b/c'), false);
  assert.equal(isAccessPath('hosts'), false);
});

test('an Operator migrates but does not add hosts; a GuestUser uses only the guest granted', () => {
  const ops = { user: 'olga', groups: ['ops'] };
  assert.deepEqual(checkPrivilege(grants, BUILTIN_ROLES, ops, 'VM.Migrate', '/guests/vm:7'), { allowed: true });
  assert.deepEqual(checkPrivilege(grants, BUILTIN_ROLES, ops, 'Sys.Modify', '/hosts'), { allowed: false, why: "user 'olga' lacks Sys.Modify on /hosts" });
  const dev = { user: 'dev', groups: [] };
  assert.equal(checkPrivilege(grants, BUILTIN_ROLES, dev, 'VM.Console', '/guests/vm:100').allowed, true);
  assert.equal(checkPrivilege(grants, BUILTIN_ROLES, dev, 'VM.Console', '/guests/vm:101').allowed, false);
  assert.equal(checkPrivilege(grants, BUILTIN_ROLES, dev, 'VM.Allocate', '/guests/vm:100').allowed, false, 'GuestUser cannot delete it');
});

test('a token acts with its own grants, never beyond its user', () => {
  assert.equal(checkPrivilege(grants, BUILTIN_ROLES, { user: 'mon', groups: [], token: 'mon!prom' }, 'Sys.Audit', '/hosts/proc1').allowed, true);
  assert.equal(checkPrivilege(grants, BUILTIN_ROLES, { user: 'mon', groups: [], token: 'mon!prom' }, 'Sys.Modify', '/').allowed, false);
  const ci = checkPrivilege(grants, BUILTIN_ROLES, { user: 'dev', groups: [], token: 'dev!ci' }, 'VM.Allocate', '/guests/vm:100');
  assert.deepEqual(ci, { allowed: false, why: "token 'dev!ci' cannot exceed its user 'dev', who lacks VM.Allocate on /guests/vm:100" });
});

test('a grant without propagation holds on its path only', () => {
  const lead = new Set(['user:lead']);
  assert.ok(privilegesOn(grants, BUILTIN_ROLES, lead, '/hosts').has('Sys.Audit'));
  assert.equal(privilegesOn(grants, BUILTIN_ROLES, lead, '/hosts/proc1').size, 0);
});

test('administrators: enabled users holding every privilege on /, directly or through a group', () => {
  const users = [
    { username: 'root', disabled: false },
    { username: 'olga', disabled: false },
    { username: 'ann', disabled: false },
    { username: 'off', disabled: true },
  ];
  const g: Grant[] = [
    ...grants,
    { path: '/', subject: 'group:admins', role: 'Administrator', propagate: true },
    { path: '/', subject: 'user:off', role: 'Administrator', propagate: true },
  ];
  const groupsOf = (u: string) => (u === 'ann' ? ['admins'] : u === 'olga' ? ['ops'] : []);
  assert.deepEqual(administrators(users, g, BUILTIN_ROLES, groupsOf), ['root', 'ann']);
});
