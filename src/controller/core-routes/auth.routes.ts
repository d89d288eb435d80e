import { z } from 'zod';
import { loginRequest, loginResponse } from '../../contract/auth.contract.ts';
import { checkCredentials, findUser } from '../auth/users.ts';
import { DEFAULT_TOKEN_TTL_MS, issueToken, revokeToken, tokenOfRequest } from '../auth/tokens.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const whoAmIResponse = z.object({ username: z.string(), role: z.string() });

export const authRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'POST',
    url: '/auth/login',
    summary: 'Log in: exchange a username and password for a bearer token',
    tags: ['auth'],
    errors: ['badCredentials', 'userDisabled'],
    auth: false,
    body: loginRequest,
    response: loginResponse,
    audit: 'auth.login',
    handler: async ({ body }) => {
      const user = await checkCredentials(ctx.store, body.username, body.password);
      const { token, expiresAt } = await issueToken(ctx.store, ctx.clock, user.username, ctx.settings.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS);
      return { body: { token, expiresAt, username: user.username }, auditTarget: `user:${user.username}` };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/logout',
    summary: 'Log out: the token stops working',
    tags: ['auth'],
    errors: [],
    audit: 'auth.logout',
    handler: async ({ request, actor }) => {
      await revokeToken(ctx.store, tokenOfRequest(request.headers, undefined));
      return { status: 204, body: null, auditTarget: `user:${actor.username}` };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/me',
    summary: 'Who the token belongs to',
    tags: ['auth'],
    errors: [],
    response: whoAmIResponse,
    handler: async ({ actor }) => {
      const user = await findUser(ctx.store, actor.username);
      return { body: { username: actor.username, role: user?.role ?? 'unknown' } };
    },
  }),
];
