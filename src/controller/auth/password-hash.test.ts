import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePassword, hashPassword, verifyPassword } from './password-hash.ts';

test('a hash verifies its password and no other', async () => {
  const hash = await hashPassword('s3cret-pass');
  assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('s3cret-pass', hash), true);
  assert.equal(await verifyPassword('s3cret-pasS', hash), false);
  assert.equal(await verifyPassword('', hash), false);
});

test('the same password hashes differently each time (salted)', async () => {
  assert.notEqual(await hashPassword('same'), await hashPassword('same'));
});

test('malformed stored hashes never verify', async () => {
  for (const stored of ['', 'plain', 'scrypt$1$2$3', 'md5$1$2$3$c2FsdA==$aGFzaA==', 'scrypt$16384$8$1$c2FsdA==$', 'scrypt$3$8$1$c2FsdA==$aGFzaA==']) {
    assert.equal(await verifyPassword('x', stored), false, stored);
  }
});

test('generated passwords have the asked length and no look-alike characters', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const p = generatePassword(24);
    assert.equal(p.length, 24);
    assert.doesNotMatch(p, /[0O1lI]/);
    seen.add(p);
  }
  assert.equal(seen.size, 50);
});
