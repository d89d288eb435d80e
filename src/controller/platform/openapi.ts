// The OpenAPI 3.1 document, generated from the same RouteSpecs (and zod schemas) the registry
// validates with: what is documented is what is enforced.
import { z } from 'zod';
import { errorBody } from '../../contract/common.ts';
import { ERROR_CATALOG, ERROR_CODES, statusOfCode, type ErrorCode } from '../../core/error-catalog.ts';
import { routeErrorCodes } from './route-errors.ts';
import { API_PREFIX } from './routes.ts';
import type { RouteSpec } from './types.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** `/hosts/:id` → `/hosts/{id}` */
export const openApiPath = (url: string): string => (API_PREFIX + url).replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) };
  });
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** The route's error answers grouped by HTTP status, each listing its codes (the catalog says more of each). */
function errorResponses(codes: readonly ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(statusOfCode(code), [...(byStatus.get(statusOfCode(code)) ?? []), code]);
  const out: Record<string, JsonSchema> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = { description: `Error: ${list.join(', ')}`, content: errorContent };
  }
  return out;
}

/** Every code with its kind, status, fields and message shape (components.x-error-catalog). */
const catalogDocument = (): JsonSchema => Object.fromEntries(ERROR_CODES.map((code) => [code, { ...ERROR_CATALOG[code], status: statusOfCode(code) }]));

function operation(spec: RouteSpec): JsonSchema {
  const mutating = spec.method !== 'GET';
  const codes = routeErrorCodes(spec);
  const params = [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')];
  if (mutating) {
    params.push({
      name: 'wait',
      in: 'query',
      required: false,
      schema: { type: 'boolean' },
      description: 'for actions that start a task: answer when the task has ended (200 with the task, or its error)',
    });
  }
  const ok = spec.response ? { content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } } : {};
  return {
    summary: spec.summary,
    tags: [...spec.tags],
    operationId: `${spec.method.toLowerCase()}${openApiPath(spec.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    ...(spec.auth === false ? { security: [] } : {}),
    responses: {
      '200': { description: 'OK', ...ok },
      ...(mutating
        ? {
            '202': {
              description: 'Accepted: a task was started; follow the Location header (/api/v1/tasks/ID)',
              content: { 'application/json': { schema: { type: 'object', properties: { taskId: { type: 'string' } }, required: ['taskId'] } } },
            },
          }
        : {}),
      ...errorResponses(codes),
    },
    'x-error-codes': codes,
  };
}

export function buildOpenApi(specs: readonly RouteSpec[], info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of specs) {
    const path = (paths[openApiPath(spec.url)] ??= {});
    path[spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Grappe API', version: info.version, description: 'Grappe virtualization cluster manager: REST API of the controller.' },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'token from POST /api/v1/auth/login' } },
      schemas: { Error: jsonSchema(errorBody, 'output') },
      'x-error-catalog': catalogDocument(),
    },
  };
}
