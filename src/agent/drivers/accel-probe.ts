// Decides KVM or TCG by trying KVM once with the very CPU arguments VMs get. /dev/kvm may exist
// while KVM still fails: with `-cpu host` (nested virtualisation) QEMU aborts at once with
// "failed to set MSR 0x10a"; without it, such a KVM may even start and then hang the guest
// kernel, so probing without `-cpu host` would give a false yes.
import { spawn } from 'node:child_process';
import { KVM_CPU_ARGS, QEMU_BINARY } from './qemu-args.ts';

const TRIAL_MS = 1500;

export interface AccelProbeResult {
  kvm: boolean;
  /** QEMU's words when KVM was refused. */
  reason?: string;
}

function tryKvm(): Promise<AccelProbeResult> {
  return new Promise((resolve) => {
    let stderr = '';
    let settled = false;
    const done = (r: AccelProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      process.off('exit', killTrial);
      resolve(r);
    };
    // Unpaused, no disk: the firmware runs on a real vCPU, which is what fails on a broken KVM.
    const child = spawn(QEMU_BINARY, ['-accel', 'kvm', ...KVM_CPU_ARGS, '-machine', 'q35', '-nodefaults', '-no-user-config', '-display', 'none', '-m', '32'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const killTrial = (): void => void child.kill('SIGKILL');
    process.on('exit', killTrial);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) => done({ kvm: false, reason: e.message }));
    child.on('exit', () => done({ kvm: false, reason: stderr.trim().split('\n')[0] || 'QEMU exited at once' }));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ kvm: true });
    }, TRIAL_MS);
  });
}

let cached: Promise<AccelProbeResult> | undefined;
/** Tried once per process: the answer does not change while the agent runs. */
export const probeKvm = (): Promise<AccelProbeResult> => (cached ??= tryKvm());
export const kvmWorks = async (): Promise<boolean> => (await probeKvm()).kvm;
