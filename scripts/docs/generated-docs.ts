// The parts of the docs that are data in the code: the HA transition table (into
// docs/architecture.md, between its markers) and the error catalog (docs/errors.md). Run
// `npm run docs` after changing either; test/docs/generated-docs.test.ts fails while they differ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG, ERROR_CODES, ERROR_KINDS, statusOfCode } from '../../src/core/error-catalog.ts';
import { GUEST_TRANSITIONS, HOST_TRANSITIONS, type Transition } from '../../src/core/ha/ha-transitions.ts';

const BEGIN = '<!-- generated from src/core/ha/ha-transitions.ts by `npm run docs`: do not edit by hand -->';
const END = '<!-- end of generated HA table -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

function transitionTable(what: string, rows: readonly Transition<string, string>[]): string {
  const lines = [`| ${what} from | event | to | allowed when |`, '|---|---|---|---|'];
  for (const t of rows) lines.push(`| ${t.from} | \`${t.event}\` | ${t.to} | ${cell(t.guard)} |`);
  return lines.join('\n');
}

export function haTablesMarkdown(): string {
  return [BEGIN, transitionTable('host', HOST_TRANSITIONS), '', transitionTable('guest', GUEST_TRANSITIONS), END].join('\n');
}

export function errorsMarkdown(): string {
  const kinds = Object.entries(ERROR_KINDS)
    .map(([k, s]) => `\`${k}\` ${s}`)
    .join(', ');
  const lines = [
    '# Grappe error codes',
    '',
    'Generated from `src/core/error-catalog.ts` by `npm run docs` (do not edit by hand); `grappe errors [CODE]` prints the',
    'same. Every error the API, the connectors, the CLI and the web UI show is one of these, answered as',
    '`{"error": {"code", "kind", "message", "details"}}`. Clients branch on `code` (or on `kind`); the message is for people.',
    '',
    `Kinds and their HTTP status: ${kinds}. A code may give a more precise status (405, 413, 415, 426, 400).`,
    '',
    '| code | status | kind | message (shape) | details fields |',
    '|---|---|---|---|---|',
  ];
  for (const code of ERROR_CODES) {
    const e = ERROR_CATALOG[code];
    lines.push(`| \`${code}\` | ${statusOfCode(code)} | ${e.kind} | ${cell(e.message)} | ${e.fields.join(', ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** Every generated file with the content it must have. */
export function generatedDocs(root: string): Record<string, string> {
  const archPath = join(root, 'docs', 'architecture.md');
  const arch = readFileSync(archPath, 'utf8');
  const from = arch.indexOf(BEGIN);
  const to = arch.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${archPath}: the markers of the generated HA table are missing`);
  return {
    [archPath]: arch.slice(0, from) + haTablesMarkdown() + arch.slice(to + END.length),
    [join(root, 'docs', 'errors.md')]: errorsMarkdown(),
  };
}
