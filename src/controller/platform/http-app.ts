// The HTTPS server: fastify with the cluster's API certificate, errors in the JSON shape of
// error-mapping.ts, and what answers paths no route claims (405, 404, the web UI).
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { REQUEST_ID_HEADER, requestIdPattern } from '../../contract/logs.contract.ts';
import type { LogRing } from '../../streams/log-ring.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { GrappeError } from '../../core/errors.ts';
import { installErrorHandler, sendError } from './error-mapping.ts';
import { API_PREFIX, type RegisteredRoute } from './routes.ts';
import { staticFile } from './static-site.ts';

export interface HttpAppOptions {
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  readonly logLevel: string;
  /** Also keeps the log's newest lines here (GET /api/v1/logs). */
  readonly logRing?: LogRing;
}

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    https: { cert: options.tls.certPem, key: options.tls.keyPem },
    logger: {
      level: options.logLevel,
      ...(options.logRing ? { stream: teeTo(options.logRing) } : {}),
      // The event stream and the console carry a one-time ticket in the URL (?ticket=): keep it out of the logs.
      serializers: {
        req: (req: { method: string; url: string; ip: string }) => ({ method: req.method, url: redactToken(req.url), remoteAddress: req.ip }),
      },
    },
    bodyLimit: 1024 * 1024,
    // Open event streams would keep close() waiting forever.
    forceCloseConnections: true,
    clientErrorHandler: answerUnparsable,
    // A caller's X-Request-Id is kept (a well-formed one), else a new one: it names the request's log
    // lines here and on every agent it calls, and comes back in the answer.
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!requestIdPattern.test(request.id)) (request as { id: string }).id = randomUUID();
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  installErrorHandler(app as unknown as FastifyInstance);
  // Typed as the plain instance: route handlers do not depend on the server being https.
  return app as unknown as FastifyInstance;
}

/** stdout, and the ring of newest lines. */
function teeTo(ring: LogRing): { write(line: string): void } {
  return {
    write: (line) => {
      process.stdout.write(line);
      ring.push(line);
    },
  };
}

/** A request node's HTTP parser could not read (no route, no reply object): same JSON error shape. */
function answerUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(new GrappeError('malformedRequest', `the request is not valid HTTP/1.1: ${err.code ?? err.message}`).toJSON());
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Installs the answer for unmatched requests; needs the registered routes to tell 405 from 404. */
export function installFallback(app: FastifyInstance, routes: readonly RegisteredRoute[], webRoot: string): void {
  const patterns = routes.map((r) => ({ method: r.method, regex: patternOf(r.url) }));
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
      const allowed = [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))];
      if (allowed.length > 0) {
        reply.header('Allow', allowed.join(', '));
        return sendError(request, reply, new GrappeError('methodNotAllowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
      }
      return sendError(request, reply, new GrappeError('noSuchRoute', `no API route ${request.method} ${path}; see /api/v1/openapi.json`));
    }
    const file = request.method === 'GET' || request.method === 'HEAD' ? await staticFile(webRoot, path) : undefined;
    if (file) return reply.type(file.type).send(file.content);
    return sendError(request, reply, new GrappeError('notFound', `nothing at ${request.method} ${path}`));
  });
}

/** fastify's `/hosts/:id` syntax as a regex over concrete paths. */
export function patternOf(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export const redactToken = (url: string): string => url.replace(/([?&](?:token|ticket)=)[^&]*/g, '$1[redacted]');
