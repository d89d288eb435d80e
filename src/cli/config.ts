// The CLI's own config: where the controller is, the cluster CA to trust, and the session token.
// One JSON file, `$GRAPPE_CONFIG` or ~/.config/grappe/cli.json, readable by its owner only (0600).
// GRAPPE_URL and GRAPPE_TOKEN override the file, for scripts.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.ts';

export const DEFAULT_URL = 'https://127.0.0.1:8443';
export const DEFAULT_DATA_DIR = '/var/lib/grappe';

export const cliConfig = z.object({
  url: z.string().optional(),
  caCertPem: z.string().optional(),
  token: z.string().optional(),
  username: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type CliConfig = z.infer<typeof cliConfig>;

type Env = Readonly<Record<string, string | undefined>>;

export function configPath(env: Env): string {
  if (env['GRAPPE_CONFIG']) return env['GRAPPE_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'grappe', 'cli.json');
}

export const dataDirOf = (env: Env, flag?: string): string => flag ?? env['GRAPPE_DATA_DIR'] ?? DEFAULT_DATA_DIR;

/** The saved config, or an empty one when there is no file yet. A damaged file is an error, not a silent reset. */
export function loadConfig(path: string): CliConfig {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read the CLI config ${path}: ${(e as Error).message} (fix or delete it, then run \`grappe login\`)`);
  }
  const parsed = cliConfig.safeParse(raw);
  if (!parsed.success) throw new CliError(`the CLI config ${path} is not valid (fix or delete it, then run \`grappe login\`)`);
  return parsed.data;
}

/** Writes atomically (temp file + rename) with mode 0600: the file holds a session token. */
export function saveConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export interface Connection {
  readonly url: string;
  readonly caCertPem: string | undefined;
  readonly token: string | undefined;
}

/**
 * Where to connect and with what: env overrides the file; without a saved CA, the local data dir's
 * CA is trusted when present (the controller runs on this machine).
 */
export function resolveConnection(config: CliConfig, env: Env, readLocalCa: () => string | undefined): Connection {
  return {
    url: env['GRAPPE_URL'] || config.url || DEFAULT_URL,
    caCertPem: config.caCertPem ?? readLocalCa(),
    token: env['GRAPPE_TOKEN'] || config.token,
  };
}

export function readCaFile(path: string): string | undefined {
  try {
    const pem = readFileSync(path, 'utf8');
    return pem.includes('BEGIN CERTIFICATE') ? pem : undefined;
  } catch {
    return undefined;
  }
}

export const localCaPath = (dataDir: string): string => join(dataDir, 'pki', 'ca.crt');
