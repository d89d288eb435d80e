// Guest creation (task guest.create). Checked and committed before the task starts, so bad input
// is refused with its own status (404/409/422) and nothing is written: name, volumes, images,
// networks, placement, id — then record + name + MAC index keys + volume attachments in ONE
// transaction. The task then makes the guest real on its host (bridges, agent definition); if that
// fails, everything is undone in reverse and the task fails with the agent's own words.
import type { z } from 'zod';
import type { GuestCreateRequest, guestCreateRequest } from '../../contract/guest.contract.ts';
import { errors } from '../../core/errors.ts';
import { formatGuestId } from '../../core/guests/guest-id.ts';
import { allocateGuestNumber } from '../../core/guests/guest-number.ts';
import { placementRefusal } from '../../core/guests/guest-placement.ts';
import type { Decision } from '../../core/scheduler/scheduler-types.ts';
import { DEFAULT_NETWORK } from '../../core/storage/network-rules.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { logDecision } from '../scheduling/log-decision.ts';
import { isoAt } from '../platform/clock.ts';
import type { Actor, ControllerContext, TaskContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { prepareHostFor } from '../storage/index.ts';
import { agentSpecOf, BUSYBOX_TEMPLATE } from './guest-agent-spec.ts';
import { guestErrors } from './guest-errors.ts';
import { emitGuestEvent } from './guest-events.ts';
import { toGuestView } from './guest-live.ts';
import { placeNewGuest } from './guest-placement-input.ts';
import type { GuestRecord } from './guest-record.ts';
import { attachAll, detachAll, findNetwork, freeMacs, imageFor, volumesForGuest } from './guest-storage-links.ts';
import { guestsRuntime } from './guests-runtime.ts';

type CreateBody = z.output<typeof guestCreateRequest>;

const MAX_ATTEMPTS = 5;

/** Input rules that need no store: what each kind may have. */
function checkShape(b: CreateBody): void {
  if (b.kind === 'vm') {
    if (b.template !== undefined)
      throw errors.invalidInput("a VM has no template: give its disks (volume names) instead; 'template' is for containers", { field: 'template' });
    if (b.disks.length === 0 && (b.cdrom ?? null) === null)
      throw errors.invalidInput('a VM needs a disk (a volume name) or a CD-ROM image to boot from', { field: 'disks' });
  } else {
    if (b.disks.length > 0)
      throw errors.invalidInput("a container has no disks: its root file system comes from its template; 'disks' is for VMs", { field: 'disks' });
    if ((b.cdrom ?? null) !== null) throw errors.invalidInput('a container has no CD-ROM drive; only VMs do', { field: 'cdrom' });
    if ((b.nics?.length ?? 1) !== 1) throw errors.invalidInput('a container has exactly one NIC', { field: 'nics' });
  }
}

interface Committed {
  readonly record: GuestRecord;
  readonly host: HostRecord;
  /** Why the host was chosen (explained over every host). */
  readonly decision: Decision;
}

/** Validates, places and commits the guest; returns its record (state stopped, not yet on its host). */
async function commitGuest(ctx: ControllerContext, b: CreateBody): Promise<Committed> {
  checkShape(b);
  const guests = guestsRuntime(ctx);
  const hosts = await hostsRuntime(ctx);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const owner = await guests.repo.nameOwner(b.name);
    if (owner !== undefined) throw guestErrors.nameTaken(b.name, owner);
    const number = allocateGuestNumber(await guests.repo.usedNumbers(), b.id);
    const id = formatGuestId({ kind: b.kind, number });
    const volumes = await volumesForGuest(ctx, b.disks, id);
    const cdrom = b.cdrom ?? null;
    if (cdrom !== null) await imageFor(ctx, cdrom, 'vm-disk', 'the CD-ROM');
    const template = b.kind === 'ct' ? (b.template ?? BUSYBOX_TEMPLATE) : null;
    if (template !== null && template !== BUSYBOX_TEMPLATE) await imageFor(ctx, template, 'ct-template', 'the container template');
    const networks = await Promise.all((b.nics ?? [{ network: DEFAULT_NETWORK }]).map((n) => findNetwork(ctx, n.network)));

    // A local volume can only be opened on its own host: it names the host when the admin did not.
    const localHost = volumes.find((v) => v.volume.url === null)?.volume.hostId;
    const namedRef = b.host ?? (localHost === undefined ? undefined : String(localHost));
    const named = namedRef === undefined ? undefined : findHost(hosts, namedRef);
    const { decision, host } = await placeNewGuest(ctx, { name: b.name, vcpus: b.vcpus, memoryMiB: b.memoryMiB, volumes, networks }, named);
    if (!decision.winner || !host) throw placementRefusal(decision, { named: named !== undefined });

    const macs = await freeMacs(ctx, networks.length);
    const record: GuestRecord = {
      id,
      kind: b.kind,
      number,
      name: b.name,
      hostId: host.id,
      vcpus: b.vcpus,
      memoryMiB: b.memoryMiB,
      disks: [...b.disks],
      template,
      nics: networks.map((n, i) => ({ network: n.name, bridge: n.bridge, mac: macs[i]! })),
      cdrom,
      autostart: b.autostart,
      state: 'stopped',
      accel: null,
      stateChangedAt: null,
      createdAt: isoAt(ctx.clock),
    };
    // Lost races (an id, a MAC or a volume taken meanwhile) go round again and are re-checked.
    if (await guests.repo.create(record, attachAll(volumes, id))) return { record, host, decision };
  }
  throw errors.internal(`could not create guest '${b.name}': too much contention on guest ids, MACs or volumes`);
}

/** Removes the committed guest again: record, index keys, volume attachments. */
async function uncommit(ctx: ControllerContext, record: GuestRecord): Promise<void> {
  const repo = guestsRuntime(ctx).repo;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await repo.find(record.id).catch(() => undefined);
    if (!entry) return;
    if (await repo.remove(entry, await detachAll(ctx, record.disks, record.id))) return;
  }
}

async function materialize(ctx: ControllerContext, { record, host, decision }: Committed, explain: boolean, task: TaskContext): Promise<unknown> {
  const agent = guestAgentFor(ctx, host);
  let defined = false;
  try {
    await logDecision(decision, (line) => task.log(line));
    // Progress is written while the agent works (not awaited: the task runner keeps the writes in order).
    void task.progress(0.2, `defining ${record.id} on host '${host.name}'`);
    await prepareHostFor(ctx, record, host);
    const spec = await agentSpecOf(ctx, record, host);
    defined = true; // a definition that failed half-way (a container's rootfs) is removed too
    await agent.defineGuest(record.id, spec);
  } catch (err) {
    await task.log(`create failed, undoing: ${err instanceof Error ? err.message : String(err)}`);
    if (defined) await agent.deleteGuest(record.id).catch(() => undefined);
    await uncommit(ctx, record);
    throw err;
  }
  void emitGuestEvent(ctx, 'guest.created', record, `guest '${record.id}' (${record.name}) created on host '${host.name}'`, { host: host.name }).catch(
    () => undefined,
  );
  // The full candidate list only when asked: on a large pool it is most of the answer.
  return { ...toGuestView(record, host), placement: explain ? decision : { ...decision, candidates: [] } };
}

export async function startGuestCreate(ctx: ControllerContext, actor: Actor, body: GuestCreateRequest): Promise<{ taskId: string; id: string }> {
  const committed = await commitGuest(ctx, body as CreateBody);
  const { record } = committed;
  const release = guestsRuntime(ctx).claim(record.id);
  try {
    const taskId = await ctx.tasks.start({ kind: 'guest.create', target: record.id, actor }, async (task) => {
      try {
        return await materialize(ctx, committed, body.explain === true, task);
      } finally {
        release();
      }
    });
    return { taskId, id: record.id };
  } catch (err) {
    release();
    await uncommit(ctx, record);
    throw err;
  }
}
