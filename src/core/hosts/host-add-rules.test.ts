import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planHostAdd } from './host-add-rules.ts';

const SUBNETS = [
  { name: 'LAN', cidr: '198.18.0.0/24' },
  { name: 'SAN', cidr: '198.18.1.0/24' },
  { name: 'RAN', cidr: '198.18.2.0/24' },
];

test('planHostAdd: purpose-only fields, default password, syslog, LAN host address', () => {
  const opts = { factoryPassword: 'grappe', subnets: SUBNETS };
  const base = { purpose: 'processing' as const, address: '198.18.0.11', password: 's3cret-pass' };
  assert.deepEqual(planHostAdd(base, opts), {
    storageLocation: 'shared-iscsi',
    servicePool: 'mixed',
    syslog: { enabled: false, address: null },
  });
  assert.throws(() => planHostAdd({ ...base, purpose: 'storage', servicePool: 'x' }, opts), /only apply to processing hosts/);
  assert.throws(() => planHostAdd({ ...base, password: 'grappe' }, opts), {
    code: 'newPasswordRequired',
    message: 'the host still has the factory-default password; set a new one with newPassword',
  });
  assert.throws(() => planHostAdd({ ...base, syslog: { enabled: true } }, opts), /syslog.address/);
  assert.throws(() => planHostAdd({ ...base, syslog: { enabled: true, address: 'not a host!' } }, opts), /is not host\[:port\]/);
  assert.equal(planHostAdd({ ...base, syslog: { enabled: true, address: '198.18.0.5:514' } }, opts).syslog.address, '198.18.0.5:514');
  assert.throws(() => planHostAdd({ ...base, address: '198.18.0.255' }, opts), { code: 'ipOutsideSubnet' });
  assert.equal(planHostAdd({ ...base, purpose: 'backup', address: '127.0.0.5' }, opts).servicePool, null);
});
