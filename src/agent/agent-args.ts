// Command line of the agent: grappe-agent --data-dir DIR [--port 4433] [--listen 0.0.0.0] [--bundle-path FILE] [--tgt-control-port N] [--qemu-user NAME]
import { parseArgs } from 'node:util';
import { DEFAULT_AGENT_PORT } from '../contract/agent.contract.ts';

export interface AgentArgs {
  dataDir: string;
  port: number;
  listen: string;
  /** The file an update replaces; undefined = the running script. */
  bundlePath: string | undefined;
  /** tgtd's management channel for this agent; absent = derived from the data dir. */
  tgtControlPort?: number;
  /** The user QEMU drops to (`root`: it does not); absent = grappe-qemu if it exists. */
  qemuUser?: string;
}

export const USAGE =
  'usage: grappe-agent --data-dir DIR [--port 4433] [--listen 0.0.0.0] [--bundle-path FILE] [--tgt-control-port 1..32767] [--qemu-user NAME|root]';

/** Parses argv (without node and script); throws an Error with the usage on bad input. */
export function parseAgentArgs(argv: string[]): AgentArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string' },
      'bundle-path': { type: 'string' },
      'tgt-control-port': { type: 'string' },
      'qemu-user': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error(`--data-dir is required\n${USAGE}`);
  const port = values.port === undefined ? DEFAULT_AGENT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not '${values.port}'\n${USAGE}`);
  const tgt = values['tgt-control-port'];
  const tgtControlPort = tgt === undefined ? undefined : Number(tgt);
  if (tgtControlPort !== undefined && (!Number.isInteger(tgtControlPort) || tgtControlPort < 1 || tgtControlPort > 32767)) {
    throw new Error(`--tgt-control-port must be 1..32767, not '${tgt}'\n${USAGE}`);
  }
  const qemuUser = values['qemu-user'];
  if (qemuUser !== undefined && !/^[a-z_][a-z0-9_-]{0,31}$/.test(qemuUser)) throw new Error(`--qemu-user must be a user name, not '${qemuUser}'\n${USAGE}`);
  return {
    dataDir,
    port,
    listen: values.listen ?? '0.0.0.0',
    bundlePath: values['bundle-path'],
    ...(tgtControlPort === undefined ? {} : { tgtControlPort }),
    ...(qemuUser === undefined ? {} : { qemuUser }),
  };
}

/** `grappe-agent --watchdog DIR`: the agent's HA watchdog process; DIR, or undefined for a normal start. */
export function watchdogDirArg(argv: string[]): string | undefined {
  return argv[0] === '--watchdog' && argv.length === 2 && argv[1] ? argv[1] : undefined;
}

/** `grappe-agent --doctor [DIR…]`: print this machine's doctor checks (disk of each DIR) as JSON and exit. */
export function doctorDirsArg(argv: string[]): string[] | undefined {
  return argv[0] === '--doctor' ? argv.slice(1) : undefined;
}
