// Test agents run exactly as bounded as a packaged one: the capability bounding set declared by the
// agent's systemd unit, applied with setpriv before the agent starts (what it starts inherits it).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AGENT_UNIT = fileURLToPath(new URL('../../packaging/grappe-agent.service', import.meta.url));

/** The unit's CapabilityBoundingSet in setpriv's words: '-all,+net_admin,+sys_admin,…'. */
export function boundingSetOf(unitText: string): string {
  const line = unitText.split('\n').find((l) => l.startsWith('CapabilityBoundingSet='));
  if (!line) throw new Error('the agent unit declares no CapabilityBoundingSet');
  const caps = line.slice('CapabilityBoundingSet='.length).trim().split(/\s+/);
  return ['-all', ...caps.map((c) => `+${c.toLowerCase().replace(/^cap_/, '')}`)].join(',');
}

export function withAgentBoundingSet(cmd: { command: string; args: string[] }): { command: string; args: string[] } {
  return { command: 'setpriv', args: ['--bounding-set', boundingSetOf(readFileSync(AGENT_UNIT, 'utf8')), '--', cmd.command, ...cmd.args] };
}
