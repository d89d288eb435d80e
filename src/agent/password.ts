// Host password: stored as a salted scrypt hash; no stored hash means the factory default.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHash {
  algorithm: 'scrypt';
  salt: string; // hex
  hash: string; // hex
  keyLength: number;
}

const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, keyLength: number): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password, salt, keyLength, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, KEY_LENGTH);
  return { algorithm: 'scrypt', salt: salt.toString('hex'), hash: key.toString('hex'), keyLength: KEY_LENGTH };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const key = await derive(password, Buffer.from(stored.salt, 'hex'), stored.keyLength);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
