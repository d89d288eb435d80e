// The agent's data directory: what survives a restart.
//   bootstrap.crt/.key  self-signed identity before enrollment (made on first start)
//   password.json       scrypt hash of the host password (absent = factory default)
//   enrollment/         cluster.json, ca.crt, agent.crt, agent.key — created and removed as a whole
//   syslog.json         log forwarding setting
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { selfSigned, type CertAndKey } from '../pki/pki.ts';
import { removeDirAtomic, removeLeftovers, writeDirAtomic, writeFileAtomic } from './atomic-file.ts';
import { hashPassword, type PasswordHash } from './password.ts';

export interface Enrollment {
  clusterId: string;
  hostName: string;
  enrolledAt: string;
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const passwordFile = z.object({ algorithm: z.literal('scrypt'), salt: z.string(), hash: z.string(), keyLength: z.number().int() });
const clusterFile = z.object({ clusterId: z.string(), hostName: z.string(), enrolledAt: z.string() });
export const syslogConfig = z.object({ enabled: z.boolean(), address: z.string().optional() });
export type SyslogConfig = z.infer<typeof syslogConfig>;

const readIfExists = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
};

const parseJsonFile = <T>(path: string, text: string, schema: z.ZodType<T>): T => {
  try {
    return schema.parse(JSON.parse(text));
  } catch (e) {
    throw new Error(`the agent's file ${path} is corrupt (${(e as Error).message}); fix or delete it`);
  }
};

export class AgentStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Creates the directory and clears leftovers of writes a crash interrupted. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of ['bootstrap.crt', 'bootstrap.key', 'password.json', 'enrollment', 'syslog.json']) {
      await removeLeftovers(this.path(name));
    }
  }

  async bootstrapCert(): Promise<CertAndKey> {
    const [certPem, keyPem] = await Promise.all([readIfExists(this.path('bootstrap.crt')), readIfExists(this.path('bootstrap.key'))]);
    if (certPem !== undefined && keyPem !== undefined) return { certPem, keyPem };
    const made = await selfSigned(`grappe-agent bootstrap ${hostname()}`);
    await writeFileAtomic(this.path('bootstrap.key'), made.keyPem);
    await writeFileAtomic(this.path('bootstrap.crt'), made.certPem, 0o644);
    return made;
  }

  async passwordHash(): Promise<PasswordHash | undefined> {
    const text = await readIfExists(this.path('password.json'));
    return text === undefined ? undefined : parseJsonFile(this.path('password.json'), text, passwordFile);
  }

  async setPassword(password: string): Promise<void> {
    await writeFileAtomic(this.path('password.json'), JSON.stringify(await hashPassword(password)) + '\n');
  }

  async enrollment(): Promise<Enrollment | undefined> {
    const dir = this.path('enrollment');
    const cluster = await readIfExists(join(dir, 'cluster.json'));
    if (cluster === undefined) return undefined;
    const meta = parseJsonFile(join(dir, 'cluster.json'), cluster, clusterFile);
    const [caCertPem, certPem, keyPem] = await Promise.all(['ca.crt', 'agent.crt', 'agent.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return { ...meta, caCertPem: caCertPem!, certPem: certPem!, keyPem: keyPem! };
  }

  async saveEnrollment(e: Enrollment): Promise<void> {
    const cluster = { clusterId: e.clusterId, hostName: e.hostName, enrolledAt: e.enrolledAt };
    await writeDirAtomic(this.path('enrollment'), {
      'cluster.json': JSON.stringify(cluster, null, 2) + '\n',
      'ca.crt': e.caCertPem,
      'agent.crt': e.certPem,
      'agent.key': e.keyPem,
    });
  }

  async clearEnrollment(): Promise<void> {
    await removeDirAtomic(this.path('enrollment'));
  }

  async syslog(): Promise<SyslogConfig> {
    const text = await readIfExists(this.path('syslog.json'));
    return text === undefined ? { enabled: false } : parseJsonFile(this.path('syslog.json'), text, syslogConfig);
  }

  async saveSyslog(c: SyslogConfig): Promise<void> {
    await writeFileAtomic(this.path('syslog.json'), JSON.stringify(c) + '\n', 0o644);
  }
}
