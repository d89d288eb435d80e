// Runs a host's external fence agent (a command such as fence_ipmilan … -o off), without a shell,
// bounded by its timeout. Exit status 0 is the confirmation that the host is powered off.
import { spawn } from 'node:child_process';
import type { FenceAgentConfig } from '../../contract/ha.contract.ts';

export interface FenceAgentResult {
  readonly confirmed: boolean;
  /** What to say in the event: exit status, timeout, or why it could not run; with its last output. */
  readonly detail: string;
}

const OUTPUT_KEEP = 400;

export function runFenceAgent(agent: FenceAgentConfig): Promise<FenceAgentResult> {
  const [program, ...args] = agent.command;
  return new Promise((resolve) => {
    let output = '';
    let done = false;
    const finish = (r: FenceAgentResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(program as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ confirmed: false, detail: `timed out after ${agent.timeoutMs} ms` });
    }, agent.timeoutMs);
    child.on('error', (err) => finish({ confirmed: false, detail: `could not run '${program}': ${err.message}` }));
    child.on('close', (code, signal) => {
      const said = output.trim() === '' ? '' : `: ${output.trim()}`;
      finish(
        code === 0
          ? { confirmed: true, detail: `exit status 0${said}` }
          : { confirmed: false, detail: `${signal !== null ? `killed by ${signal}` : `exit status ${code}`}${said}` },
      );
    });
  });
}
