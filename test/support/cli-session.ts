// Runs the `grappe` command as users do — one child process per command — with its own config file
// and data dir, and long-running children (controller, agents) that are killed when the session ends.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliMain = join(repoRoot, 'src', 'cli', 'main.ts');
export const agentMain = join(repoRoot, 'src', 'agent', 'main.ts');

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliSession {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs `grappe ARGS…` to completion. */
  grappe(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Runs `grappe ARGS…` and parses its --json output, failing with its stderr when it did not succeed. */
  json<T = unknown>(args: string[]): Promise<T>;
  /** Starts `node --import tsx ARGS…` and resolves with the first match of `pattern` in its stdout. */
  startChild(args: string[], pattern: RegExp, timeoutMs?: number): Promise<{ child: ChildProcess; match: RegExpMatchArray }>;
  /** Kills every child still running and removes the session's directory. */
  close(): void;
}

export function createCliSession(prefix: string): CliSession {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { ...process.env, GRAPPE_CONFIG: join(dir, 'config', 'cli.json'), GRAPPE_DATA_DIR: join(dir, 'data'), NO_COLOR: '1' };
  delete env['GRAPPE_URL'];
  delete env['GRAPPE_TOKEN'];
  const children: ChildProcess[] = [];

  const grappe = (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: repoRoot, env: { ...env, ...extraEnv }, timeout: 90_000 }, (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, out, err });
      });
    });

  const json = async <T>(args: string[]): Promise<T> => {
    const r = await grappe([...args, '--json']);
    if (r.code !== 0) throw new Error(`grappe ${args.join(' ')} exited ${r.code}: ${r.err}`);
    return JSON.parse(r.out) as T;
  };

  const startChild = (args: string[], pattern: RegExp, timeoutMs = 30_000): Promise<{ child: ChildProcess; match: RegExpMatchArray }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no ${pattern} from ${args.join(' ')} within ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const match = out.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve({ child, match });
        }
      });
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(' ')} exited with ${code ?? signal}:\n${out}\n${err}`));
      });
    });
  };

  const close = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  return { dir, env, grappe, json, startChild, close };
}
