// The storage indicator's probe: each storage host gets a tiny LUN of its own (`grappe-probe`, 1 MiB,
// exported like any volume), and a processing host's storage is green only when an iSCSI login FROM
// that host to one of them succeeds, the same way its guests' QEMU will log in.
import { PROBE_VOLUME, PROBE_VOLUME_MIB, MiB } from '../../core/storage/volume-rules.ts';
import type { Json, Store } from '../../store/store.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { applyExport } from './target-export.ts';

const PROBES_PREFIX = '/storage-probes/';
const probeKey = (hostId: number): string => `${PROBES_PREFIX}${hostId}`;
const CHECK_TIMEOUT_MS = 2000;

export interface ProbeRecord {
  readonly hostId: number;
  readonly iqn: string | null;
  readonly url: string | null;
  readonly initiators: string[];
}

export async function listProbes(store: Store): Promise<ProbeRecord[]> {
  return (await store.list(PROBES_PREFIX)).map((e) => e.value as unknown as ProbeRecord);
}

/** Makes the probe LUN on a storage host if missing and sets its ACL; idempotent. */
export async function ensureProbe(ctx: ControllerContext, host: HostRecord, initiators: readonly string[], portal: string, current: ProbeRecord | undefined): Promise<void> {
  const client = guestAgentFor(ctx, host);
  if (!current) {
    await client.createVolume(PROBE_VOLUME, { sizeBytes: PROBE_VOLUME_MIB * MiB, format: 'raw' }).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'volumeExists') throw e; // left by an earlier controller: reuse it
    });
  }
  const state = await applyExport(client, PROBE_VOLUME, initiators, portal);
  const record: ProbeRecord = { hostId: host.id, ...state };
  await ctx.store.txn([], [{ put: probeKey(host.id), value: record as unknown as Json }]);
}

/**
 * For the host monitor: true when `host` logs in to some storage host's probe LUN, false when none
 * answers, undefined while no probe LUN is exported yet (the monitor then falls back to a TCP probe).
 */
export async function storageLoginCheck(ctx: ControllerContext, host: HostRecord): Promise<boolean | undefined> {
  const urls = (await listProbes(ctx.store)).flatMap((p) => p.url ?? []);
  if (urls.length === 0) return undefined;
  const client = guestAgentFor(ctx, host, CHECK_TIMEOUT_MS + 4000);
  for (const url of urls) {
    const r = await client.iscsiCheck(url, CHECK_TIMEOUT_MS).catch(() => undefined);
    if (r?.ok) return true;
  }
  return false;
}
