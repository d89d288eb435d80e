// `grappe guest list` filters and pages as the API's query (?host=&state=&limit=&cursor=), and the
// command line of the next page.
import { InvalidArgumentError } from 'commander';

export interface ListFlags {
  host?: string;
  state?: string;
  limit?: number;
  cursor?: number;
}

export function cursorArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a guest number such as 104`);
  return n;
}

export function guestListPath(f: ListFlags): string {
  const q = new URLSearchParams();
  if (f.host !== undefined) q.set('host', f.host);
  if (f.state !== undefined) q.set('state', f.state);
  if (f.limit !== undefined) q.set('limit', String(f.limit));
  if (f.cursor !== undefined) q.set('cursor', String(f.cursor));
  const query = q.toString();
  return query === '' ? '/guests' : `/guests?${query}`;
}

/** The same filters and page size, from the cursor the server gave. */
export function nextPageArgs(f: ListFlags, cursor: string): string {
  const args = [
    ...(f.host !== undefined ? ['--host', f.host] : []),
    ...(f.state !== undefined ? ['--state', f.state] : []),
    ...(f.limit !== undefined ? ['--limit', String(f.limit)] : []),
    '--cursor',
    cursor,
  ];
  return args.map((a) => (/^[\w:.-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
