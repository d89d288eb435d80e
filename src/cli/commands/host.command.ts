// `grappe host …`: add, list, show, enable, maintenance, edit, remove, update-connector (+ `host nic`,
// `host evacuate`, `host undo-evacuate`).
import { Option, type Command } from 'commander';
import { DEFAULT_AGENT_PORT } from '../../contract/agent.contract.ts';
import { hostPurpose, hostState, hostSummary, hostView } from '../../contract/host.contract.ts';
import { HOST_PURPOSES } from '../../contract/shared-rules.ts';
import { hostNameArg, ipv4Arg, portArg, positiveIntArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import { renderHostDetails, renderHostList } from '../output/host-views.ts';
import type { Runtime } from '../runtime.ts';
import { nameIn, reportAction, stateIn, type ActionFlags } from './action-result.ts';
import { buildAddRequest, type HostAddFlags } from './host-add-input.ts';
import { cursorArgOf, fetchListPage } from './list-args.ts';
import { addStatsCommand } from './stats.command.ts';
import { registerHostNic } from './host-nic.command.ts';
import { maintenanceDryRun, registerEvacuate } from './evacuate.command.ts';
import { printJson, withJson, withWait, type JsonFlag } from './output.ts';
import { hostPath, parseList, withClient } from './session.ts';

export function registerHost(program: Command, rt: Runtime): void {
  const host = program.command('host').description('manage the hosts of the cluster');
  addStatsCommand(host, rt, 'host');

  withWait(
    host
      .command('add')
      .description('add a host (it appears DISABLED); waits for the task unless --no-wait')
      .addOption(new Option('--purpose <purpose>', 'what the host is for').choices(HOST_PURPOSES).makeOptionMandatory())
      .requiredOption('--address <ip>', "the host's IP address (its LAN address)", ipv4Arg)
      .option('--name <name>', 'host name (default: a generated random name)', hostNameArg)
      .option('--random-name', 'let the controller generate a random host name')
      .option('--password <password>', 'the connector password (asked when omitted on a terminal)')
      .option('--new-password <password>', 'the password to set (required when the current one is the factory default)')
      .option('--port <port>', 'connector port', portArg, DEFAULT_AGENT_PORT)
      .option('--storage-location <location>', 'storage location (processing hosts only)')
      .option('--service-pool <pool>', 'service pool (processing hosts only)')
      .option('--syslog <address>', 'forward the host logs to this syslog server'),
  ).action(async (opts: HostAddFlags & ActionFlags) => {
    const request = await buildAddRequest(opts, rt);
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/hosts', request);
      await reportAction(
        client,
        rt,
        res,
        opts,
        (r) => `Host '${nameIn(r, request.name ?? '?')}' added (${stateIn(r) ?? 'DISABLED'}); enable it with: grappe host enable ${nameIn(r, request.address)}`,
      );
    });
  });

  withJson(
    host
      .command('list')
      .description('list the hosts, as onehost list')
      .addOption(new Option('--state <state>', 'only the hosts in this state').choices(hostState.options))
      .addOption(new Option('--purpose <purpose>', 'only the hosts of this purpose').choices(hostPurpose.options))
      .option('--limit <n>', 'at most n hosts (the next page: --cursor, as printed)', positiveIntArg)
      .option('--cursor <n>', 'the hosts after this host id (from the previous page)', cursorArgOf('host id such as 12')),
  ).action(async (opts: JsonFlag & { state?: string; purpose?: string; limit?: number; cursor?: number }) => {
    await withClient(rt, async (client) => {
      const page = { filters: { state: opts.state, purpose: opts.purpose }, limit: opts.limit, cursor: opts.cursor };
      const res = await fetchListPage(client, rt, '/hosts', { noun: 'hosts', command: 'grappe host list' }, page);
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderHostList(parseList(client, hostSummary, res.body, 'hosts', 'GET /hosts'), rt.color));
    });
  });

  withJson(host.command('show').description('show a host: general details and network interfaces').argument('<host>', 'host id or name')).action(
    async (ref: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', hostPath(ref));
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderHostDetails(client.parse(hostView, res.body, `GET /hosts/${ref}`), rt.color));
      });
    },
  );

  const stateAction = (name: 'enable' | 'maintenance', description: string, verb: string): void => {
    const cmd = withWait(host.command(name).description(description).argument('<host>', 'host id or name'));
    if (name === 'maintenance') cmd.option('--dry-run', "show the host's guests and what evacuating it would do; change nothing");
    cmd.action(async (ref: string, opts: ActionFlags & { dryRun?: boolean }) => {
      if (opts.dryRun) return maintenanceDryRun(rt, ref, opts);
      await withClient(rt, async (client) => {
        const res = await client.request('POST', hostPath(ref, `/${name}`));
        await reportAction(client, rt, res, opts, (r) => `Host '${nameIn(r, ref)}' ${verb} (${stateIn(r) ?? (name === 'enable' ? 'UP' : 'MAINT')}).`);
      });
    });
  };
  stateAction('enable', 'enable a host (→ UP)', 'enabled');
  stateAction('maintenance', 'put a host in maintenance (→ MAINT: no new guests, migrations or failovers)', 'is in maintenance');

  withJson(
    host.command('edit').description('rename a host').argument('<host>', 'host id or name').requiredOption('--name <name>', 'the new name', hostNameArg),
  ).action(async (ref: string, opts: JsonFlag & { name: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('PATCH', hostPath(ref), { name: opts.name });
      await reportAction(client, rt, res, opts, (r) => `Host '${ref}' renamed to '${nameIn(r, opts.name)}'.`);
    });
  });

  withWait(
    host
      .command('remove')
      .description('remove a processing host with no guest')
      .argument('<host>', 'host id or name')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (ref: string, opts: ActionFlags & { yes?: boolean }) => {
    await confirmRemoval(rt, ref, opts.yes === true);
    await withClient(rt, async (client) => {
      const res = await client.request('DELETE', hostPath(ref));
      await reportAction(client, rt, res, opts, () => `Host '${ref}' removed.`);
    });
  });

  withWait(
    host.command('update-connector').description("push the controller's connector version to a host in maintenance").argument('<host>', 'host id or name'),
  ).action(async (ref: string, opts: ActionFlags) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', hostPath(ref, '/update-connector'));
      await reportAction(client, rt, res, opts, () => `Connector of host '${ref}' updated; enable the host when ready: grappe host enable ${ref}`);
    });
  });

  registerHostNic(host, rt);
  registerEvacuate(host, rt);
}

async function confirmRemoval(rt: Runtime, ref: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!rt.interactive) throw usageError(`removing host '${ref}' needs confirmation: add --yes (there is no terminal to ask on)`);
  if (!(await rt.confirm(`Remove host '${ref}' from the cluster?`))) throw new CliError('cancelled: the host was not removed');
}
