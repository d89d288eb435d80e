// `grappe audit`: who changed what, when, and with which result.
import type { Command } from 'commander';
import { auditEntry } from '../../contract/audit.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { renderAuditList } from '../output/record-views.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

export function registerAudit(program: Command, rt: Runtime): void {
  withJson(program.command('audit').description('show the audit log').option('--limit <n>', 'how many entries', positiveIntArg, 50)).action(
    async (opts: JsonFlag & { limit: number }) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', `/audit?limit=${opts.limit}`);
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderAuditList(parseList(client, auditEntry, res.body, 'entries', 'GET /audit'), rt.color));
      });
    },
  );
}
