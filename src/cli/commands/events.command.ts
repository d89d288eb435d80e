// `grappe events [--follow]`: recent events, then (with --follow) the live stream, one line each.
import type { Command } from 'commander';
import { eventView, type EventView } from '../../contract/event.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { CliError } from '../cli-error.ts';
import type { ApiClient } from '../http-client.ts';
import { renderEventLine } from '../output/record-views.ts';
import type { Runtime } from '../runtime.ts';
import { SseParser } from '../sse-parser.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

interface EventsOptions extends JsonFlag {
  follow?: boolean;
  limit: number;
}

export function registerEvents(program: Command, rt: Runtime): void {
  withJson(
    program
      .command('events')
      .description('show recent events; --follow keeps streaming them (Ctrl+C to stop)')
      .option('-f, --follow', 'stream new events as they happen')
      .option('--limit <n>', 'how many recent events to show first', positiveIntArg, 20),
  ).action(async (opts: EventsOptions) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', `/events/recent?limit=${opts.limit}`);
      const recent = parseList(client, eventView, res.body, 'events', 'GET /events/recent');
      // Oldest first, as a log reads.
      const ordered = [...recent].sort((a, b) => a.seq - b.seq);
      if (!opts.follow) {
        if (opts.json) printJson(rt, ordered);
        else for (const e of ordered) rt.stdout.write(renderEventLine(e, rt.color) + '\n');
        return;
      }
      const print = (e: EventView): void => rt.stdout.write((opts.json ? JSON.stringify(e) : renderEventLine(e, rt.color)) + '\n');
      ordered.forEach(print);
      await tail(client, rt, ordered[ordered.length - 1]?.seq ?? -1, print);
    });
  });
}

/** Streams events newer than `afterSeq` until SIGINT/SIGTERM or the controller closes the stream. */
async function tail(client: ApiClient, rt: Runtime, afterSeq: number, print: (e: EventView) => void): Promise<void> {
  const res = await client.stream('/events');
  const parser = new SseParser();
  let last = afterSeq;
  await new Promise<void>((resolve, reject) => {
    const off = rt.onStopSignal(() => {
      off();
      res.destroy();
      resolve();
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      for (const message of parser.feed(chunk)) {
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          continue; // keep-alives and anything that is not an event
        }
        const parsed = eventView.safeParse(data);
        if (!parsed.success || parsed.data.seq <= last) continue;
        last = parsed.data.seq;
        print(parsed.data);
      }
    });
    res.on('end', () => {
      off();
      reject(new CliError('the controller closed the event stream'));
    });
    res.on('error', (e) => {
      off();
      reject(new CliError(`the event stream broke: ${e.message}`));
    });
  });
}
