// `grappe guest list`, `host list` and `volume list` filter and page as the API's query (?host=&state=&…,
// ?limit=&cursor=), and print the command line of the next page.
import { InvalidArgumentError } from 'commander';
import { NEXT_CURSOR_HEADER } from '../../contract/paging.contract.ts';
import type { ApiClient, ApiResponse } from '../http-client.ts';
import type { Runtime } from '../runtime.ts';

/** The filters (flag name → value) and the page asked for. */
export interface ListFlags {
  readonly filters: Readonly<Record<string, string | undefined>>;
  readonly limit?: number | undefined;
  /** A guest number or host id; a volume's name. */
  readonly cursor?: number | string | undefined;
}

/** A --cursor parser: the key of the last item of the previous page (`what`: 'guest number such as 104'). */
export function cursorArgOf(what: string): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a ${what}`);
    return n;
  };
}

export function listPath(base: string, f: ListFlags): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(f.filters)) if (value !== undefined) q.set(name, value);
  if (f.limit !== undefined) q.set('limit', String(f.limit));
  if (f.cursor !== undefined) q.set('cursor', String(f.cursor));
  const query = q.toString();
  return query === '' ? base : `${base}?${query}`;
}

/** The same filters and page size, from the cursor the server gave. */
export function nextPageArgs(f: ListFlags, cursor: string): string {
  const args = [
    ...Object.entries(f.filters).flatMap(([name, value]) => (value !== undefined ? [`--${name}`, value] : [])),
    ...(f.limit !== undefined ? ['--limit', String(f.limit)] : []),
    '--cursor',
    cursor,
  ];
  return args.map((a) => (/^[\w:.-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** GETs one page; when more remain, says on stderr the command line of the next one. */
export async function fetchListPage(client: ApiClient, rt: Runtime, base: string, more: { noun: string; command: string }, f: ListFlags): Promise<ApiResponse> {
  const res = await client.request('GET', listPath(base, f));
  const next = res.headers[NEXT_CURSOR_HEADER];
  if (typeof next === 'string') rt.stderr.write(`more ${more.noun}: ${more.command} ${nextPageArgs(f, next)}\n`);
  return res;
}
