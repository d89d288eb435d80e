// Runs a real agent as a child process for tests (and the testbed): from source through tsx, or
// from a built bundle, optionally inside a network namespace. Follows the agent across its own
// restarts (update) through the "agent listening" log lines, which carry the pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AGENT_MAIN = join(REPO_ROOT, 'src/agent/main.ts');

export interface AgentProcessOptions {
  dataDir?: string;
  port?: number;
  listen?: string;
  /** The built bundle to run; default: src/agent/main.ts through tsx. */
  bundle?: string;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1']. */
  prefix?: string[];
  extraArgs?: string[];
}

export interface LogLine {
  msg?: string;
  pid?: number;
  port?: number;
  version?: string;
  [k: string]: unknown;
}

export class AgentProcess {
  readonly dataDir: string;
  readonly lines: LogLine[] = [];
  readonly output: string[] = [];
  port = 0;
  pid = 0;
  version = '';
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  private constructor(child: ChildProcess, dataDir: string) {
    this.child = child;
    this.dataDir = dataDir;
    const onLine = (text: string): void => {
      this.output.push(text);
      try {
        const line = JSON.parse(text) as LogLine;
        this.lines.push(line);
        if (line.msg === 'agent listening') {
          this.pid = Number(line.pid);
          this.port = Number(line.port);
          this.version = String(line.version);
        }
      } catch {
        // not a log line (e.g. a stack trace on stderr)
      }
      for (const w of this.waiters.splice(0)) w();
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  static async start(opts: AgentProcessOptions = {}): Promise<AgentProcess> {
    const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'grappe-agent-test-')));
    const script = opts.bundle ? [opts.bundle] : ['--import', 'tsx', AGENT_MAIN];
    const args = [...script, '--data-dir', dataDir, '--port', String(opts.port ?? 0), '--listen', opts.listen ?? '127.0.0.1', ...(opts.extraArgs ?? [])];
    const [cmd, ...cmdArgs] = [...(opts.prefix ?? []), process.execPath, ...args];
    const child = spawn(cmd!, cmdArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const agent = new AgentProcess(child, dataDir);
    await agent.waitFor((l) => l.msg === 'agent listening', 20_000);
    return agent;
  }

  /** Resolves with the first log line (already seen or coming) matching `pred`. */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.lines.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`agent log line not seen within ${timeoutMs} ms; output:\n${this.output.join('\n')}`)), timeoutMs);
      if (check()) return;
      const arm = (): void => {
        if (!check()) this.waiters.push(arm);
      };
      this.waiters.push(arm);
    });
  }

  /** Stops the current agent process (which may be a replacement started by an update). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.pid || this.child.pid;
    if (!pid) return;
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
