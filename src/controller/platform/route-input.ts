// Turning a request's params, query and body into validated values: URL values arrive as strings, so
// where the schema wants a number or boolean the string is converted first; zod's issues become one
// invalidInput error that names every offending field (body.address, query.limit…).
import { z } from 'zod';
import { errors, type GrappeError } from '../../core/errors.ts';

export type InputPart = 'params' | 'query' | 'body';

export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

// Wrappers that do not change what a URL string must be converted to.
const WRAPPERS = new Set(['optional', 'default', 'nullable', 'prefault', 'catch', 'readonly', 'nonoptional']);

/** The primitive type a schema expects once wrappers (optional, default…) are peeled off. */
function baseType(schema: z.ZodType): string {
  let s = schema as z.ZodType & { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } };
  for (let i = 0; i < 10; i++) {
    const def = s.def;
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType as typeof s;
    else if (def.type === 'pipe' && def.in) s = def.in as typeof s;
    else return def.type;
  }
  return s.def.type;
}

function convert(value: unknown, type: string): unknown {
  if (typeof value !== 'string') return value;
  if ((type === 'number' || type === 'int') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Converts URL string values to numbers/booleans where an object schema's field asks for one. */
export function coerceUrlValues(schema: z.ZodType, raw: unknown): unknown {
  if (!(schema instanceof z.ZodObject) || raw === null || typeof raw !== 'object') return raw;
  const shape = schema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [key, field] of Object.entries(shape)) {
    if (key in out) out[key] = convert(out[key], baseType(field));
  }
  return out;
}

export function issuesOf(part: InputPart, error: z.ZodError, raw: unknown): InputIssue[] {
  return error.issues.flatMap((issue): InputIssue[] => {
    const path = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: `${path}.${key}`, message: 'unknown field' }));
    if (issue.code === 'invalid_type' && issue.path.length === 0 && part === 'body' && (raw === undefined || typeof raw === 'string')) {
      const what = raw === undefined ? 'required' : 'not JSON';
      return [{ path, message: `${what}: send a JSON object with 'Content-Type: application/json'` }];
    }
    return [{ path, message: issue.message }];
  });
}

export function invalidInputError(issues: InputIssue[]): GrappeError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return errors.invalidInput(`invalid input: ${summary}`, { issues });
}

/** Fields an object schema does not know: refused, not silently dropped (a typo must not go unnoticed). */
function unknownKeys(part: InputPart, schema: z.ZodType | undefined, raw: unknown): InputIssue[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [];
  const known =
    schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape as object)) : schema === undefined && part !== 'body' ? new Set<string>() : undefined;
  if (!known) return [];
  return Object.keys(raw)
    .filter((k) => !known.has(k))
    .map((k) => ({ path: `${part}.${k}`, message: part === 'query' ? 'unknown query parameter' : 'unknown field' }));
}

/** Validates one part of the request; throws invalidInput naming the fields. */
export function parsePart(part: InputPart, schema: z.ZodType | undefined, raw: unknown): unknown {
  const unknown = unknownKeys(part, schema, raw);
  if (!schema) {
    if (unknown.length > 0) throw invalidInputError(unknown);
    return part === 'body' ? raw : (raw ?? {});
  }
  const input = part === 'body' ? raw : coerceUrlValues(schema, raw ?? {});
  const result = schema.safeParse(input);
  // Every problem at once: the unknown fields and what the schema says of the others.
  const issues = [...unknown, ...(result.success ? [] : issuesOf(part, result.error, raw))];
  const unique = issues.filter((i, n) => issues.findIndex((j) => j.path === i.path) === n);
  if (unique.length > 0) throw invalidInputError(unique.sort((a, b) => a.path.localeCompare(b.path)));
  return result.success ? result.data : undefined;
}

/** `?wait=true` asks a task route to answer when the task has ended. Removed from the query it reads. */
export function takeWait(query: unknown): { wait: boolean; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = { ...((query ?? {}) as Record<string, unknown>) };
  const raw = rest['wait'];
  delete rest['wait'];
  if (raw === undefined || raw === 'false' || raw === '0') return { wait: false, rest };
  if (raw === 'true' || raw === '1' || raw === '') return { wait: true, rest };
  throw invalidInputError([{ path: 'query.wait', message: "must be 'true' or 'false'" }]);
}
