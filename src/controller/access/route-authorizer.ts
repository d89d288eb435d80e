// The router's check of every call against the access table (route-access.ts): the caller's account
// must exist and be enabled, then hold the line's privilege on the line's path.
import { GrappeError } from '../../core/errors.ts';
import type { Actor, Authorizer, ControllerContext, RouteSpec } from '../platform/types.ts';
import { accessRuntime } from './access-runtime.ts';
import { accessRuleOf, pathOf, type AccessRule } from './route-access.ts';

export function routeAuthorizer(ctx: ControllerContext, extra: Readonly<Record<string, AccessRule>> = {}): Authorizer {
  const ruleOf = (spec: RouteSpec): AccessRule => {
    const rule = accessRuleOf(spec.method, spec.url, extra);
    if (!rule) throw new Error(`route ${spec.method} ${spec.url} has no line in the access table (src/controller/access/route-access.ts)`);
    return rule;
  };
  return {
    check(spec) {
      const rule = ruleOf(spec);
      const isPublic = 'public' in rule;
      if (isPublic !== (spec.auth === false)) {
        throw new Error(
          `route ${spec.method} ${spec.url}: its access line says ${isPublic ? 'public' : 'logged in'}, its declaration says auth: ${String(spec.auth ?? true)}`,
        );
      }
    },
    async redeemTicket(ticket) {
      return redeem(ctx, ticket);
    },
    async authorize(spec, input, actor) {
      const rule = ruleOf(spec);
      if ('public' in rule) return;
      const access = await accessRuntime(ctx);
      requireEnabled(access.user(actor.username), actor);
      if ('session' in rule) return;
      const path = await pathOf(rule, ctx, input);
      const action = `${spec.method} /api/v1${spec.url}`;
      if (rule.list) {
        if (!access.holdsAnywhereUnder(actor, rule.privilege, path)) access.require(actor, rule.privilege, path, action);
        return;
      }
      access.require(actor, rule.privilege, path, action);
    },
  };
}

/** A session or token of a deleted or disabled user does nothing. */
export function requireEnabled(user: { disabled: boolean } | undefined, actor: Actor): void {
  if (!user) throw new GrappeError('tokenUnknown', `unknown token: user '${actor.username}' no longer exists; log in again`);
  if (user.disabled) throw new GrappeError('userDisabled', `refused: user '${actor.username}' is disabled`, { user: actor.username });
}

/** A ticket's caller, if its session or token still exists (a logout within the ticket's 30 s ends it too). */
export async function redeem(ctx: ControllerContext, ticket: string): Promise<{ actor: Actor; credentialKey: string }> {
  const t = (await accessRuntime(ctx)).redeemTicket(ticket, ctx.clock.now());
  if (!(await ctx.store.get(t.credentialKey))) throw new GrappeError('tokenUnknown', 'the session or token this ticket was made for has ended: log in again');
  return t;
}
