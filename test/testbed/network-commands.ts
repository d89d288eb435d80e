// The commands that build and tear down a testbed's network. Pure: a plan in, argv lists out, so the
// safety rules (isolated bridges, no routes, addresses only from the plan) can be unit-tested.
import { TEST_RANGE, type TestbedPlan } from './testbed-plan.ts';

export type Argv = readonly string[];

// Root-namespace guard: the whole test range is unreachable except through a testbed's LAN bridge
// (a more specific, connected route), so nothing aimed at 198.18.0.0/15 ever leaves by the default
// route onto the machine's real network. Added after the bridges (see dropGuardIfUnused).
export const GUARD_ROUTE: Argv = ['ip', 'route', 'replace', 'unreachable', TEST_RANGE];
export const UNGUARD_ROUTE: Argv = ['ip', 'route', 'del', 'unreachable', TEST_RANGE];
export const isTestbedBridge = (ifname: string): boolean => /^gtb-[a-z0-9]+-lan$/.test(ifname);

// IPv6 is off on everything we create: no link-local addresses, router solicitations or MLD reports,
// so the only addresses in a testbed are the planned 198.18.0.0/15 ones.
const noIpv6Root = (ifname: string): Argv => ['sysctl', '-q', '-w', `net.ipv6.conf.${ifname}.disable_ipv6=1`];

export function buildCommands(plan: TestbedPlan): Argv[] {
  const cmds: Argv[] = [];
  for (const bridge of Object.values(plan.bridges)) {
    // STP off: ports forward as soon as they are up, no 15 s listening phase.
    cmds.push(['ip', 'link', 'add', bridge.name, 'address', bridge.mac, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    cmds.push(noIpv6Root(bridge.name));
    cmds.push(['ip', 'link', 'set', bridge.name, 'up']);
  }
  cmds.push(GUARD_ROUTE);
  // The root namespace's only testbed address: .1 on the LAN bridge, so a controller here reaches agents.
  cmds.push(['ip', 'addr', 'add', `${plan.controllerLanIp}/${plan.lanPrefixLength}`, 'dev', plan.bridges.lan.name]);

  for (const host of plan.hosts) {
    const ns = host.namespace;
    cmds.push(['ip', 'netns', 'add', ns]);
    // Before any interface exists in the namespace, so they all inherit it.
    cmds.push(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    cmds.push(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    for (const nic of host.links) {
      cmds.push(['ip', 'link', 'add', nic.peer, 'address', nic.peerMac, 'type', 'veth', 'peer', 'name', nic.ifname, 'address', nic.mac, 'netns', ns]);
      cmds.push(noIpv6Root(nic.peer));
      cmds.push(['ip', 'link', 'set', nic.peer, 'master', plan.bridges[nic.subnet].name]);
      cmds.push(['ip', 'link', 'set', nic.peer, 'up']);
      if (nic.configured !== null) cmds.push(['ip', '-n', ns, 'addr', 'add', nic.configured, 'dev', nic.ifname]);
      cmds.push(['ip', '-n', ns, 'link', 'set', nic.ifname, 'up']);
    }
  }
  return cmds;
}

/**
 * What to delete, given the namespaces and links that exist now. Namespaces first (their processes
 * must already be gone), then root-side veths (deleting one end removes the pair), then bridges.
 */
export function teardownCommands(prefix: string, namespaces: readonly string[], links: readonly string[]): Argv[] {
  const ours = (names: readonly string[]) => names.filter((n) => n.startsWith(prefix));
  const ourLinks = ours(links);
  const isBridge = (n: string) => /-(lan|san|ran)$/.test(n);
  return [
    ...ours(namespaces).map((ns): Argv => ['ip', 'netns', 'del', ns]),
    ...ourLinks.filter((l) => !isBridge(l)).map((l): Argv => ['ip', 'link', 'del', l]),
    ...ourLinks.filter(isBridge).map((l): Argv => ['ip', 'link', 'del', l]),
  ];
}
