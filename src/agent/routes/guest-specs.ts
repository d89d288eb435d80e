// Guest definitions kept in the agent's data dir (`guests/<slug>.json`), so a guest can be started
// again after an agent restart without the controller re-sending it.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { guestSpec, type GuestSpec, type VmGuestSpec } from '../../contract/guest-agent.contract.ts';
import { guestIdFromSlug, guestSlug, parseGuestId, type GuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import type { VmSpecInput } from '../drivers/vm-spec.ts';
import type { VolumeFiles } from './volume-files.ts';

export function guestIdOf(text: string): GuestId {
  const id = parseGuestId(text);
  if (!id) throw new AgentError('invalidInput', `request refused: '${text}' is not a guest id like 'vm:100' or 'ct:101'`);
  return id;
}

export class GuestSpecs {
  constructor(private readonly dir: string) {}

  private file(id: GuestId): string {
    return join(this.dir, `${guestSlug(id)}.json`);
  }

  async find(id: GuestId): Promise<GuestSpec | undefined> {
    const text = await readFile(this.file(id), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const r = guestSpec.safeParse(JSON.parse(text));
    if (!r.success)
      throw new AgentError('corruptSpec', `the stored definition of guest '${id.kind}:${id.number}' (${this.file(id)}) is unreadable; redefine the guest`);
    return r.data;
  }

  async get(id: GuestId): Promise<GuestSpec> {
    const spec = await this.find(id);
    if (!spec) throw new AgentError('noSuchGuest', `no guest '${id.kind}:${id.number}' is defined on this host`);
    return spec;
  }

  async save(id: GuestId, spec: GuestSpec): Promise<void> {
    await writeFileAtomic(this.file(id), JSON.stringify(spec, null, 2) + '\n');
  }

  async remove(id: GuestId): Promise<void> {
    await rm(this.file(id), { force: true });
  }

  async list(): Promise<Array<{ id: GuestId; spec: GuestSpec }>> {
    const files = await readdir(this.dir).catch(() => [] as string[]);
    const found = [];
    for (const f of files) {
      const id = f.endsWith('.json') ? guestIdFromSlug(f.slice(0, -'.json'.length)) : undefined;
      if (id) found.push({ id, spec: await this.get(id) });
    }
    return found;
  }

  /** Names of the local volumes the defined guests use, with the guest using each. */
  async volumeUsers(): Promise<Map<string, string>> {
    const users = new Map<string, string>();
    for (const { id, spec } of await this.list()) {
      if (spec.kind !== 'vm') continue;
      for (const d of spec.disks) if ('volume' in d) users.set(d.volume, `${id.kind}:${id.number}`);
    }
    return users;
  }
}

/** The tap of a VM's NIC: unique per host, at most 15 characters ('gv123456789n7'). */
export const tapName = (gid: GuestId, index: number): string => `gv${gid.number}n${index}`;

/** The driver's spec for a defined VM: local volumes resolved to their files. */
export async function vmDriverSpec(gid: GuestId, spec: VmGuestSpec, volumes: VolumeFiles): Promise<VmSpecInput> {
  const id = `${gid.kind}:${gid.number}`;
  const disks = [];
  for (const d of spec.disks) {
    if ('url' in d) {
      disks.push({ path: d.url, format: d.format, ...(d.chap ? { chap: d.chap } : {}) });
      continue;
    }
    const v = await volumes.find(d.volume);
    if (!v) throw new AgentError('diskVolumeMissing', `start of '${id}' refused: its disk volume '${d.volume}' is not in this host's pool`);
    if (d.format !== undefined && d.format !== v.format) {
      throw new AgentError('volumeFormatMismatch', `start of '${id}' refused: volume '${d.volume}' is ${v.format}, not ${d.format}`);
    }
    disks.push({ path: v.path, format: v.format });
  }
  return {
    id,
    name: spec.name,
    vcpus: spec.vcpus,
    memoryMiB: spec.memoryMiB,
    ...(spec.kernel === undefined ? {} : { kernel: spec.kernel }),
    ...(spec.initrd === undefined ? {} : { initrd: spec.initrd }),
    ...(spec.cmdline === undefined ? {} : { cmdline: spec.cmdline }),
    disks,
    cdrom: spec.cdrom,
    nics: spec.nics.map((n, i) => ({ mac: n.mac, tap: tapName(gid, i) })),
    accel: spec.accel,
  };
}
