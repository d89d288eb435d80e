// What this host can run: QEMU version, whether KVM really works, LXC version, tgt presence.
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Inventory } from '../contract/agent.contract.ts';
import { parseQemuVersion } from './inventory-parse.ts';
import { runCommand } from './run-command.ts';

const QEMU = 'qemu-system-x86_64';
const KVM_TRIAL_MS = 2000;

// /dev/kvm may exist while KVM still fails ("failed to set MSR"), so decide by trying: a QEMU
// started paused with KVM that is still alive after a moment means KVM works. It must try the CPU
// model guests get under KVM (`-cpu host`): some hosts accept KVM with the default model and abort
// with `-cpu host` (seen on our test machines).
function tryKvm(): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: boolean): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        process.off('exit', killTrial);
        resolve(v);
      }
    };
    const child = spawn(QEMU, ['-accel', 'kvm', '-cpu', 'host', '-S', '-nodefaults', '-display', 'none', '-machine', 'q35'], { stdio: 'ignore' });
    // A paused QEMU must not outlive an agent that exits during the trial.
    const killTrial = (): void => void child.kill('SIGKILL');
    process.on('exit', killTrial);
    child.on('error', () => done(false));
    child.on('exit', () => done(false));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(true);
    }, KVM_TRIAL_MS);
  });
}

let kvmAnswer: Promise<boolean> | undefined;
/** Tried once per process: the answer does not change while the agent runs. */
export const kvmUsable = (): Promise<boolean> => (kvmAnswer ??= tryKvm());

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
    qemuVersion: qemu.ok ? parseQemuVersion(qemu.stdout) ?? null : null,
    kvmUsable: qemu.ok && kvm,
    lxcVersion: lxc.ok ? firstLine(lxc.stdout) : null,
    tgtPresent,
  };
}
