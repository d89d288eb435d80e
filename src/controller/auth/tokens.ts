// Bearer tokens: 32 random bytes given to the client once; the store keeps only their sha256 at
// /tokens/<sha256> with the expiry, so a copy of the database does not hand out sessions.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { del, put } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';
import type { Actor, Clock } from '../platform/types.ts';
import { actorOfApiToken, apiTokenKey, looksLikeApiToken } from './api-tokens.ts';

export const DEFAULT_TOKEN_TTL_MS = 12 * 3600_000;

/** What a token may do beyond nothing: a session (absent) does what its user may; 'metrics' only scrapes /metrics. */
export type TokenScope = 'metrics';

interface TokenRecord {
  username: string;
  createdAt: string;
  expiresAt: string;
  scope?: TokenScope | undefined;
}

/** `/tokens/<sha256>`: version 1. */
export const TOKEN_RECORD = defineRecordKind<TokenRecord>({
  name: 'session token',
  version: 1,
  migrations: {},
  schema: z.object({ username: z.string().min(1), createdAt: z.string(), expiresAt: z.string(), scope: z.literal('metrics').optional() }),
  fix: 'log in again (the damaged session is refused)',
});

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const tokenKey = (token: string): string => `/tokens/${digest(token)}`;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/; // base64url of 32 bytes

const refuse = (code: 'tokenMalformed' | 'tokenUnknown' | 'tokenExpired' | 'authorizationMalformed', message: string): GrappeError =>
  new GrappeError(code, message);

export async function issueToken(
  store: Store,
  clock: Clock,
  username: string,
  ttlMs = DEFAULT_TOKEN_TTL_MS,
  scope?: TokenScope,
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = clock.now();
  const expiresAt = new Date(now + ttlMs).toISOString();
  await put(store, tokenKey(token), storedValue(TOKEN_RECORD, { username, createdAt: new Date(now).toISOString(), expiresAt, ...(scope ? { scope } : {}) }));
  await pruneExpired(store, clock);
  return { token, expiresAt };
}

export async function revokeToken(store: Store, token: string): Promise<void> {
  await del(store, tokenKey(token));
}

/** Where a bearer credential is stored: its deletion (logout, revocation) ends what it opened. */
export function credentialKeyOf(bearer: string): string {
  return looksLikeApiToken(bearer) ? apiTokenKey(bearer.split('.')[0] ?? bearer) : tokenKey(bearer);
}

/** The user a token belongs to; a 401 saying what is wrong otherwise. */
export async function actorOfToken(store: Store, clock: Clock, token: string): Promise<Actor> {
  if (looksLikeApiToken(token)) return actorOfApiToken(store, clock, token);
  if (!TOKEN_FORMAT.test(token)) throw refuse('tokenMalformed', 'malformed token: expected the token returned by POST /api/v1/auth/login');
  const entry = await store.get(tokenKey(token));
  const record = entry ? readRecord(TOKEN_RECORD, entry.key, entry.value) : undefined;
  if (!record) throw refuse('tokenUnknown', 'unknown token (logged out, or never issued): log in again');
  if (Date.parse(record.expiresAt) <= clock.now()) {
    // Best effort: a follower controller cannot write, and the token is refused either way.
    await revokeToken(store, token).catch(() => undefined);
    throw refuse('tokenExpired', `token expired at ${record.expiresAt}: log in again`);
  }
  return { username: record.username, ...(record.scope ? { scope: record.scope } : {}) };
}

/** The token of a request: "Authorization: Bearer <token>" (never the URL: tickets stand in where headers cannot be set). */
export function tokenOfRequest(headers: { authorization?: string | undefined }): string {
  const header = headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw refuse('authorizationMalformed', "malformed Authorization header: expected 'Bearer <token>'");
    return match[1];
  }
  throw errors.unauthenticated();
}

async function pruneExpired(store: Store, clock: Clock): Promise<void> {
  const now = clock.now();
  for (const entry of await store.list('/tokens/')) {
    // A damaged session record is of no use to anyone: it goes with the expired ones.
    const expiresAt = (entry.value as { expiresAt?: unknown } | null)?.expiresAt;
    if (typeof expiresAt !== 'string' || Date.parse(expiresAt) <= now)
      await store.txn([{ key: entry.key, modRevision: entry.modRevision }], [{ delete: entry.key }]);
  }
}
