// The CLI's version: baked in by the bundler, read from package.json when run from source.
import { readFileSync } from 'node:fs';

declare const __GRAPPE_AGENT_VERSION__: string | undefined;

export function cliVersion(): string {
  if (typeof __GRAPPE_AGENT_VERSION__ === 'string') return __GRAPPE_AGENT_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
