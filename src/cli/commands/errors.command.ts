// `grappe errors [CODE] [--json]`: the error catalog the API and the connectors answer with — each
// code's kind, HTTP status, the fields its details carry and the shape of its message — so a script
// can branch on codes and an admin can look up one seen in a log.
import type { Command } from 'commander';
import { ERROR_CATALOG, ERROR_CODES, isErrorCode, statusOfCode, type ErrorCode } from '../../contract/error-catalog.contract.ts';
import { usageError } from '../cli-error.ts';
import type { Runtime } from '../runtime.ts';
import { printJson } from './output.ts';

const describe = (code: ErrorCode) => ({ code, status: statusOfCode(code), ...ERROR_CATALOG[code] });

export function registerErrors(program: Command, rt: Runtime): void {
  program
    .command('errors')
    .argument('[code]', 'one error code, e.g. noSuitableHost')
    .description('list the error codes Grappe answers with (or explain one): kind, HTTP status, fields, message')
    .option('--json', 'print JSON')
    .action((code: string | undefined, opts: { json?: boolean }) => {
      if (code !== undefined && !isErrorCode(code)) throw usageError(`no error code '${code}'; \`grappe errors\` lists them all`);
      const rows = (code === undefined ? ERROR_CODES : [code]).map(describe);
      if (opts.json) return printJson(rt, code === undefined ? rows : rows[0]);
      for (const r of rows) {
        const fields = r.fields.length > 0 ? `  fields: ${r.fields.join(', ')}` : '';
        rt.stdout.write(`${r.code.padEnd(30)} ${String(r.status)} ${r.kind.padEnd(15)} ${r.message}${fields}\n`);
      }
    });
}
