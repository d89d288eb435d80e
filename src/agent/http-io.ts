// Reading and answering JSON over node:http(s), with coded errors for bad input.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ErrorCode } from '../contract/error-catalog.contract.ts';
import { AgentError } from './agent-error.ts';

// Large enough for a pushed agent bundle (base64), small enough to bound memory.
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AgentError('bodyTooLarge', `request body refused: larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const describeIssues = (issues: readonly z.core.$ZodIssue[]): string =>
  issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`).join('; ');

/** Parses JSON text against `schema`; 422 naming each offending field otherwise. */
export function parseJsonBody<T extends z.ZodType>(text: string, schema: T): z.output<T> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new AgentError('invalidInput', `request refused: the body is not valid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new AgentError('invalidInput', `request refused: ${describeIssues(r.error.issues)}`);
  return r.data;
}

/** A query string checked against its schema (values are strings: the schema coerces numbers). */
export function parseQuery<T extends z.ZodType>(query: URLSearchParams, schema: T): z.output<T> {
  const r = schema.safeParse(Object.fromEntries(query));
  if (!r.success) throw new AgentError('invalidInput', `request refused: ${describeIssues(r.error.issues)}`);
  return r.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // One request per connection: a connection made before enrollment (or release) never carries
  // later requests under a stale TLS identity.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}

/**
 * Streams `body` as the answer. A source that fails part-way cuts the connection, so the client
 * sees a broken answer rather than a short one that looks complete.
 */
export function sendStream(res: ServerResponse, status: number, body: Readable, headers: Record<string, string | number>): void {
  res.writeHead(status, { 'content-type': 'application/octet-stream', ...headers, connection: 'close' });
  body.on('error', () => res.destroy());
  res.on('close', () => body.destroy());
  body.pipe(res);
}

export const errorBody = (code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } => ({ error: { code, message } });
