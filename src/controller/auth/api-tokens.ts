// API tokens: long-lived credentials for scripts and monitoring, `<user>!<name>.<secret>`, shown once.
// The store keeps only the secret's SHA-256; a token acts with its own grants, never beyond its user's
// (access/), and stops working the moment it is revoked (each call reads its record).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GrappeError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { API_TOKEN_RECORD, API_TOKENS_PREFIX, type ApiTokenRecord } from '../access/access-store.ts';
import { readRecord, storedValue } from '../platform/stored-records.ts';
import type { Actor, Clock } from '../platform/types.ts';

export const TOKEN_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const API_TOKEN = /^([a-z][a-z0-9._-]{0,63}![a-z][a-z0-9-]{0,31})\.([A-Za-z0-9_-]{43})$/i;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const apiTokenKey = (id: string): string => `${API_TOKENS_PREFIX}${id}`;

/** Whether a bearer value is shaped like an API token (the session tokens have no '!'). */
export const looksLikeApiToken = (bearer: string): boolean => bearer.includes('!');

export async function createApiToken(
  store: Store,
  t: { user: string; name: string; createdAt: string; expiresAt: string | null; comment: string },
): Promise<{ record: ApiTokenRecord; secret: string }> {
  const id = `${t.user}!${t.name}`;
  const secret = randomBytes(32).toString('base64url');
  const record: ApiTokenRecord = { id, user: t.user, secretSha256: sha256(secret), createdAt: t.createdAt, expiresAt: t.expiresAt, comment: t.comment };
  const key = apiTokenKey(id);
  const r = await store.txn([{ key, modRevision: 0 }], [{ put: key, value: storedValue(API_TOKEN_RECORD, record) }]);
  if (!r.succeeded) throw new GrappeError('duplicate', `API token '${id}' is already used in this cluster`, { value: id });
  return { record, secret: `${id}.${secret}` };
}

/** The user and token an API token stands for; a 401 saying what is wrong otherwise. */
export async function actorOfApiToken(store: Store, clock: Clock, bearer: string): Promise<Actor> {
  const m = API_TOKEN.exec(bearer);
  if (!m?.[1] || !m[2]) throw new GrappeError('tokenMalformed', "malformed API token: expected '<user>!<name>.<secret>' as `grappe token create` printed it");
  const entry = await store.get(apiTokenKey(m[1]));
  const record = entry ? readRecord(API_TOKEN_RECORD, entry.key, entry.value) : undefined;
  const given = Buffer.from(sha256(m[2]), 'hex');
  // Compared in constant time; an unknown token costs the same as a wrong secret.
  const stored = Buffer.from(record?.secretSha256 ?? '0'.repeat(64), 'hex');
  if (!record || !timingSafeEqual(given, stored)) throw new GrappeError('tokenUnknown', `unknown API token '${m[1]}' (revoked, or never issued)`);
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= clock.now()) {
    throw new GrappeError('tokenExpired', `API token '${record.id}' expired at ${record.expiresAt}`, { expiresAt: record.expiresAt });
  }
  return { username: record.user, token: record.id };
}
