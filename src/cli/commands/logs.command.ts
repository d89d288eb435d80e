// `grappe logs [--host H] [--since 10m] [--follow]`: the controller's newest log lines, or a host
// agent's; --follow asks every second for what came after the last line shown.
import type { Command } from 'commander';
import { logView, parseSpan, type LogView } from '../../contract/logs.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { renderLogLine } from '../output/log-lines.ts';
import type { Runtime } from '../runtime.ts';
import { spanArg } from './stats.command.ts';
import { withJson, type JsonFlag } from './output.ts';
import { hostPath, withClient } from './session.ts';

interface LogsOptions extends JsonFlag {
  host?: string;
  since?: string;
  follow?: boolean;
  limit: number;
}

const FOLLOW_POLL_MS = 1000;

export function registerLogs(program: Command, rt: Runtime): void {
  withJson(
    program
      .command('logs')
      .description("show the controller's newest log lines, or a host agent's (--host); --follow keeps showing new ones")
      .option('--host <host>', "a host's agent instead of the controller")
      .option('--since <span>', 'only lines of the last 30m, 6h…', spanArg)
      .option('-f, --follow', 'keep showing new lines (Ctrl+C to stop)')
      .option('--limit <n>', 'at most this many lines first', positiveIntArg, 200),
  ).action(async (opts: LogsOptions) => {
    await withClient(rt, async (client) => {
      const base = opts.host === undefined ? '/logs' : hostPath(opts.host, '/logs');
      const print = (view: LogView): void => {
        for (const l of view.lines) rt.stdout.write((opts.json ? JSON.stringify(l.entry) : renderLogLine(l.entry)) + '\n');
      };
      const sinceMs = opts.since === undefined ? undefined : Date.now() - parseSpan(opts.since)!;
      const first = await client.request('GET', `${base}?limit=${opts.limit}${sinceMs === undefined ? '' : `&sinceMs=${sinceMs}`}`);
      let view = client.parse(logView, first.body, `GET ${base}`);
      print(view);
      if (!opts.follow) return;
      let stopped = false;
      const off = rt.onStopSignal(() => {
        stopped = true;
      });
      try {
        while (!stopped) {
          await rt.sleep(FOLLOW_POLL_MS);
          const next = await client.request('GET', `${base}?after=${view.lastSeq}&limit=5000`);
          view = client.parse(logView, next.body, `GET ${base}`);
          print(view);
        }
      } finally {
        off();
      }
    });
  });
}
