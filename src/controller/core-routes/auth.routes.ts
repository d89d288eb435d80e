import { z } from 'zod';
import { loginRequest, loginResponse, whoAmIResponse } from '../../contract/auth.contract.ts';
import { GrappeError, isGrappeError } from '../../core/errors.ts';
import { accessRuntime } from '../access/access-runtime.ts';
import { checkCredentials, findUser } from '../auth/users.ts';
import { DEFAULT_TOKEN_TTL_MS, issueToken, revokeToken, tokenOfRequest } from '../auth/tokens.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const authRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'POST',
    url: '/auth/login',
    summary: 'Log in: exchange a username and password for a bearer token',
    tags: ['auth'],
    errors: ['badCredentials', 'userDisabled', 'tooManyAttempts'],
    auth: false,
    body: loginRequest,
    response: loginResponse,
    audit: 'auth.login',
    handler: async ({ body, request, reply }) => {
      const { byUser, byAddress } = (await accessRuntime(ctx)).logins;
      const userKey = [`user:${body.username.toLowerCase()}`];
      const addressKey = [`addr:${request.ip}`];
      const now = ctx.clock.now();
      const wait = Math.max(byUser.waitMs(userKey, now), byAddress.waitMs(addressKey, now));
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        reply.header('retry-after', String(seconds));
        throw new GrappeError('tooManyAttempts', `login refused: too many failed attempts for this user or from this address; try again in ${seconds} s`, {
          retryAfterSeconds: seconds,
        });
      }
      const user = await checkCredentials(ctx.store, body.username, body.password).catch((e: unknown) => {
        if (isGrappeError(e) && e.code === 'badCredentials') {
          byUser.failed(userKey, now);
          byAddress.failed(addressKey, now);
        }
        throw e;
      });
      byUser.succeeded(userKey);
      byAddress.succeeded(addressKey);
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
      await revokeToken(ctx.store, tokenOfRequest(request.headers));
      return { status: 204, body: null, auditTarget: `user:${actor.username}` };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/auth/ticket',
    summary: 'A one-time ticket (30 s) for what cannot send headers: GET /events?ticket=, the console WebSocket ?ticket=',
    tags: ['auth'],
    errors: [],
    response: z.object({ ticket: z.string(), expiresAt: z.string() }),
    handler: async ({ actor, credentialKey }) => {
      const { ticket, expiresAt } = (await accessRuntime(ctx)).issueTicket(actor, credentialKey, ctx.clock.now());
      return { body: { ticket, expiresAt: new Date(expiresAt).toISOString() } };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/auth/me',
    summary: 'Who the token belongs to, and their rights (grants and privileges) for a client to hide what they may not do',
    tags: ['auth'],
    errors: [],
    response: whoAmIResponse,
    handler: async ({ actor }) => {
      const user = await findUser(ctx.store, actor.username);
      const rights = (await accessRuntime(ctx)).rightsOf(actor);
      return { body: { username: actor.username, role: user?.role ?? 'unknown', rights } };
    },
  }),
];
