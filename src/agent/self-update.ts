// Replacing the running agent: verify the pushed bundle, swap it in atomically, restart into it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { AgentError } from './agent-error.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** Decodes the pushed bundle; 422 when its SHA-256 is not the announced one. */
export function decodeBundle(bundleBase64: string, sha256: string): Buffer {
  const bytes = Buffer.from(bundleBase64, 'base64');
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256.toLowerCase()) {
    throw new AgentError('checksumMismatch', `update refused: the bundle's SHA-256 is ${actual}, not the announced ${sha256}`);
  }
  return bytes;
}

/** Puts the new bundle in place of the running one (temp file beside it, then rename). */
export async function installBundle(bundlePath: string, bytes: Buffer): Promise<void> {
  await writeFileAtomic(bundlePath, bytes, 0o755);
}

/**
 * Starts the installed bundle with the same arguments, detached, writing to the same stdout and
 * stderr as this process. The caller exits right after; the new process retries the port.
 */
export function startReplacement(bundlePath: string, args: string[]): number | undefined {
  const child = spawn(process.execPath, [bundlePath, ...args], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  child.unref();
  return child.pid;
}
