// The storage indicator's probe: each storage host gets a tiny LUN of its own (`grappe-probe`, 1 MiB,
// exported like any volume), and a processing host's storage is green only when an iSCSI login FROM
// that host to one of them succeeds, the same way its guests' QEMU will log in.
import { messageOf } from '../../core/errors.ts';
import { PROBE_VOLUME, PROBE_VOLUME_MIB, MiB } from '../../core/storage/volume-rules.ts';
import type { StorageCheck } from '../../core/hosts/indicators.ts';
import { z } from 'zod';
import { iscsiChap, type IscsiChap } from '../../contract/guest-agent.contract.ts';
import { LazyLoad, RecordMirror } from '../platform/record-mirror.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import { defineRecordKind, storedValue } from '../platform/stored-records.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { applyExport } from './target-export.ts';

export const PROBES_PREFIX = '/storage-probes/';
const probeKey = (hostId: number): string => `${PROBES_PREFIX}${hostId}`;
const CHECK_TIMEOUT_MS = 2000;

export interface ProbeRecord {
  readonly hostId: number;
  readonly iqn: string | null;
  readonly url: string | null;
  readonly initiators: string[];
  /** The probe target's CHAP login (absent in records of controllers before CHAP: made at the next sync). */
  readonly chap?: IscsiChap | undefined;
}

/** `/storage-probes/<host id>`: version 1. */
export const PROBE_RECORD = defineRecordKind<ProbeRecord>({
  name: 'storage probe',
  version: 1,
  migrations: {},
  schema: z.object({
    hostId: z.number().int(),
    iqn: z.string().nullable(),
    url: z.string().nullable(),
    initiators: z.array(z.string()),
    chap: iscsiChap.optional(),
  }),
});

const PROBES_MIRROR = runtimeSlot(
  'storage probes mirror',
  (ctx: ControllerContext) => new LazyLoad(() => RecordMirror.load(ctx.store, PROBES_PREFIX, PROBE_RECORD)),
);

/** Every probe record, from the controller's mirror: the host monitor reads them for each host it checks. */
export async function listProbes(ctx: Pick<ControllerContext, 'runtimes'>): Promise<readonly ProbeRecord[]> {
  return (await ctx.runtimes.get(PROBES_MIRROR).get()).records();
}

/** Makes the probe LUN on a storage host if missing and sets its ACL; idempotent. */
export async function ensureProbe(
  ctx: ControllerContext,
  host: HostRecord,
  initiators: readonly string[],
  portal: string,
  current: ProbeRecord | undefined,
): Promise<void> {
  const client = guestAgentFor(ctx, host);
  if (!current) {
    await client.createVolume(PROBE_VOLUME, { sizeBytes: PROBE_VOLUME_MIB * MiB, format: 'raw' }).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'volumeExists') throw e; // left by an earlier controller: reuse it
    });
  }
  const state = await applyExport(client, PROBE_VOLUME, initiators, portal, current?.chap);
  const record: ProbeRecord = { hostId: host.id, ...state };
  await ctx.store.txn([], [{ put: probeKey(host.id), value: storedValue(PROBE_RECORD, record) }]);
}

/**
 * For the host monitor: an iSCSI login from `host` to each storage host's probe LUN (`allProbes`, as
 * the monitor read them), stopping at the first that works; undefined while no probe LUN is exported
 * yet (the monitor then falls back to a TCP probe). A failure names the pool, the URL and QEMU's own words.
 */
export async function storageLoginChecks(
  ctx: ControllerContext,
  host: HostRecord,
  poolNameOf: (hostId: number) => string,
  allProbes: readonly ProbeRecord[],
): Promise<StorageCheck[] | undefined> {
  const probes = allProbes.filter((p) => p.url !== null);
  if (probes.length === 0) return undefined;
  const client = guestAgentFor(ctx, host, CHECK_TIMEOUT_MS + 4000);
  const out: StorageCheck[] = [];
  for (const p of probes) {
    const url = p.url ?? '';
    const what = `pool ${poolNameOf(p.hostId)}: QEMU cannot open ${url}`;
    const r = await client
      .iscsiCheck(url, p.chap, CHECK_TIMEOUT_MS)
      .catch((e: unknown) => ({ ok: false as const, error: `the agent could not run the check: ${messageOf(e)}` }));
    if (r.ok) return [{ ok: true, what }];
    out.push({ ok: false, what, error: r.error ?? 'failed' });
  }
  return out;
}
