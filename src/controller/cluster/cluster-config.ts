// `<data dir>/controller.json`: how this controller takes part in a cluster of controllers. Absent: a
// single controller on the embedded SQLite store (the default of `grappe init`). Present: the store is
// etcd, and this controller campaigns for the leadership under its name.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GrappeError } from '../../core/errors.ts';

export const CONTROLLER_CONFIG_VERSION = 1;

const url = z.string().regex(/^https?:\/\/[^/\s]+$/, 'a URL like https://198.18.0.10:7379 (scheme, address, port; no path)');
export const controllerName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a name of 1–32 lowercase letters, digits and dashes, starting with a letter');

export const controllerConfig = z.object({
  version: z.literal(CONTROLLER_CONFIG_VERSION),
  /** This controller's name (also its etcd member's name). */
  name: controllerName,
  /** The API address other controllers send writes to and clients are redirected to. */
  apiUrl: z.string().regex(/^https:\/\/[^/\s]+$/, 'an https URL like https://198.18.0.10:8443'),
  etcd: z.object({
    /** Every member's client URL: this controller reaches the store through any of them. */
    endpoints: z.array(url).min(1),
    namespace: z.string().min(1).default('grappe/'),
    /** The member this controller runs beside itself (absent: an external etcd cluster). */
    member: z
      .object({
        clientUrl: url,
        peerUrl: url,
        initialCluster: z.array(z.string().min(3)).min(1),
        state: z.enum(['new', 'existing']),
        clusterToken: z.string().min(1),
      })
      .optional(),
  }),
  /** Seconds a leader keeps its leadership without renewing it (etcd lease TTL). */
  leaseTtlSeconds: z.number().int().min(2).max(60).default(2),
  /** A floating management address that follows the leader, e.g. 198.18.0.100/24 on grappe-mgmt. */
  vip: z.object({ address: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/), interface: z.string().min(1) }).optional(),
});
export type ControllerConfig = z.infer<typeof controllerConfig>;

export const controllerConfigPath = (dataDir: string): string => join(dataDir, 'controller.json');

/** The config, or undefined for a single controller on SQLite. A damaged file is an error naming it. */
export function readControllerConfig(dataDir: string): ControllerConfig | undefined {
  const path = controllerConfigPath(dataDir);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new GrappeError('badDataDir', `'${path}' is damaged: it is not JSON (${(err as Error).message})`);
  }
  const result = controllerConfig.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new GrappeError('badDataDir', `'${path}' is damaged: ${problems}`);
  }
  return result.data;
}

export function writeControllerConfig(dataDir: string, config: ControllerConfig): void {
  writeFileSync(controllerConfigPath(dataDir), `${JSON.stringify(controllerConfig.parse(config), null, 2)}\n`, { mode: 0o600 });
}
