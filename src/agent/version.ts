// The agent's version. The bundle (scripts/build.mjs) defines __GRAPPE_AGENT_VERSION__; run from
// source (tsx) it is undefined and the version comes from package.json.
import { readFileSync } from 'node:fs';

declare const __GRAPPE_AGENT_VERSION__: string | undefined;

/** True when running from a built bundle rather than from source. */
export const RUNNING_FROM_BUNDLE = typeof __GRAPPE_AGENT_VERSION__ === 'string';

const fromPackageJson = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const AGENT_VERSION: string = typeof __GRAPPE_AGENT_VERSION__ === 'string' ? __GRAPPE_AGENT_VERSION__ : fromPackageJson();
