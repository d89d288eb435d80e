import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from '../cli-error.ts';
import { targetFromFlags } from './notify.command.ts';

const base = { port: 587, security: 'starttls' as const };

test('a target from flags: webhook with its secret, SMTP with sender and recipients', () => {
  assert.deepEqual(targetFromFlags({ ...base, webhook: 'https://hooks.example.org/x', secret: 's'.repeat(16) }), {
    type: 'webhook',
    url: 'https://hooks.example.org/x',
    secret: 's'.repeat(16),
  });
  assert.deepEqual(targetFromFlags({ ...base, smtp: 'relay', from: 'g@example.org', to: 'a@example.org, b@example.org' }), {
    type: 'smtp',
    host: 'relay',
    port: 587,
    security: 'starttls',
    from: 'g@example.org',
    to: ['a@example.org', 'b@example.org'],
  });
});

test('flags that do not make one target are a usage error that says what is missing', () => {
  assert.throws(
    () => targetFromFlags(base),
    (e: unknown) => e instanceof CliError && /exactly one of --webhook/.test(e.message),
  );
  assert.throws(() => targetFromFlags({ ...base, webhook: 'https://x', smtp: 'relay' }), /exactly one/);
  assert.throws(() => targetFromFlags({ ...base, webhook: 'https://x' }), /needs --secret/);
  assert.throws(() => targetFromFlags({ ...base, smtp: 'relay', from: 'g@example.org' }), /needs --from <address> and --to/);
});
