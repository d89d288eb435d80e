// Guest networks: a pool-wide network is a Linux bridge of the same name on every processing host,
// made on demand. The bridge carries no address: the host takes no part in guest traffic.
import { bridgeName, GUEST_AGENT_PATHS, type BridgeInfo } from '../../contract/guest-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import type { Route } from '../agent-routes.ts';
import { runCommand } from '../../process/run-command.ts';

interface IpLink {
  ifname: string;
  flags?: string[];
  linkinfo?: { info_kind?: string };
}

async function showLink(name: string): Promise<IpLink | undefined> {
  const r = await runCommand('ip', ['-j', '-d', 'link', 'show', 'dev', name]);
  if (!r.ok) return undefined;
  return (JSON.parse(r.stdout) as IpLink[])[0];
}

export async function ensureBridge(name: string): Promise<BridgeInfo> {
  let link = await showLink(name);
  const created = link === undefined;
  if (link === undefined) {
    const r = await runCommand('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
    if (!r.ok) throw new AgentError('bridgeFailed', `bridge '${name}' was not created: ${r.error}`);
  } else if (link.linkinfo?.info_kind !== 'bridge') {
    throw new AgentError(
      'notABridge',
      `bridge '${name}' refused: an interface of that name exists and is ${link.linkinfo?.info_kind ?? 'a plain device'}, not a bridge`,
    );
  }
  const up = await runCommand('ip', ['link', 'set', 'dev', name, 'up']);
  if (!up.ok) throw new AgentError('bridgeFailed', `bridge '${name}' cannot be brought up: ${up.error}`);
  link = await showLink(name);
  return { name, created, up: link?.flags?.includes('UP') === true };
}

export const BRIDGE_ROUTES: Route[] = [
  {
    method: 'PUT',
    path: GUEST_AGENT_PATHS.bridge,
    access: 'controller',
    exclusive: true,
    handle: async ({ params }, rt) => {
      const name = params['name'] ?? '';
      const r = bridgeName.safeParse(name);
      if (!r.success) throw new AgentError('invalidInput', `request refused: bridge name '${name}': ${r.error.issues[0]?.message ?? 'invalid'}`);
      const info = await ensureBridge(name);
      if (info.created) rt.log.info('bridge created', { bridge: name });
      return { status: 200, body: info };
    },
  },
];
