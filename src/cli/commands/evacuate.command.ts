// `grappe host evacuate HOST [--to HOST] [--max-parallel N] [--dry-run]`, `grappe host undo-evacuate
// HOST [--dry-run] [--yes]` and the maintenance dry run (`grappe host maintenance HOST --dry-run`).
import type { Command } from 'commander';
import { evacuationPlanView, undoPlanView } from '../../contract/evacuation.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import type { ApiClient } from '../http-client.ts';
import { renderEvacuationPlan, renderMaintenancePreview, renderUndoPlan, type MaintenancePreviewView } from '../output/evacuation-views.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { printJson, withWait, type JsonFlag } from './output.ts';
import { hostPath, withClient } from './session.ts';

interface DryRunFlag {
  readonly dryRun?: boolean;
}

interface RunSummary {
  readonly moved?: readonly string[];
  readonly unmovable?: readonly { readonly guest: string; readonly reason: string }[];
}

/** The sentence after a finished run: what moved, and what stayed with why. */
function doneText(verb: string, ref: string, result: unknown): string {
  const r = (result ?? {}) as RunSummary;
  const lines = [`${verb} host '${ref}': ${r.moved?.length ?? 0} guest(s) moved.`, ...(r.moved ?? []).map((m) => `  ${m}`)];
  if (r.unmovable && r.unmovable.length > 0) lines.push(`${r.unmovable.length} guest(s) stayed:`, ...r.unmovable.map((u) => `  ${u.guest}: ${u.reason}`));
  return lines.join('\n');
}

async function undoPlan(client: ApiClient, ref: string) {
  return client.call(undoPlanView, 'POST', hostPath(ref, '/undo-evacuate?dryRun=true'), {});
}

/** Undo needs a yes: the plan is shown first, and nothing is asked when nothing can be undone. */
async function confirmUndo(rt: Runtime, client: ApiClient, ref: string, yes: boolean, json: boolean): Promise<void> {
  const plan = await undoPlan(client, ref);
  if (plan.warning) throw new CliError(plan.warning.message, 1, plan.warning.code);
  if (yes) return;
  if (!rt.interactive) throw usageError(`undoing the evacuation of host '${ref}' needs confirmation: add --yes (there is no terminal to ask on)`);
  if (!json) rt.stderr.write(renderUndoPlan(plan, rt.color));
  if (!(await rt.confirm(`Move ${plan.available.length} guest(s) back to '${plan.origin.name}'? It cannot be interrupted once started.`))) {
    throw new CliError('cancelled: nothing was moved');
  }
}

export function registerEvacuate(host: Command, rt: Runtime): void {
  withWait(
    host
      .command('evacuate')
      .description('move every guest off a host in maintenance (spread evenly, or --to one host); each keeps its power state')
      .argument('<host>', 'host id or name (in MAINT)')
      .option('--to <host>', 'move them all to this host (default: spread over the processing hosts)')
      .option('--max-parallel <n>', 'at most this many moves at once (1-16)', positiveIntArg, 2)
      .option('--dry-run', 'show the plan (targets, expected downtime, guests that cannot move) and change nothing'),
  ).action(async (ref: string, opts: ActionFlags & DryRunFlag & { to?: string; maxParallel: number }) => {
    const body = { maxParallel: opts.maxParallel, ...(opts.to === undefined ? {} : { to: opts.to }) };
    await withClient(rt, async (client) => {
      if (opts.dryRun) {
        const plan = await client.call(evacuationPlanView, 'POST', hostPath(ref, '/evacuate?dryRun=true'), body);
        if (opts.json) return printJson(rt, plan);
        rt.stdout.write(renderEvacuationPlan(plan, rt.color) + 'Nothing was changed (dry run).\n');
        return;
      }
      const res = await client.request('POST', hostPath(ref, '/evacuate'), body);
      await reportAction(client, rt, res, opts, (r) => doneText('Evacuated', ref, r));
    });
  });

  withWait(
    host
      .command('undo-evacuate')
      .description("move the guests of a host's last evacuation back, in their original power state (asks first; cannot be interrupted)")
      .argument('<host>', 'host id or name (the evacuated host)')
      .option('--dry-run', 'list the guests that can go back and those Unavailable, with why; change nothing')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (ref: string, opts: ActionFlags & DryRunFlag & { yes?: boolean }) => {
    await withClient(rt, async (client) => {
      if (opts.dryRun) {
        const plan = await undoPlan(client, ref);
        if (opts.json) return printJson(rt, plan);
        rt.stdout.write(renderUndoPlan(plan, rt.color) + 'Nothing was changed (dry run).\n');
        return;
      }
      await confirmUndo(rt, client, ref, opts.yes === true, opts.json === true);
      const res = await client.request('POST', hostPath(ref, '/undo-evacuate'), {});
      await reportAction(client, rt, res, opts, (r) => doneText('Undid the evacuation of', ref, r));
    });
  });
}

/** `grappe host maintenance HOST --dry-run`: the host's guests and what evacuating it would do. */
export async function maintenanceDryRun(rt: Runtime, ref: string, opts: JsonFlag): Promise<void> {
  await withClient(rt, async (client) => {
    const res = await client.request('POST', hostPath(ref, '/maintenance?dryRun=true'));
    if (opts.json) return printJson(rt, res.body);
    const preview = res.body as MaintenancePreviewView & { evacuation: unknown };
    const plan = client.parse(evacuationPlanView, preview.evacuation, 'POST /hosts/:id/maintenance?dryRun=true');
    rt.stdout.write(renderMaintenancePreview({ ...preview, evacuation: plan }, rt.color) + 'Nothing was changed (dry run).\n');
  });
}
