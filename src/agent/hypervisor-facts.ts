// What this host can run: QEMU version, whether KVM really works, LXC version, tgt presence.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Inventory } from '../contract/agent.contract.ts';
import { parseQemuVersion } from './inventory-parse.ts';
import { runCommand } from '../process/run-command.ts';
import { kvmWorks } from './drivers/accel-probe.ts';

const QEMU = 'qemu-system-x86_64';
// Whether KVM really works is decided by the QEMU driver's own trial (drivers/accel-probe.ts), with
// the very CPU arguments guests get, so the inventory and the VMs never disagree.
export const kvmUsable = kvmWorks;

async function onPath(binary: string): Promise<boolean> {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      await access(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const firstLine = (s: string): string | null => s.split('\n')[0]?.trim() || null;

export async function hypervisorFacts(): Promise<Inventory['hypervisor']> {
  const [qemu, lxc, kvm, tgtPresent] = await Promise.all([
    runCommand(QEMU, ['--version']),
    runCommand('lxc-start', ['--version']),
    kvmUsable(),
    onPath('tgtd'),
  ]);
  return {
    qemuVersion: qemu.ok ? (parseQemuVersion(qemu.stdout) ?? null) : null,
    kvmUsable: qemu.ok && kvm,
    lxcVersion: lxc.ok ? firstLine(lxc.stdout) : null,
    tgtPresent,
  };
}
