// Single-use join tokens for new controllers: `gj1.<secret>.<CA fingerprint>`. The secret is stored
// only as its SHA-256 (like session tokens); the CA fingerprint lets the joining machine check it
// talks to this cluster before it trusts anything it receives (kubeadm's discovery hash).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GrappeError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';
import type { Clock } from '../platform/types.ts';

export interface JoinTokenRecord {
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** `/cluster/join-tokens/<sha256>`: version 1. */
export const JOIN_TOKEN_RECORD = defineRecordKind<JoinTokenRecord>({
  name: 'cluster join token',
  version: 1,
  migrations: {},
  schema: z.object({ createdBy: z.string(), createdAt: z.string(), expiresAt: z.string() }),
  fix: 'make a new join token (the damaged one is refused)',
});

const TOKEN_FORMAT = /^gj1\.([A-Za-z0-9_-]{32})\.([0-9a-f]{64})$/;
const keyOf = (secret: string): string => `/cluster/join-tokens/${createHash('sha256').update(secret).digest('hex')}`;

/** The CA fingerprint as it appears in a token: 64 lowercase hex digits. */
export const tokenFingerprint = (fingerprint256: string): string => fingerprint256.replace(/:/g, '').toLowerCase();

export async function createJoinToken(store: Store, clock: Clock, caFingerprint: string, createdBy: string, ttlMinutes: number) {
  const secret = randomBytes(24).toString('base64url');
  const now = clock.now();
  const record: JoinTokenRecord = { createdBy, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMinutes * 60_000).toISOString() };
  await store.txn([{ key: keyOf(secret), modRevision: 0 }], [{ put: keyOf(secret), value: storedValue(JOIN_TOKEN_RECORD, record) }]);
  return { token: `gj1.${secret}.${tokenFingerprint(caFingerprint)}`, expiresAt: record.expiresAt };
}

/** The CA fingerprint a token names, or an error saying the token is not one. */
export function parseJoinToken(token: string): { secret: string; caFingerprint: string } {
  const m = TOKEN_FORMAT.exec(token);
  if (!m?.[1] || !m[2])
    throw new GrappeError(
      'joinTokenInvalid',
      'join refused: the join token is malformed (expected gj1.<secret>.<fingerprint>); copy it whole from `grappe cluster token`',
    );
  return { secret: m[1], caFingerprint: m[2] };
}

/** Uses the token up (deleted in the same transaction that checks it): a second use is refused. */
export async function consumeJoinToken(store: Store, clock: Clock, token: string): Promise<JoinTokenRecord> {
  const { secret } = parseJoinToken(token);
  const entry = await store.get(keyOf(secret));
  const refuse = (problem: string) =>
    new GrappeError('joinTokenInvalid', `join refused: the join token is ${problem}; make a new one with \`grappe cluster token\` on a controller`);
  if (!entry) throw refuse('unknown or already used');
  const record = readRecord(JOIN_TOKEN_RECORD, entry.key, entry.value);
  const used = await store.txn([{ key: entry.key, modRevision: entry.modRevision }], [{ delete: entry.key }]);
  if (!used.succeeded) throw refuse('already used');
  if (Date.parse(record.expiresAt) <= clock.now()) throw refuse(`expired (at ${record.expiresAt})`);
  return record;
}
