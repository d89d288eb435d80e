// Checks on what callers hand to a Store, shared by every adapter so they all refuse the same things
// the same way: keys are non-empty well-formed strings, values are plain JSON (what goes in is exactly
// what comes back out — JSON.stringify would silently drop undefined or turn NaN into null).

import { GrappeError } from '../core/errors.ts';
import type { Json, Op } from './store.ts';

const refuse = (code: 'storeBadKey' | 'storeBadLimit' | 'storeValueNotJson' | 'storeBadTxn', message: string, details: { key?: string } = {}): GrappeError =>
  new GrappeError(code, message, details);

// Lone surrogates cannot be stored as UTF-8 text; they would come back as U+FFFD, a different key.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw refuse('storeBadKey', `store: refused ${what} ${describe(key)}: keys must be non-empty strings`);
  }
  if (LONE_SURROGATE.test(key)) {
    throw refuse('storeBadKey', `store: refused ${what} ${JSON.stringify(key)}: it contains a lone UTF-16 surrogate`);
  }
}

/** A prefix may be empty (= every key), otherwise the same rules as a key. */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (prefix === '') return;
  assertKey(prefix, 'prefix');
}

export function assertLimit(limit: unknown): asserts limit is number | undefined {
  if (limit === undefined) return;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
    throw refuse('storeBadLimit', `store: refused list limit ${describe(limit)}: it must be an integer ≥ 1`);
  }
}

/** Throws, naming the offending path, unless `value` is null/boolean/finite number/string/array/plain object. */
export function assertJson(value: unknown, key: string): asserts value is Json {
  const problem = findNonJson(value, '$', new Set());
  if (problem) {
    throw refuse('storeValueNotJson', `store: refused the value for '${key}': ${problem}; values must be plain JSON`, {
      key,
    });
  }
}

function findNonJson(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is a circular reference`;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            // `i in value` catches holes in sparse arrays, which JSON would turn into null.
            const problem = i in value ? findNonJson(value[i], `${path}[${i}]`, seen) : `${path}[${i}] is a hole`;
            if (problem) return problem;
          }
          return undefined;
        }
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          return `${path} is a ${value.constructor?.name ?? 'non-plain'} object`;
        }
        for (const [k, v] of Object.entries(value)) {
          const problem = findNonJson(v, `${path}.${k}`, seen);
          if (problem) return problem;
        }
        return undefined;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return `${path} is ${typeof value === 'function' ? 'a function' : typeof value}`;
  }
}

/** Validates a whole transaction before anything is applied. Like etcd, one key may appear only once. */
export function assertOps(ops: readonly Op[], branch: string): void {
  if (!Array.isArray(ops)) throw refuse('storeBadTxn', `store: refused the transaction: ${branch} must be an array of ops`);
  const keys = new Set<string>();
  for (const op of ops as readonly unknown[]) {
    const key = opKey(op);
    if (key === undefined) {
      throw refuse('storeBadTxn', `store: refused the transaction: each ${branch} op must be {put, value} or {delete}`);
    }
    assertKey(key);
    if (keys.has(key)) {
      throw refuse('storeBadTxn', `store: refused the transaction: key '${key}' appears twice in ${branch}`, { key });
    }
    keys.add(key);
    if ('put' in (op as Op)) assertJson((op as { value: unknown }).value, key);
  }
}

function opKey(op: unknown): unknown {
  if (typeof op !== 'object' || op === null) return undefined;
  if ('put' in op && 'value' in op && !('delete' in op)) return op.put;
  if ('delete' in op && !('put' in op)) return op.delete;
  return undefined;
}

export function assertCompares(compares: readonly unknown[]): void {
  if (!Array.isArray(compares)) throw refuse('storeBadTxn', 'store: refused the transaction: compare must be an array');
  for (const c of compares as readonly unknown[]) {
    const ok =
      typeof c === 'object' &&
      c !== null &&
      'key' in c &&
      'modRevision' in c &&
      typeof c.modRevision === 'number' &&
      Number.isSafeInteger(c.modRevision) &&
      c.modRevision >= 0;
    if (!ok) {
      throw refuse('storeBadTxn', 'store: refused the transaction: each compare must be {key, modRevision: integer ≥ 0}');
    }
    assertKey(c.key);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
}
