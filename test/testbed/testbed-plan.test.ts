// The naming and addressing plan, and the safety of the commands built from it. Pure: runs anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, parseCidr, parseIpv4, type Cidr } from '../../src/core/net/ipv4.ts';
import { buildCommands, teardownCommands } from './network-commands.ts';
import { DEFAULT_SUBNETS, MAX_IFNAME, parseHostCounts, planTestbed, SLOT_COUNT, subnetsForSlot, TEST_RANGE, type TestbedHostSpec } from './testbed-plan.ts';

const demoHosts = parseHostCounts('storage:1,processing:2');
const range = parseCidr(TEST_RANGE) as Cidr;
const within = (cidr: string, ip: string) => cidrContains(parseCidr(cidr) as Cidr, parseIpv4(ip) as number);

describe('testbed plan', () => {
  it('parses host counts into named hosts', () => {
    assert.deepEqual(parseHostCounts('storage:1, processing:2,backup:1'), [
      { name: 'storage1', purpose: 'storage' },
      { name: 'processing1', purpose: 'processing' },
      { name: 'processing2', purpose: 'processing' },
      { name: 'backup1', purpose: 'backup' },
    ]);
    assert.throws(() => parseHostCounts('storage'), /expected purpose:count/);
    assert.throws(() => parseHostCounts('compute:2'), /expected purpose:count/);
    assert.throws(() => parseHostCounts(''), /names no host/);
  });

  it('plans the demo pool with the documented addresses and NICs', () => {
    const plan = planTestbed({ id: 'demo', hosts: demoHosts });
    assert.deepEqual(plan.subnets, { lan: '198.18.0.0/24', san: '198.18.1.0/24', ran: '198.18.2.0/24' });
    assert.equal(plan.controllerLanIp, '198.18.0.1');
    const [s, p1, p2] = plan.hosts;
    assert.deepEqual([s?.lanIp, s?.sanIp, s?.ranIp], ['198.18.0.11', '198.18.1.11', '198.18.2.11']);
    assert.deepEqual([p1?.lanIp, p1?.sanIp, p1?.ranIp], ['198.18.0.12', '198.18.1.12', null]);
    assert.equal(p2?.lanIp, '198.18.0.13');
    assert.deepEqual(s?.nics, { lan: 'eth0', san: 'eth1', ran: 'eth2' });
    assert.deepEqual(p1?.nics, { lan: 'eth0', san: 'eth1', ran: null });
    // Storage has LAN, SAN and RAN configured; processing hosts have SAN present but unaddressed.
    assert.deepEqual(
      s?.links.map((l) => l.configured),
      ['198.18.0.11/24', '198.18.1.11/24', '198.18.2.11/24'],
    );
    assert.deepEqual(
      p1?.links.map((l) => [l.ifname, l.configured]),
      [
        ['eth0', '198.18.0.12/24'],
        ['eth1', null],
      ],
    );
    assert.equal(s?.namespace, 'gtb-demo-storage1');
    assert.equal(plan.bridges.lan.name, 'gtb-demo-lan');
  });

  it('keeps every interface name within 15 chars, unique, and every name under the id prefix', () => {
    const hosts: TestbedHostSpec[] = Array.from({ length: 99 }, (_, i) => ({ name: `h${i}`, purpose: i % 3 === 0 ? 'storage' : 'processing' }));
    const plan = planTestbed({ id: 'abcdefg', hosts, subnets: { lan: '198.18.0.0/16', san: '198.19.0.0/17', ran: '198.19.128.0/17' } });
    const ifnames = [...Object.values(plan.bridges).map((b) => b.name), ...plan.hosts.flatMap((h) => h.links.map((l) => l.peer))];
    for (const n of ifnames) {
      assert.ok(n.length <= MAX_IFNAME, `${n} is longer than ${MAX_IFNAME}`);
      assert.ok(n.startsWith(plan.prefix));
    }
    assert.equal(new Set(ifnames).size, ifnames.length);
    const namespaces = plan.hosts.map((h) => h.namespace);
    assert.equal(new Set(namespaces).size, namespaces.length);
    const macs = plan.hosts.flatMap((h) => h.links.flatMap((l) => [l.mac, l.peerMac]));
    assert.equal(new Set(macs).size, macs.length);
    for (const m of macs) assert.match(m, /^02(:[0-9a-f]{2}){5}$/);
  });

  it('puts every address inside its subnet and the test range, unique per subnet', () => {
    for (const slot of [0, 1, 57, SLOT_COUNT - 1]) {
      const plan = planTestbed({ id: 'x', hosts: demoHosts, subnets: subnetsForSlot(slot) });
      for (const key of ['lan', 'san', 'ran'] as const) {
        const ips = plan.hosts.map((h) => (key === 'lan' ? h.lanIp : key === 'san' ? h.sanIp : h.ranIp)).filter((ip) => ip !== null);
        assert.equal(new Set(ips).size, ips.length);
        for (const ip of ips) {
          assert.ok(within(plan.subnets[key], ip), `${ip} outside ${plan.subnets[key]}`);
          assert.ok(cidrContains(range, parseIpv4(ip) as number));
        }
      }
      assert.ok(within(plan.subnets.lan, plan.controllerLanIp));
    }
  });

  it('gives different slots disjoint subnets, slot 0 being the defaults', () => {
    assert.deepEqual(subnetsForSlot(0), DEFAULT_SUBNETS);
    const all = Array.from({ length: SLOT_COUNT }, (_, i) => Object.values(subnetsForSlot(i))).flat();
    assert.equal(new Set(all).size, all.length);
    assert.equal(subnetsForSlot(SLOT_COUNT - 1).ran, '198.19.253.0/24');
    assert.throws(() => subnetsForSlot(SLOT_COUNT), /0 to 169/);
  });

  it('refuses bad ids, names, and subnets with a clear message', () => {
    const hosts = demoHosts;
    assert.throws(() => planTestbed({ id: 'toolong1', hosts }), /1 to 7 lowercase/);
    assert.throws(() => planTestbed({ id: 'Demo', hosts }), /testbed id 'Demo' refused/);
    assert.throws(() => planTestbed({ id: 'd', hosts: [] }), /1 to 99 hosts/);
    assert.throws(
      () =>
        planTestbed({
          id: 'd',
          hosts: [
            { name: 'a', purpose: 'storage' },
            { name: 'a', purpose: 'processing' },
          ],
        }),
      /used twice/,
    );
    assert.throws(() => planTestbed({ id: 'd', hosts: [{ name: 'A b', purpose: 'storage' }] }), /host name 'A b' refused/);
    const subnets = (lan: string) => ({ ...DEFAULT_SUBNETS, lan });
    assert.throws(() => planTestbed({ id: 'd', hosts, subnets: subnets('10.0.0.0/24') }), /only use 198.18.0.0\/15/);
    assert.throws(() => planTestbed({ id: 'd', hosts, subnets: subnets('198.18.0.5/24') }), /network address/);
    assert.throws(() => planTestbed({ id: 'd', hosts, subnets: subnets('198.18.1.0/24') }), /overlap/);
    assert.throws(() => planTestbed({ id: 'd', hosts, subnets: subnets('198.18.8.0/29') }), /too small/);
    assert.throws(() => planTestbed({ id: 'd', hosts, subnets: subnets('198.19.255.0/15') }), /network address/);
  });
});

describe('testbed network commands', () => {
  const plan = planTestbed({ id: 'demo', hosts: demoHosts });
  const cmds = buildCommands(plan);

  it('adds addresses only from the plan, in the test range, and the root namespace only the LAN .1', () => {
    const adds = cmds.filter((c) => c.includes('addr') && c.includes('add'));
    const planned = new Set(plan.hosts.flatMap((h) => h.links.map((l) => l.configured)).filter((a) => a !== null));
    for (const c of adds) {
      const addr = c[c.indexOf('add') + 1] as string;
      assert.ok(cidrContains(range, parseIpv4(addr.split('/')[0] as string) as number), `${addr} outside the test range`);
      if (c[1] === '-n') assert.ok(planned.has(addr), `${addr} not planned`);
      else assert.deepEqual(c, ['ip', 'addr', 'add', '198.18.0.1/24', 'dev', 'gtb-demo-lan']);
    }
    assert.equal(adds.filter((c) => c[1] !== '-n').length, 1);
    assert.equal(adds.length, 1 + 3 + 1 + 1); // root, storage LAN/SAN/RAN, two processing LANs
  });

  it('adds no route but the unreachable guard for the test range, no forwarding, no NAT, and no IPv6', () => {
    const text = cmds.map((c) => c.join(' '));
    assert.deepEqual(
      text.filter((t) => /\broute\b/.test(t)),
      ['ip route replace unreachable 198.18.0.0/15'],
    );
    assert.ok(!text.some((t) => /forwarding|ip_forward|iptables|nft|masquerade/.test(t)));
    const created = cmds.filter((c) => c[1] === 'link' && c[2] === 'add').map((c) => c[3] as string);
    for (const ifname of created) assert.ok(text.includes(`sysctl -q -w net.ipv6.conf.${ifname}.disable_ipv6=1`), `IPv6 left on ${ifname}`);
    for (const h of plan.hosts)
      assert.ok(text.includes(`ip netns exec ${h.namespace} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1`));
  });

  it('tears down only what carries the id prefix: namespaces, then veths, then bridges', () => {
    const cmds = teardownCommands(
      'gtb-demo-',
      ['gtb-demo-storage1', 'gtb-demo1-storage1', 'other'],
      ['lo', 'eth0', 'gtb-demo-lan', 'gtb-demo-1l', 'gtb-demo1-lan', 'gtb-demo-san'],
    );
    assert.deepEqual(cmds, [
      ['ip', 'netns', 'del', 'gtb-demo-storage1'],
      ['ip', 'link', 'del', 'gtb-demo-1l'],
      ['ip', 'link', 'del', 'gtb-demo-lan'],
      ['ip', 'link', 'del', 'gtb-demo-san'],
    ]);
  });
});
