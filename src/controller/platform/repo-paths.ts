// Where the running code sits in the repository: the same lookup works from the TypeScript source
// (src/controller/platform/) and from the bundle (dist/grappe.mjs), by walking up to package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

function locate(): { root: string; version: string } {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'grappe') return (cached = { root: dir, version: pkg.version ?? '0.0.0' });
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find Grappe's package.json above the running code");
    dir = parent;
  }
}

export const repoRoot = (): string => locate().root;
/** The version of this Grappe (package.json): what the controller reports and the agent it ships. */
export const grappeVersion = (): string => locate().version;
export const defaultAgentBundlePath = (): string => join(repoRoot(), 'dist', 'grappe-agent.mjs');
export const webDistDir = (): string => join(repoRoot(), 'web', 'dist');
