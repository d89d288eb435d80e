// Prefix queries as key ranges: every key starting with `prefix` is in [prefix, prefixEnd(prefix)).
// A range (not LIKE) lets SQLite walk the primary-key index and needs no escaping of '%' or '_'.
// SQLite compares TEXT bytewise as UTF-8, which orders strings by code point, so the end is the prefix
// with its last code point incremented (dropping trailing U+10FFFF, which cannot be incremented).

const MAX_CODE_POINT = 0x10ffff;

/** The smallest string greater than every string starting with `prefix`; undefined = no upper bound. */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last === MAX_CODE_POINT) continue;
    // Skip the surrogate block: lone surrogates are not valid text.
    const next = last === 0xd7ff ? 0xe000 : last + 1;
    return String.fromCodePoint(...points, next);
  }
  return undefined;
}

/** Code-point order, the order SQLite's BINARY collation (and etcd's byte order) gives UTF-8 keys. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
