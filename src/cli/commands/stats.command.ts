// `grappe host stats <host>` and `grappe guest stats <guest>`: the per-minute history of CPU, memory,
// disk and network over a span (`--since 1h`, at most 7d), from GET /history.
import { InvalidArgumentError, type Command } from 'commander';
import { HISTORY_METRICS, historyView, parseSpan, type HistoryView } from '../../contract/stats.contract.ts';
import { renderStats } from '../output/stats-view.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { withClient } from './session.ts';

/** --since: a span like 30m, 6h, 7d; anything else is refused with the accepted forms. */
export function spanArg(value: string): string {
  if (parseSpan(value) === undefined) throw new InvalidArgumentError(`'${value}' is not a span like 30m, 6h or 7d (at most 7d, what the history keeps)`);
  return value.trim();
}

export function addStatsCommand(parent: Command, rt: Runtime, kind: 'host' | 'guest'): void {
  withJson(
    parent
      .command('stats')
      .description(`per-minute CPU, memory, disk and network figures of a ${kind} over a span (kept a week)`)
      .argument(`<${kind}>`, kind === 'host' ? 'host id or name' : 'guest id (vm:100) or name')
      .option('--since <span>', 'how far back: 30m, 6h, 7d', spanArg, '1h'),
  ).action(async (ref: string, opts: JsonFlag & { since: string }) => {
    await withClient(rt, async (client) => {
      const views: HistoryView[] = [];
      for (const metric of HISTORY_METRICS) {
        const q = new URLSearchParams({ subject: `${kind}:${ref}`, metric, span: opts.since });
        const res = await client.request('GET', `/history?${q.toString()}`);
        views.push(client.parse(historyView, res.body, 'GET /history'));
      }
      if (opts.json) return printJson(rt, views);
      rt.stdout.write(renderStats(views[0]?.subject ?? `${kind}:${ref}`, opts.since, views));
    });
  });
}
