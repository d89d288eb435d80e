// Applies the network plan with iproute2 and removes it again, from the id's prefix alone.
import { cidrContains, parseCidr, parseIpv4 } from '../../src/core/net/ipv4.ts';
import { buildCommands, isTestbedBridge, teardownCommands, UNGUARD_ROUTE } from './network-commands.ts';
import { killNamespaceSync } from './ns-process.ts';
import { mustRun, runSync, sleepSync } from './run-command.ts';
import { SUBNET_KEYS, TestbedError, type TestbedPlan } from './testbed-plan.ts';

export function listNamespaces(): string[] {
  const r = runSync(['ip', 'netns', 'list']);
  // Lines look like `name (id: 3)` or just `name`.
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

export function listLinks(): string[] {
  const r = runSync(['ip', '-j', 'link', 'show']);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

/**
 * Refuses when an interface of the root namespace that is not this testbed's already has an address in
 * one of its subnets (another testbed, or a real network): the routes would clash.
 */
export function checkSubnetsFree(plan: TestbedPlan): void {
  const r = runSync(['ip', '-j', '-4', 'addr', 'show']);
  const ifaces = JSON.parse(r.stdout || '[]') as { ifname: string; addr_info?: { local: string }[] }[];
  for (const key of SUBNET_KEYS) {
    const cidr = parseCidr(plan.subnets[key]);
    if (!cidr) continue;
    for (const iface of ifaces.filter((i) => !i.ifname.startsWith(plan.prefix))) {
      const clash = (iface.addr_info ?? []).find((a) => cidrContains(cidr, parseIpv4(a.local) ?? -1));
      if (clash) {
        throw new TestbedError(
          `testbed '${plan.id}' refused: its ${key.toUpperCase()} subnet ${plan.subnets[key]} is already used by ${iface.ifname} (${clash.local}); pick other subnets (subnetsForSlot)`,
        );
      }
    }
  }
}

export function buildNetwork(plan: TestbedPlan): void {
  for (const argv of buildCommands(plan)) mustRun(argv);
}

/**
 * Kills every process in the testbed's namespaces, then deletes namespaces, veths and bridges.
 * Parts already gone are fine; throws only if something of the testbed is still there afterwards.
 */
export function teardownNetwork(prefix: string): void {
  const namespaces = listNamespaces().filter((n) => n.startsWith(prefix));
  for (const ns of namespaces) killNamespaceSync(ns);
  for (const argv of teardownCommands(prefix, namespaces, listLinks())) runSync(argv);
  // A deleted namespace frees its veths asynchronously; wait until the kernel is done.
  let left: string[] = [];
  for (let i = 0; i < 100; i++) {
    left = [...listNamespaces(), ...listLinks()].filter((n) => n.startsWith(prefix));
    if (left.length === 0) {
      if (!listLinks().some(isTestbedBridge)) runSync(UNGUARD_ROUTE); // the last testbed is gone
      return;
    }
    for (const argv of teardownCommands(prefix, listNamespaces(), listLinks())) runSync(argv);
    sleepSync(30);
  }
  throw new TestbedError(`testbed clean-up incomplete: ${left.join(', ')} still exist`);
}

export function setLink(ifname: string, up: boolean): void {
  mustRun(['ip', 'link', 'set', ifname, up ? 'up' : 'down']);
}
