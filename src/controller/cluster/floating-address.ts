// The floating management address (VIP): the leader adds it to its interface and announces it with
// gratuitous ARP (so the LAN's neighbours switch to the new leader's MAC at once); a controller that
// stops leading removes it. The CLI, the web UI and the agents use this one address and keep working
// across a leader change. A leader that cannot add it says so in the log and keeps leading: the
// address is a convenience, the leadership is in etcd.
import { runCommand } from '../../process/run-command.ts';

export interface FloatingAddress {
  readonly address: string; // 198.18.0.100/24
  readonly interface: string; // eth0
}

const ipOf = (cidr: string): string => cidr.split('/')[0] ?? cidr;

export async function claimFloatingAddress(vip: FloatingAddress): Promise<{ ok: boolean; why?: string }> {
  const add = await runCommand('ip', ['addr', 'replace', vip.address, 'dev', vip.interface]);
  if (!add.ok) return { ok: false, why: `ip addr replace ${vip.address} dev ${vip.interface}: ${add.error ?? 'failed'}` };
  const arp = await announceFloatingAddress(vip);
  return arp.ok ? { ok: true } : { ok: true, why: `gratuitous ARP not sent (${arp.why})` };
}

/**
 * One unsolicited ARP for the address. The leader repeats it every few seconds while it leads (as
 * keepalived's garp refresh): a former leader that is paused, not dead, still has the address on its
 * interface and its kernel may answer for it; the repeats keep the neighbours on the leader.
 */
export async function announceFloatingAddress(vip: FloatingAddress): Promise<{ ok: boolean; why?: string }> {
  const arp = await runCommand('arping', ['-U', '-c', '1', '-w', '1', '-I', vip.interface, ipOf(vip.address)], 3000);
  // arping exits 1 when no reply came, which is normal for an unsolicited ARP.
  return arp.ok || arp.code === 1 ? { ok: true } : { ok: false, why: arp.error ?? 'arping failed' };
}

export async function releaseFloatingAddress(vip: FloatingAddress): Promise<void> {
  await runCommand('ip', ['addr', 'del', vip.address, 'dev', vip.interface]);
}
