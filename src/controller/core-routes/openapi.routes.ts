import { defineRoute } from '../platform/routes.ts';
import type { RouteSpec } from '../platform/types.ts';

/** The OpenAPI document; `build` is called once, after every route is known. */
export const openApiRoutes = (build: () => Record<string, unknown>): RouteSpec[] => {
  let doc: Record<string, unknown> | undefined;
  return [
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      summary: 'This API described as OpenAPI 3.1',
      tags: ['system'],
      errors: [],
      auth: false,
      handler: async () => ({ body: (doc ??= build()) }),
    }),
  ];
};
