// `grappe audit [list]`: who changed what, when, from where, and with which result; filtered by
// user, object and time; --jsonl exports one JSON object per line.
import type { Command } from 'commander';
import { auditEntry } from '../../contract/audit.contract.ts';
import { parseSpan } from '../../contract/stats.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { renderAuditList } from '../output/record-views.ts';
import type { Runtime } from '../runtime.ts';
import { spanArg } from './stats.command.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

interface AuditOptions extends JsonFlag {
  limit: number;
  user?: string;
  object?: string;
  since?: string;
  jsonl?: boolean;
}

export function registerAudit(program: Command, rt: Runtime): void {
  const addOptions = (cmd: Command): Command =>
    withJson(cmd)
      .option('--limit <n>', 'how many entries', positiveIntArg, 50)
      .option('--user <user>', "only this user's changes")
      .option('--object <text>', 'only changes whose target contains this (vm:100, /hosts/proc1…)')
      .option('--since <span>', 'only the last 30m, 6h, 7d…', spanArg)
      .option('--jsonl', 'one JSON object per line (for export)');
  const run = async (opts: AuditOptions): Promise<void> => {
    await withClient(rt, async (client) => {
      const q = new URLSearchParams({ limit: String(opts.limit) });
      if (opts.user) q.set('user', opts.user);
      if (opts.object) q.set('object', opts.object);
      if (opts.since) q.set('since', new Date(Date.now() - parseSpan(opts.since)!).toISOString());
      const res = await client.request('GET', `/audit?${q.toString()}`);
      if (opts.json) return printJson(rt, res.body);
      const entries = parseList(client, auditEntry, res.body, 'entries', 'GET /audit');
      if (opts.jsonl) return void rt.stdout.write(entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : ''));
      rt.stdout.write(renderAuditList(entries, rt.color));
    });
  };
  // `list` is the default: `grappe audit --user ops` is `grappe audit list --user ops`. The options live on
  // `list` only (on both, the parent's would take them and the list would go unfiltered).
  const audit = program.command('audit').description('show the audit log (also: grappe audit list)');
  addOptions(audit.command('list', { isDefault: true }).description('show the audit log, filtered')).action(run);
}
