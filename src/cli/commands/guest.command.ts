// `grappe guest …`: create, list, show, start, stop, reboot, delete, cd. VMs are vm:ID, containers ct:ID.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { guestCreateResult, guestRunState, guestView, type GuestCreateRequest, type GuestView } from '../../contract/guest.contract.ts';
import { placementDecision } from '../../contract/scheduler.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import { ApiError } from '../http-client.ts';
import { renderDecision } from '../output/decision-view.ts';
import { paint } from '../output/ansi.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { formatMiB } from '../output/units.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { cursorArgOf, fetchListPage } from './list-args.ts';
import { registerGuestMigrate } from './guest-migrate.command.ts';
import { addStatsCommand } from './stats.command.ts';
import { printJson, withJson, withWait, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

export const guestPath = (ref: string, rest = ''): string => `/guests/${encodeURIComponent(ref)}${rest}`;

const STATE_STYLE = { running: 'green', stopped: 'dim', paused: 'yellow', other: 'red', unknown: 'red' } as const;

export function renderGuestList(guests: readonly GuestView[], color: boolean): string {
  if (guests.length === 0) return 'No guests yet: create one with `grappe guest create`.\n';
  return renderTable(
    [
      { header: 'ID' },
      { header: 'NAME' },
      { header: 'HOST' },
      { header: 'STATE' },
      { header: 'ACCEL' },
      { header: 'VCPUS', align: 'right' },
      { header: 'MEMORY', align: 'right' },
      { header: 'DISKS' },
    ],
    guests.map((g) => [
      g.id,
      g.name,
      g.host.name,
      paint(color, STATE_STYLE[g.state], g.state),
      g.accel ?? '-',
      String(g.vcpus),
      formatMiB(g.memoryMiB),
      g.disks.join(',') || (g.template ? `(${g.template})` : '-'),
    ]),
  );
}

export function renderGuestDetails(g: GuestView, color: boolean): string {
  return renderFields([
    ['ID', g.id],
    ['Name', g.name],
    ['Kind', g.kind === 'vm' ? 'virtual machine (QEMU)' : 'container (LXC)'],
    ['Host', `${g.host.name} (#${g.host.id})`],
    [
      'State',
      `${paint(color, STATE_STYLE[g.state], g.state)}${g.stateDetail ? ` (${g.stateDetail})` : ''}${g.live ? '' : ' (last recorded: its host did not answer)'}`,
    ],
    ['Accelerator', g.accel ?? '-'],
    ['vCPUs', String(g.vcpus)],
    ['Memory', formatMiB(g.memoryMiB)],
    ...(g.kind === 'vm'
      ? [['Disks', g.disks.join(', ') || '-'] as const, ['CD-ROM', g.cdrom ?? '(empty)'] as const]
      : [['Template', g.template ?? '-'] as const]),
    ['NICs', g.nics.map((n) => `${n.network} ${n.mac} (bridge ${n.bridge})`).join('; ') || '-'],
    ['Autostart', g.autostart ? 'yes' : 'no'],
    ['Created', g.createdAt],
  ]);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function guestNumberArg(value: string): number {
  const n = positiveIntArg(value);
  if (n < 100) throw new InvalidArgumentError(`'${value}' is not a guest id: ids start at 100`);
  return n;
}

interface CreateFlags extends ActionFlags {
  name: string;
  id?: number;
  vcpus?: number;
  memory?: number;
  disk?: string[];
  template?: string;
  net?: string[] | false; // false: --no-net
  cdrom?: string;
  autostart?: boolean;
  host?: string;
  explain?: boolean;
}

export function buildCreateRequest(kind: 'vm' | 'ct', f: CreateFlags): GuestCreateRequest {
  if (kind === 'ct' && (f.disk?.length ?? 0) > 0) throw usageError('a container has no --disk: its root file system comes from --template');
  if (kind === 'vm' && f.template !== undefined) throw usageError('--template is for containers; give a VM its --disk volumes');
  return {
    kind,
    name: f.name,
    ...(f.id === undefined ? {} : { id: f.id }),
    ...(f.vcpus === undefined ? {} : { vcpus: f.vcpus }),
    ...(f.memory === undefined ? {} : { memoryMiB: f.memory }),
    ...(f.disk ? { disks: f.disk } : {}),
    ...(f.template === undefined ? {} : { template: f.template }),
    ...(f.net === false ? { nics: [] } : f.net ? { nics: f.net.map((network) => ({ network })) } : {}),
    ...(f.cdrom === undefined ? {} : { cdrom: f.cdrom }),
    autostart: f.autostart === true,
    ...(f.host === undefined ? {} : { host: f.host }),
    ...(f.explain ? { explain: true } : {}),
  };
}

/** The sentence after a create, preceded by the placement decision with --explain. */
export function createdMessage(result: unknown, name: string, explain: boolean, color: boolean): string {
  const parsed = guestCreateResult.safeParse(result);
  const g = parsed.success ? parsed.data : undefined;
  const sentence = g ? `Guest ${g.id} (${g.name}) created on host '${g.host.name}'; start it with: grappe guest start ${g.id}` : `Guest '${name}' created.`;
  return explain && g?.placement ? `${renderDecision(g.placement, color)}\n${sentence}` : sentence;
}

function printRefusedDecision(rt: Runtime, e: unknown): void {
  const decision = placementDecision.safeParse(e instanceof ApiError ? e.details['decision'] : undefined);
  if (decision.success) rt.stdout.write(renderDecision(decision.data, rt.color) + '\n');
}

const viewIn = (result: unknown): GuestView | undefined => {
  const parsed = guestView.safeParse(result);
  return parsed.success ? parsed.data : undefined;
};

export function registerGuest(program: Command, rt: Runtime): void {
  const guest = program.command('guest').description('manage guests: VMs (vm:ID, QEMU) and containers (ct:ID, LXC)');
  registerGuestMigrate(guest, rt);
  addStatsCommand(guest, rt, 'guest');

  withWait(
    guest
      .command('create')
      .description('create a VM or a container (placed on the named host, else where the scheduler chooses: see `grappe scheduler show`)')
      .addOption(new Option('--kind <kind>', 'vm (QEMU) or ct (LXC container)').choices(['vm', 'ct']).default('vm'))
      .requiredOption('--name <name>', 'guest name, unique in the cluster')
      .option('--id <number>', 'guest id (default: the lowest free from 100)', guestNumberArg)
      .option('--vcpus <n>', 'virtual CPUs', positiveIntArg)
      .option('--memory <MiB>', 'memory in MiB', positiveIntArg)
      .option('--disk <volume>', 'a volume as disk, in boot order (repeatable; VMs)', collect)
      .option('--template <name>', "container template: 'busybox' (default) or a ct-template image")
      .option('--net <network>', "a NIC on this guest network (repeatable; default: one on 'default')", collect)
      .option('--no-net', 'no NIC at all (VMs)')
      .option('--cdrom <image>', 'an image inserted in the CD-ROM drive (VMs)')
      .option('--autostart', 'mark the guest to start with its host (recorded with the guest)')
      .option('--host <host>', 'the processing host to place it on (name or id)')
      .option('--explain', 'print why the host was chosen: every host with its verdict or reason, the scores, the winner and why'),
  ).action(async (opts: CreateFlags & { kind: 'vm' | 'ct' }) => {
    const request = buildCreateRequest(opts.kind, opts);
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/guests', request).catch((e: unknown) => {
        // A refused placement carries its decision: show which host refused and why.
        if (opts.explain && !opts.json) printRefusedDecision(rt, e);
        throw e;
      });
      await reportAction(client, rt, res, opts, (r) => createdMessage(r, request.name, opts.explain === true, rt.color));
    });
  });

  withJson(
    guest
      .command('list')
      .description('list the guests with their live state')
      .option('--host <host>', 'only the guests of this host (name or id)')
      .addOption(new Option('--state <state>', 'only the guests in this live state').choices(guestRunState.options))
      .option('--limit <n>', 'at most n guests (the next page: --cursor, as printed)', positiveIntArg)
      .option('--cursor <n>', 'the guests after this guest number (from the previous page)', cursorArgOf('guest number such as 104')),
  ).action(async (opts: JsonFlag & { host?: string; state?: string; limit?: number; cursor?: number }) => {
    await withClient(rt, async (client) => {
      const page = { filters: { host: opts.host, state: opts.state }, limit: opts.limit, cursor: opts.cursor };
      const res = await fetchListPage(client, rt, '/guests', { noun: 'guests', command: 'grappe guest list' }, page);
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderGuestList(parseList(client, guestView, res.body, 'guests', 'GET /guests'), rt.color));
    });
  });

  withJson(guest.command('show').description('show a guest').argument('<guest>', 'vm:100, ct:101, vm-100 or its name')).action(
    async (ref: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', guestPath(ref));
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderGuestDetails(client.parse(guestView, res.body, `GET /guests/${ref}`), rt.color));
      });
    },
  );

  const power = (name: 'start' | 'reboot', description: string, verb: string): void => {
    withWait(guest.command(name).description(description).argument('<guest>', 'vm:100, ct:101 or its name')).action(async (ref: string, opts: ActionFlags) => {
      await withClient(rt, async (client) => {
        const res = await client.request('POST', guestPath(ref, `/${name}`));
        await reportAction(client, rt, res, opts, (r) => {
          const g = viewIn(r);
          return `Guest ${g?.id ?? ref} ${verb}${g ? ` (${g.state}${g.accel ? `, ${g.accel}` : ''})` : ''}.`;
        });
      });
    });
  };
  power('start', 'start a guest (its host must be UP)', 'started');
  power('reboot', 'reboot a running guest', 'rebooted');

  withWait(
    guest
      .command('stop')
      .description('shut a guest down cleanly (hard stop after the timeout); --force pulls the plug at once')
      .argument('<guest>', 'vm:100, ct:101 or its name')
      .option('--force', 'force stop: no clean shutdown')
      .option('--timeout <seconds>', 'seconds to wait for the clean shutdown before a hard stop', positiveIntArg),
  ).action(async (ref: string, opts: ActionFlags & { force?: boolean; timeout?: number }) => {
    await withClient(rt, async (client) => {
      const res = opts.force
        ? await client.request('POST', guestPath(ref, '/force-stop'))
        : await client.request('POST', guestPath(ref, '/stop'), opts.timeout === undefined ? {} : { timeoutMs: opts.timeout * 1000 });
      await reportAction(client, rt, res, opts, (r) => `Guest ${viewIn(r)?.id ?? ref} stopped.`);
    });
  });

  withWait(
    guest
      .command('delete')
      .description('delete a stopped guest (frees its volumes)')
      .argument('<guest>', 'vm:100, ct:101 or its name')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (ref: string, opts: ActionFlags & { yes?: boolean }) => {
    if (!opts.yes) {
      if (!rt.interactive) throw usageError(`deleting guest '${ref}' needs confirmation: add --yes (there is no terminal to ask on)`);
      if (!(await rt.confirm(`Delete guest '${ref}'? Its volumes are kept, detached.`))) throw new CliError('cancelled: the guest was not deleted');
    }
    await withClient(rt, async (client) => {
      const res = await client.request('DELETE', guestPath(ref));
      await reportAction(client, rt, res, opts, () => `Guest ${ref} deleted; its volumes are free.`);
    });
  });

  withWait(
    guest
      .command('cd')
      .description("insert an image in a VM's CD-ROM drive, or eject it with --eject")
      .argument('<guest>', 'vm:100 or its name')
      .argument('[image]', 'the image to insert')
      .option('--eject', 'eject the CD'),
  ).action(async (ref: string, image: string | undefined, opts: ActionFlags & { eject?: boolean }) => {
    if ((image === undefined) === (opts.eject !== true)) throw usageError('give an image to insert, or --eject (not both)');
    await withClient(rt, async (client) => {
      const res = await client.request('POST', guestPath(ref, '/cd'), { image: image ?? null });
      await reportAction(client, rt, res, opts, () => (image ? `Image '${image}' inserted in ${ref}.` : `CD of ${ref} ejected.`));
    });
  });
}
