// Applies a NIC's addresses and link state with iproute2, then reports the NIC as re-read.
import type { NicConfigRequest, NicInfo } from '../contract/agent.contract.ts';
import { AgentError } from './agent-error.ts';
import { listNics } from './inventory.ts';
import { runCommand } from '../process/run-command.ts';

async function ip(args: string[]): Promise<void> {
  const r = await runCommand('ip', args);
  if (!r.ok) throw new AgentError('ipFailed', `ip ${args.join(' ')} failed: ${r.error}`);
}

async function findNic(name: string): Promise<NicInfo | undefined> {
  return (await listNics()).find((n) => n.name === name);
}

export async function configureNic(name: string, req: NicConfigRequest): Promise<NicInfo> {
  if (name === 'lo') {
    throw new AgentError('loopbackRefused', "the loopback interface 'lo' cannot be configured: it is not a network interface of the cluster");
  }
  if (!(await findNic(name))) {
    throw new AgentError('noSuchNic', `this host has no network interface '${name}'`);
  }
  await ip(['addr', 'flush', 'dev', name]);
  for (const a of req.addresses) await ip(['addr', 'add', `${a.address}/${a.prefixLength}`, 'dev', name]);
  await ip(['link', 'set', 'dev', name, req.up ? 'up' : 'down']);
  const now = await findNic(name);
  if (!now) throw new AgentError('nicVanished', `network interface '${name}' disappeared while being configured`);
  return now;
}
