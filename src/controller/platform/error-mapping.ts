// The one place where errors become HTTP answers: GrappeError codes through the catalog's statuses, fastify's
// own refusals (bad JSON, content type, size, unknown route) to the same JSON shape, and anything
// else to a logged 500 — the only case that is a bug of ours rather than a bad request.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isErrorCode, statusOfCode, type ErrorCode } from '../../core/error-catalog.ts';
import { GrappeError, isGrappeError, relayedError } from '../../core/errors.ts';

export interface HttpError {
  readonly status: number;
  readonly error: GrappeError;
}

/** Rebuilds a GrappeError from its JSON form (a failed task's error). A code outside the catalog becomes internal. */
export const grappeErrorFrom = (e: { code: string; message: string; details?: Record<string, unknown> | undefined }): GrappeError =>
  isErrorCode(e.code) ? relayedError(e.code, e.message, e.details ?? {}) : relayedError('internal', e.message, { ...e.details, originalCode: e.code });

// fastify's error codes for a request it could not take, with the answer we give.
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: (e: FastifyError) => string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformedJson', message: (e) => `the request body is not valid JSON: ${e.message}` },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'malformedJson',
    message: () => "the request says 'Content-Type: application/json' but its body is empty",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupportedMediaType',
    message: (e) => `unsupported content type: ${e.message}; send JSON with 'Content-Type: application/json'`,
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'bodyTooLarge', message: () => 'the request body is too large (limit 1 MiB)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'badContentLength',
    message: () => 'the Content-Length header does not match the body received',
  },
};

/** Maps any thrown value to a status and a GrappeError. `bug` is true for what must be logged with its stack. */
export function toHttpError(err: unknown): HttpError & { bug: boolean } {
  if (isGrappeError(err)) return { status: statusOfCode(err.code), error: err, bug: err.kind === 'internal' };
  const fe = err as Partial<FastifyError>;
  const known = fe.code ? FASTIFY_ERRORS[fe.code] : undefined;
  if (known) return { status: statusOfCode(known.code), error: new GrappeError(known.code, known.message(fe as FastifyError)), bug: false };
  // Other client errors fastify raises (bad headers, aborted bodies…) carry a 4xx status.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, error: new GrappeError('badRequest', `bad request: ${fe.message ?? 'refused'}`), bug: false };
  }
  return {
    status: 500,
    error: new GrappeError('internal', 'internal error: the controller failed to handle this request; see its log'),
    bug: true,
  };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { status, error, bug } = toHttpError(err);
  if (bug) request.log.error({ err }, 'request failed with an unexpected error');
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply.status(status).type('application/json; charset=utf-8').send(error.toJSON());
}

/** Every error any route throws goes through here. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
}
