// The host's inventory as the controller sees it (the `inventory` schema of the protocol).
import { readFile, readdir } from 'node:fs/promises';
import * as os from 'node:os';
import { inventory, type Inventory, type NicInfo } from '../contract/agent.contract.ts';
import { AgentError } from './agent-error.ts';
import { hypervisorFacts } from './hypervisor-facts.ts';
import { parseIpAddrJson, parseOsRelease } from './inventory-parse.ts';
import { runCommand } from '../process/run-command.ts';
import { AGENT_VERSION } from './version.ts';

/** NICs as iproute2 reports them now. */
export async function listNics(): Promise<NicInfo[]> {
  const r = await runCommand('ip', ['-j', 'addr', 'show']);
  if (!r.ok) throw new AgentError('ipFailed', `could not list network interfaces: ${r.error}`);
  return parseIpAddrJson(r.stdout);
}

// Block devices from /sys/block; loop and ram devices are not disks.
async function listDisks(): Promise<Inventory['disks']> {
  let names: string[];
  try {
    names = await readdir('/sys/block');
  } catch {
    return [];
  }
  const disks: Inventory['disks'] = [];
  for (const name of names.filter((n) => !/^(loop|ram)\d*/.test(n)).sort()) {
    const sectors = Number((await readFile(`/sys/block/${name}/size`, 'utf8').catch(() => '0')).trim());
    disks.push({ name, sizeBytes: (Number.isFinite(sectors) ? sectors : 0) * 512 });
  }
  return disks;
}

async function osName(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return parseOsRelease(text) ?? os.type();
}

export async function collectInventory(): Promise<Inventory> {
  const [disks, nics, name, hypervisor] = await Promise.all([listDisks(), listNics(), osName(), hypervisorFacts()]);
  const cpus = os.cpus();
  return inventory.parse({
    hostname: os.hostname(),
    agentVersion: AGENT_VERSION,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length },
    memoryMiB: Math.floor(os.totalmem() / (1024 * 1024)),
    disks,
    nics,
    // os.machine() says 'x86_64' as uname -m does (os.arch() would say 'x64').
    os: { name, kernel: os.release(), arch: os.machine() },
    hypervisor,
    uptimeSeconds: Math.floor(os.uptime()),
  });
}
