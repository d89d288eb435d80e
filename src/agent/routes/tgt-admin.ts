// What the target routes need from tgtd beyond TgtTargets: a second portal on a running tgtd, and
// changing a live target's ACL in place (the guests logged in keep their sessions).
import { AgentError } from '../agent-error.ts';
import type { TgtTargetInfo } from '../drivers/tgt-show-parse.ts';
import { runCommand } from '../../process/run-command.ts';

const tgtadm = (controlPort: number, args: string[]): ReturnType<typeof runCommand> =>
  runCommand('tgtadm', ['-C', String(controlPort), '--lld', 'iscsi', ...args]);

/** "Portal: 127.0.0.1:3260,1" lines → ['127.0.0.1:3260']. Pure. */
export function parsePortals(text: string): string[] {
  return [...text.matchAll(/^Portal:\s*(\S+?)(?:,\d+)?$/gm)].map((m) => m[1]!);
}

/** tgtd listens only where it was told; a target asked for on another address adds that portal. */
export async function ensurePortal(controlPort: number, portal: string): Promise<void> {
  const shown = await tgtadm(controlPort, ['--op', 'show', '--mode', 'portal']);
  if (shown.ok && parsePortals(shown.stdout).includes(portal)) return;
  const r = await tgtadm(controlPort, ['--op', 'new', '--mode', 'portal', '--param', `portal=${portal}`]);
  if (!r.ok) throw new AgentError('tgtFailed', `the iSCSI target daemon cannot listen on ${portal}: ${r.error}`);
}

/** The difference between an ACL and the wanted one. Pure. */
export function aclChanges(current: readonly string[], wanted: readonly string[]): { bind: string[]; unbind: string[] } {
  return { bind: wanted.filter((a) => !current.includes(a)), unbind: current.filter((a) => !wanted.includes(a)) };
}

export async function setAcl(controlPort: number, target: TgtTargetInfo, wanted: readonly string[]): Promise<void> {
  const { bind, unbind } = aclChanges(target.acl, wanted);
  // Bind first: never a moment with an empty ACL on a target in use.
  for (const [op, addrs] of [
    ['bind', bind],
    ['unbind', unbind],
  ] as const) {
    for (const a of addrs) {
      const r = await tgtadm(controlPort, ['--op', op, '--mode', 'target', '--tid', String(target.tid), '-I', a]);
      if (!r.ok) throw new AgentError('tgtFailed', `${op} of initiator ${a} on ${target.iqn} failed: ${r.error}`);
    }
  }
}
