// Runs a system command and collects its output; never throws for a non-zero exit or a missing binary.
import { execFile } from 'node:child_process';

export interface CommandResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it failed, in the command's own words when it gave any. */
  error?: string;
}

export function runCommand(cmd: string, args: string[], timeoutMs = 10_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, code: 0, stdout, stderr });
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      const code = typeof e.code === 'number' ? e.code : null;
      const error = stderr.trim() || (e.code === 'ENOENT' ? `${cmd}: command not found` : e.message);
      resolve({ ok: false, code, stdout, stderr, error });
    });
  });
}
