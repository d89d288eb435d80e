// The route registry: every REST route is a RouteSpec, registered here the same way — bearer auth,
// zod validation of params/query/body, task answers (202 + Location, or the ended task with
// ?wait=true), and an audit record for mutating routes. Errors are thrown and mapped in one place
// (error-mapping.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { errors, type GrappeError } from '../../core/errors.ts';
import type { TaskView } from '../../contract/task.contract.ts';
import { withRequestId } from '../../streams/request-context.ts';
import { actorOfToken, credentialKeyOf, tokenOfRequest } from '../auth/tokens.ts';
import { grappeErrorFrom, toHttpError } from './error-mapping.ts';
import { checkDeclared } from './route-errors.ts';
import { parsePart, takeWait } from './route-input.ts';
import type { Actor, Authorizer, ControllerContext, RouteResult, RouteSpec } from './types.ts';

export const API_PREFIX = '/api/v1';

/** Who calls a route that needs no login. */
export const ANONYMOUS: Actor = { username: 'anonymous' };

/**
 * Declares a route with handler types inferred from its schemas, and returns it as a plain
 * RouteSpec. Handlers take their input as a parameter, so a RouteSpec<ZodObject…> is not a
 * RouteSpec<ZodType> (parameters are contravariant); the registry validates the input with these very
 * schemas before calling the handler, which is what makes this one widening cast sound.
 */
export function defineRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export interface RegisteredRoute {
  readonly method: RouteSpec['method'];
  readonly url: string; // full, with the /api/v1 prefix
}

export function registerRoutes(app: FastifyInstance, ctx: ControllerContext, specs: readonly RouteSpec[], authorizer: Authorizer): RegisteredRoute[] {
  for (const spec of specs) authorizer.check(spec);
  return specs.map((spec) => {
    const url = API_PREFIX + spec.url;
    app.route({ method: spec.method, url, handler: (request, reply) => handle(ctx, spec, authorizer, request, reply) });
    return { method: spec.method, url };
  });
}

async function handle(ctx: ControllerContext, spec: RouteSpec, authorizer: Authorizer, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  let actor: Actor | undefined = spec.auth === false ? ANONYMOUS : undefined;
  let credentialKey = '';
  try {
    const ticket = spec.ticketInQuery ? (request.query as Record<string, unknown> | undefined)?.['ticket'] : undefined;
    if (!actor && typeof ticket === 'string' && ticket !== '' && request.headers.authorization === undefined) {
      ({ actor, credentialKey } = await authorizer.redeemTicket(ticket));
    } else if (!actor) {
      const bearer = tokenOfRequest(request.headers);
      credentialKey = credentialKeyOf(bearer);
      actor = await actorOfToken(ctx.store, ctx.clock, bearer);
      if (actor.scope !== undefined && spec.acceptsScope !== actor.scope)
        throw errors.forbidden(`${spec.method} ${API_PREFIX}${spec.url} refused: this is a '${actor.scope}' token; it may only read ${API_PREFIX}/metrics`);
    }
    const { wait, rest } = takeWait(request.query);
    const input = {
      params: parsePart('params', spec.params, request.params),
      query: parsePart('query', spec.query, rest),
      body: spec.body ? parsePart('body', spec.body, request.body) : undefined,
      actor,
      credentialKey,
      request,
      reply,
    };
    if (spec.auth !== false) await authorizer.authorize(spec, input, actor);
    const result = await withRequestId(request.id, () => spec.handler(input));
    return await answer(ctx, spec, actor, request, reply, result, wait);
  } catch (err) {
    // Audit what a known user was refused; unauthenticated calls name nobody and are not recorded.
    const answered = checkDeclared(spec, err, ctx.settings.strictErrorCodes === true, (m) => request.log.warn(m));
    if (spec.audit && actor) await auditError(ctx, spec.audit, actor, request, answered);
    throw answered;
  }
}

async function answer(
  ctx: ControllerContext,
  spec: RouteSpec,
  actor: Actor,
  request: FastifyRequest,
  reply: FastifyReply,
  result: RouteResult,
  wait: boolean,
): Promise<unknown> {
  if ('hijacked' in result) return reply;
  const target = result.auditTarget ?? pathOf(request);
  if ('taskId' in result) {
    const { taskId } = result;
    if (!wait) {
      if (spec.audit)
        await ctx.audit.record({ ...whoOf(actor, request), action: spec.audit, target, result: 'accepted', message: `task ${taskId} started`, taskId });
      return reply.status(202).header('Location', `${API_PREFIX}/tasks/${taskId}`).send({ taskId });
    }
    const view = await ctx.tasks.wait(taskId);
    if (view.state !== 'succeeded') {
      const error = taskFailure(view.error, taskId);
      if (spec.audit) {
        await ctx.audit.record({ ...whoOf(actor, request), action: spec.audit, target, ...auditOutcome(error), taskId });
        audited.add(error);
      }
      throw error;
    }
    if (spec.audit) await ctx.audit.record({ ...whoOf(actor, request), action: spec.audit, target, result: 'ok', message: `task ${taskId} succeeded`, taskId });
    return reply.status(200).send(view);
  }
  if (spec.audit) await ctx.audit.record({ ...whoOf(actor, request), action: spec.audit, target, result: 'ok' });
  const status = result.status ?? 200;
  return status === 204 ? reply.status(204).send() : reply.status(status).send(result.body);
}

/** Who made a change and from where, as the audit log keeps it. */
const whoOf = (actor: Actor, request: FastifyRequest): { user: string; token?: string; from: string } => ({
  user: actor.username,
  ...(actor.token ? { token: actor.token } : {}),
  from: request.ip,
});

// Errors already recorded with their task's outcome.
const audited = new WeakSet<object>();

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? request.url;

function taskFailure(error: TaskView['error'], taskId: string): GrappeError {
  const e = error ?? { code: 'internal', kind: 'internal', message: `task ${taskId} ended without a result` };
  return grappeErrorFrom({ ...e, details: { ...e.details, taskId } });
}

function auditOutcome(err: unknown): { result: 'refused' | 'failed'; message: string } {
  const { status, error } = toHttpError(err);
  return { result: status < 500 ? 'refused' : 'failed', message: error.message };
}

async function auditError(ctx: ControllerContext, action: string, actor: Actor, request: FastifyRequest, err: unknown): Promise<void> {
  if (typeof err === 'object' && err !== null && audited.has(err)) return;
  try {
    await ctx.audit.record({ ...whoOf(actor, request), action, target: pathOf(request), ...auditOutcome(err) });
  } catch (auditErr) {
    request.log.error({ err: auditErr }, 'could not write an audit record');
  }
}
