// A deterministic fuzzer of the controller's API, driven by its own OpenAPI document: for every route,
// calls without a session (which must be refused unless the route is public) and calls with a session
// and hostile inputs (path parameters with traversal, control characters and huge strings; query
// values of the wrong type; bodies of the wrong shape, each property given a wrong or extreme value).
// Every answer must be a 4xx or 2xx with a reason — never a 5xx.
import { request } from 'node:https';

export interface FuzzAnswer {
  readonly route: string; // 'POST /api/v1/volumes'
  readonly input: string; // what was sent, for the report
  readonly status: number;
  readonly body: string;
}

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[]; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[] };
interface Operation {
  parameters?: Array<{ name: string; in: 'path' | 'query'; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
}

/** Deterministic pseudo-random numbers (a seed gives the same corpus on every run). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  'a\u0000b',
  'line\nbreak',
  '\u001b[31mred',
  "'; DROP TABLE hosts; --",
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '🙂💥',
  'vm:999999999999999999999',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  '${jndi:ldap://x}',
];
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e309 as number,
  Number.MAX_SAFE_INTEGER + 2,
  [],
  {},
  [1, 'a', null],
  { nested: { deeper: { deepest: [] } } },
  'x'.repeat(100_000),
];

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** A wrong or extreme value for a property (often of the wrong type, sometimes hostile text). */
function hostileValue(r: () => number, schema: Schema | undefined): unknown {
  const choice = r();
  if (choice < 0.4) return pick(r, HOSTILE_STRINGS);
  if (choice < 0.8) return pick(r, HOSTILE_VALUES);
  if (schema?.enum) return `${String(schema.enum[0])}-not-a-choice`;
  return schema?.type === 'string' ? 12345 : 'not-the-type';
}

/** A body to send: the whole thing of the wrong shape, or the right shape with one or more bad properties. */
function hostileBody(r: () => number, schema: Schema | undefined): unknown {
  const choice = r();
  if (choice < 0.15) return pick(r, HOSTILE_VALUES);
  const props = schema?.properties ?? {};
  const body: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(props)) body[name] = r() < 0.5 ? hostileValue(r, s) : sampleValue(s);
  if (choice < 0.3) body['__proto__'] = { polluted: true };
  if (choice < 0.4) body['unexpectedField'] = 'x';
  return body;
}

/** A plausible value for a schema (so that one bad property is what gets tested). */
function sampleValue(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.enum) return s.enum[0];
  const inner = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (inner) return sampleValue(inner);
  switch (s.type) {
    case 'integer':
    case 'number':
      return 8;
    case 'boolean':
      return true;
    case 'array':
      return [sampleValue(s.items)];
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sampleValue(v)]));
    default:
      return 'fuzz';
  }
}

export interface FuzzCase {
  readonly method: string;
  readonly path: string; // with the parameters filled in
  readonly route: string;
  readonly body?: unknown;
  readonly auth: boolean;
}

/** The corpus: for each route, one call without a session, then `perRoute` hostile calls with one (none for `skip`). */
export function fuzzCases(doc: OpenApiDoc, seed: number, perRoute: number, skip: ReadonlySet<string>): FuzzCase[] {
  const r = rng(seed);
  const cases: FuzzCase[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const route = `${method} ${template}`;
      const jsonSchema = op.requestBody?.content?.['application/json']?.schema;
      const fill = (hostile: boolean): string => {
        const path = template.replace(/\{([^}]+)\}/g, () => encodeURIComponent(hostile ? pick(r, HOSTILE_STRINGS) || 'x' : 'vm:100'));
        const query = (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .filter(() => hostile && r() < 0.7)
          .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(hostileValue(r, p.schema)))}`);
        if (hostile && r() < 0.2) query.push(`unknown=${encodeURIComponent(pick(r, HOSTILE_STRINGS))}`);
        return query.length > 0 ? `${path}?${query.join('&')}` : path;
      };
      cases.push({ method, route, path: fill(false), ...(jsonSchema ? { body: sampleValue(jsonSchema) } : {}), auth: false });
      if (skip.has(route)) continue; // the call without a session is still made
      for (let i = 0; i < perRoute; i++) {
        cases.push({ method, route, path: fill(true), ...(jsonSchema || r() < 0.3 ? { body: hostileBody(r, jsonSchema) } : {}), auth: true });
      }
    }
  }
  return cases;
}

export function send(baseUrl: string, token: string | undefined, c: FuzzCase): Promise<FuzzAnswer> {
  const payload = c.body === undefined ? undefined : JSON.stringify(c.body);
  return new Promise((resolve) => {
    const req = request(
      new URL(c.path, baseUrl),
      {
        method: c.method,
        rejectUnauthorized: false,
        agent: false,
        headers: {
          ...(token && c.auth ? { authorization: `Bearer ${token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => {
          if (chunks.length < 8) chunks.push(d); // streams (events) are cut: only the status matters
          if (res.headers['content-type']?.includes('event-stream')) res.destroy();
        });
        const done = () =>
          resolve({
            route: c.route,
            input: `${c.method} ${c.path} ${payload?.slice(0, 200) ?? ''}`,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 300),
          });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', (e) => resolve({ route: c.route, input: `${c.method} ${c.path}`, status: 0, body: e.message }));
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    req.end(payload);
  });
}
