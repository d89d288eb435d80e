// `grappe guest migrate vm:100 [HOST]` (also `qm migrate 100 HOST` style: a bare number and the host
// as the second word): moves a guest keeping its power state — live for a running VM — and prints the
// measured downtime and total time. --dry-run prints the plan: target, kind, expected downtime, blockers.
import type { Command } from 'commander';
import type { z } from 'zod';
import { guestMigratePlan, guestMoveOutcome } from '../../contract/guest.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { paint } from '../output/ansi.ts';
import { renderDecision } from '../output/decision-view.ts';
import { renderFields } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { printJson, withWait } from './output.ts';
import { withClient } from './session.ts';

interface MigrateFlags extends ActionFlags {
  maxDowntime?: number;
  bandwidth?: number;
  dryRun?: boolean;
  explain?: boolean;
  online?: boolean;
  cancel?: boolean;
}

const KIND_WORDS = { live: 'live migration', restart: 'stop, copy and start (container)', cold: 'cold move (stopped)' } as const;

export function renderMovePlan(p: z.infer<typeof guestMigratePlan>, color: boolean, explain: boolean): string {
  const fields = renderFields([
    ['Guest', `${p.guest} (${p.name}), ${p.state}`],
    ['From', p.from.name],
    ['To', p.to?.name ?? '(no host can take it)'],
    ['Kind', p.kind ? KIND_WORDS[p.kind] : '-'],
    ['Expected downtime', `${p.expectedDowntimeMs} ms (${p.downtimeBasis})`],
    ['Why', p.why],
  ]);
  const blockers =
    p.blockers.length === 0
      ? paint(color, 'green', 'No blockers: the move can go ahead (nothing was changed).')
      : `${paint(color, 'red', 'Blocked:')}\n${p.blockers.map((b) => `  - ${b}`).join('\n')}`;
  return `${explain ? `${renderDecision(p.decision, color)}\n` : ''}${fields}${blockers}\n`;
}

export function movedMessage(result: unknown, ref: string): string {
  const o = guestMoveOutcome.safeParse(result);
  if (!o.success) return `Guest ${ref} moved.`;
  const r = o.data;
  const bytes = r.transferredBytes === undefined ? '' : `, ${(r.transferredBytes / 1048576).toFixed(1)} MiB transferred`;
  return `Guest ${r.guest} moved (${r.kind}) from '${r.from.name}' to '${r.to.name}': downtime ${r.downtimeMs} ms, total ${r.totalMs} ms${bytes}.`;
}

export function registerGuestMigrate(guest: Command, rt: Runtime): void {
  withWait(
    guest
      .command('migrate')
      .description(
        'move a guest to another host keeping its power state: live for a running VM (default max downtime 100 ms), stop-copy-start for a running container, cold when stopped',
      )
      .argument('<guest>', 'vm:100, ct:101, a bare id (qm style) or its name')
      .argument('[host]', "the target host (name or id); default: the scheduler's choice")
      .option('--max-downtime <ms>', 'live migration: the longest pause allowed at switch-over', positiveIntArg)
      .option('--bandwidth <MiBps>', 'live migration: bandwidth cap in MiB/s', positiveIntArg)
      .option('--dry-run', 'print the plan (target, kind, expected downtime, blockers) and change nothing')
      .option('--explain', 'with --dry-run: also every host with its verdict, as the scheduler decided')
      .option('--online', 'accepted for qm compatibility: a running VM always moves live')
      .option('--cancel', 'cancel the live migration of this guest now running; it stays on its source host'),
  ).action(async (ref: string, host: string | undefined, opts: MigrateFlags) => {
    const body = {
      ...(host === undefined ? {} : { host }),
      ...(opts.maxDowntime === undefined ? {} : { maxDowntimeMs: opts.maxDowntime }),
      ...(opts.bandwidth === undefined ? {} : { bandwidthMiBps: opts.bandwidth }),
    };
    const path = `/guests/${encodeURIComponent(ref)}/migrate`;
    await withClient(rt, async (client) => {
      if (opts.cancel) {
        const res = await client.request('POST', `${path}/cancel`, {});
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(`Live migration of ${ref} cancelled: it keeps running on its source host.\n`);
        return;
      }
      if (opts.dryRun) {
        const res = await client.request('POST', `${path}?dryRun=true`, body);
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderMovePlan(client.parse(guestMigratePlan, res.body, `POST ${path}?dryRun=true`), rt.color, opts.explain === true));
        return;
      }
      const res = await client.request('POST', path, body);
      await reportAction(client, rt, res, opts, (r) => movedMessage(r, ref));
    });
  });
}
