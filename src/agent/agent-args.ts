// Command line of the agent: grappe-agent --data-dir DIR [--port 4433] [--listen 0.0.0.0] [--bundle-path FILE]
import { parseArgs } from 'node:util';
import { DEFAULT_AGENT_PORT } from '../contract/agent.contract.ts';

export interface AgentArgs {
  dataDir: string;
  port: number;
  listen: string;
  /** The file an update replaces; undefined = the running script. */
  bundlePath: string | undefined;
}

export const USAGE = 'usage: grappe-agent --data-dir DIR [--port 4433] [--listen 0.0.0.0] [--bundle-path FILE]';

/** Parses argv (without node and script); throws an Error with the usage on bad input. */
export function parseAgentArgs(argv: string[]): AgentArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string' },
      'bundle-path': { type: 'string' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error(`--data-dir is required\n${USAGE}`);
  const port = values.port === undefined ? DEFAULT_AGENT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, not '${values.port}'\n${USAGE}`);
  return { dataDir, port, listen: values.listen ?? '0.0.0.0', bundlePath: values['bundle-path'] };
}
